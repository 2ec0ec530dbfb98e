"""Starts the real azwi-webhook binary for the serve tests.

Every server listens on ports the OS picks (`--port 0`, `127.0.0.1:0`); the fixture reads the
bound ports from the one JSON startup line (`"msg":"serving"`). Certificates are made with the
`openssl` CLI in a temporary directory, never committed.
"""
import http.client
import json
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

STARTUP_TIMEOUT = 20.0


def run_openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


class CertificateAuthority:
    """A throw-away CA (openssl CLI) that issues serving certificates for 127.0.0.1/localhost."""

    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        run_openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=azwi-test-ca",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
        self.cert = directory / "ca.crt"
        self.serial = 0

    def issue(self, target: pathlib.Path, days: int = 1) -> pathlib.Path:
        """Writes a new key and certificate as tls.key/tls.crt in `target`; returns `target`."""
        target.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        work = self.directory / f"leaf-{self.serial}"
        work.mkdir()
        (work / "ext.cnf").write_text(
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
            "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n"
            "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n")
        run_openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "tls.key", "-out", "tls.csr", "-subj", f"/CN=localhost-{self.serial}", cwd=work)
        run_openssl("x509", "-req", "-in", "tls.csr", "-CA", str(self.cert), "-CAkey", str(self.directory / "ca.key"),
                    "-set_serial", str(1000 + self.serial), "-out", "tls.crt", "-days", str(days),
                    "-extfile", "ext.cnf", cwd=work)
        for name in ("tls.crt", "tls.key"):
            tmp = target / f".{name}.tmp"
            tmp.write_bytes((work / name).read_bytes())
            os.replace(tmp, target / name)
        return target

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cert))
        context.check_hostname = True
        return context


class Webhook:
    """One running azwi-webhook process and the ports it bound."""

    def __init__(self, args, env, cwd, ca):
        self.ca = ca
        self.process = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = []
        self.stdout_lines = []
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._drain, args=(self.process.stderr, self.lines), daemon=True),
            threading.Thread(target=self._drain, args=(self.process.stdout, self.stdout_lines), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        startup = self.wait_for_log(lambda entry: entry.get("msg") == "serving", STARTUP_TIMEOUT)
        self.port = startup["webhookPort"]
        self.health_port = startup["healthPort"]
        self.metrics_port = startup["metricsPort"]

    def _drain(self, stream, sink):
        for raw in stream:
            with self._lock:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def logs(self):
        """Every stderr line so far, parsed as JSON where possible."""
        with self._lock:
            lines = list(self.lines)
        parsed = []
        for line in lines:
            try:
                parsed.append(json.loads(line))
            except ValueError:
                parsed.append({"raw": line})
        return parsed

    def wait_for_log(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.logs():
                if predicate(entry):
                    return entry
            if self.process.poll() is not None:
                raise AssertionError(f"webhook exited with {self.process.returncode}: {self.lines}")
            time.sleep(0.02)
        raise AssertionError(f"no matching log line within {timeout}s: {self.lines}")

    def https(self, timeout=10.0) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ca.client_context(), timeout=timeout)

    def tls_socket(self, timeout=10.0) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return self.ca.client_context().wrap_socket(raw, server_hostname="localhost")

    def get_plain(self, port, path, method="GET"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def metrics(self) -> str:
        status, body = self.get_plain(self.metrics_port, "/metrics")
        assert status == 200
        return body

    def metric(self, sample: str) -> float:
        """The value of one sample, e.g. `azwi_http_open_connections{listener="webhook"}`; 0 if absent."""
        for line in self.metrics().splitlines():
            name, _, value = line.rpartition(" ")
            if name == sample:
                return float(value)
        return 0.0

    def stop(self, timeout=15.0):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for reader in self._readers:
            reader.join(timeout=5)
        return self.process.returncode


@pytest.fixture
def certificate_authority(tmp_path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "ca")


@pytest.fixture
def cert_dir(tmp_path, certificate_authority) -> pathlib.Path:
    return certificate_authority.issue(tmp_path / "certs")


@pytest.fixture
def base_env() -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "PROXY_", "POD_"))}
    env["AZURE_TENANT_ID"] = "11111111-2222-3333-4444-555555555555"
    return env


@pytest.fixture
def start_webhook(webhook_bin, repo_root, cert_dir, certificate_authority, base_env):
    """Returns start(*extra_args, env=None, cert_dir=None): a running Webhook, stopped after the test."""
    started = []

    def start(*extra_args, env=None, cert_dir=cert_dir, service_accounts=None):
        args = [str(webhook_bin), "serve", "--port", "0", "--health-addr", "127.0.0.1:0",
                "--metrics-addr", "127.0.0.1:0", "--webhook-cert-dir", str(cert_dir),
                "--cert-check-interval", "0.1",
                "--service-accounts", str(service_accounts or repo_root / "examples" / "serviceaccount.yaml"),
                *extra_args]
        webhook = Webhook(args, env or base_env, repo_root, certificate_authority)
        started.append(webhook)
        return webhook

    yield start
    for webhook in started:
        webhook.stop()


@pytest.fixture
def webhook(start_webhook) -> Webhook:
    return start_webhook()


@pytest.fixture
def dev_webhook(webhook_bin, repo_root, base_env, tmp_path) -> Webhook:
    """`azwi-webhook --dev` (no cluster, its own throw-away certificate in $TMPDIR), stopped after the test."""
    env = dict(base_env, TMPDIR=str(tmp_path))
    env.pop("AZURE_TENANT_ID")
    webhook = Webhook([str(webhook_bin), "--dev", "--port", "0", "--health-addr", "127.0.0.1:0",
                       "--metrics-addr", "127.0.0.1:0"], env, repo_root, None)
    yield webhook
    assert webhook.stop() == 0


@pytest.fixture
def review_bytes(repo_root) -> bytes:
    return (repo_root / "examples" / "admission-review.json").read_bytes()
