"""Test certificates made with the openssl command line, independently of the webhook's own code.

Importable from every integration test: pytest puts this folder (the top conftest.py's) on sys.path.
"""
import pathlib
import subprocess

EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


def openssl(*args, cwd, input=None):
    """Runs openssl in `cwd`; returns its stdout, raises on failure."""
    return subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30, input=input).stdout


def server_pki(directory: pathlib.Path, ca_subject: str, server_name: str, extensions: str,
               ca_days: int = 1, leaf_days: int = 1) -> pathlib.Path:
    """A CA (ca.crt, ca.key) and a server pair it signed (tls.crt, tls.key) with `extensions`."""
    openssl("req", "-x509", *EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", str(ca_days), "-subj", ca_subject, cwd=directory)
    (directory / "ext").write_text(extensions + "\n")
    openssl("req", *EC, "-keyout", "tls.key", "-out", "tls.csr", "-subj", f"/CN={server_name}", cwd=directory)
    openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "tls.crt", "-days", str(leaf_days), "-extfile", "ext", cwd=directory)
    return directory
