"""The system under test for the fault run: certificates, the API-server stand-in, the webhook.

Everything listens on 127.0.0.1 with ports the OS picks. Certificates come from the openssl CLI
in a temporary directory. The certificate directory is laid out like a mounted Secret (tls.crt
and tls.key are symlinks through `..data`), so a swap is one atomic rename and the webhook never
sees a certificate from one pair and a key from another.
"""
import base64
import http.client
import json
import os
import pathlib
import signal
import ssl
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[3]
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def webhook_binary():
    """$AZWI_WEBHOOK_BIN, else the debug build's azwi-webhook."""
    if os.environ.get("AZWI_WEBHOOK_BIN"):
        return pathlib.Path(os.environ["AZWI_WEBHOOK_BIN"])
    bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout.strip()
    return pathlib.Path(bin_dir) / "azwi-webhook"


class PKI:
    """One CA and `leaves` serving certificates for localhost/127.0.0.1, serials 1001, 1002, …"""

    def __init__(self, directory, leaves):
        self.dir = directory
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=faults-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", cwd=directory)
        (directory / "ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        self.leaves = []
        for index in range(leaves):
            leaf = directory / f"leaf-{index}"
            leaf.mkdir()
            openssl("req", *ec, "-keyout", "tls.key", "-out", "tls.csr", "-subj", f"/CN=localhost-{index}", cwd=leaf)
            openssl("x509", "-req", "-in", "tls.csr", "-CA", "../ca.crt", "-CAkey", "../ca.key", "-set_serial",
                    str(1001 + index), "-out", "tls.crt", "-days", "1", "-extfile", "../ext", cwd=leaf)
            self.leaves.append(leaf)
        self.ca = directory / "ca.crt"

    def client_context(self):
        return ssl.create_default_context(cafile=str(self.ca))


class CertificateMount:
    """A directory shaped like a mounted Secret; `swap()` moves `..data` to the next leaf atomically."""

    def __init__(self, directory, pki):
        self.dir = directory
        self.pki = pki
        self.current = 0
        self.swaps = 0
        directory.mkdir()
        self._point_at(0)
        for name in ("tls.crt", "tls.key"):
            os.symlink(f"..data/{name}", directory / name)

    def _point_at(self, index):
        version = self.dir / f"..version-{self.swaps}"
        os.symlink(self.pki.leaves[index], version)
        os.symlink(version.name, self.dir / "..data_tmp")
        os.rename(self.dir / "..data_tmp", self.dir / "..data")

    def swap(self):
        self.current = (self.current + 1) % len(self.pki.leaves)
        self.swaps += 1
        self._point_at(self.current)
        return 1001 + self.current


def account(name, client_id, namespace="production"):
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": namespace,
                         "annotations": {"azure.workload.identity/client-id": client_id}}}


class APIServer:
    """Tests/integration/kube/fake_apiserver.py serving `accounts`, steered through /_control."""

    def __init__(self, pki, work, accounts):
        path = work / "accounts.json"
        path.write_text(json.dumps(accounts))
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "Tests/integration/kube/fake_apiserver.py"), "--port", "0",
             "--cert", str(pki.leaves[0] / "tls.crt"), "--key", str(pki.leaves[0] / "tls.key"),
             "--token", "secret-token", "--serviceaccounts-file", str(path), "--bookmark-interval", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())
        self.context = pki.client_context()

    def control(self, method, path, body=None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=10)
        try:
            connection.request(method, "/_control/" + path, body=json.dumps(body) if body is not None else None)
            response = connection.getresponse()
            response.read()
            if response.status >= 300:
                raise RuntimeError(f"{method} /_control/{path}: {response.status}")
        finally:
            connection.close()

    def kubeconfig(self, path, pki):
        ca = base64.b64encode(pki.ca.read_bytes()).decode()
        path.write_text(f"""apiVersion: v1
kind: Config
current-context: stand-in
clusters:
- name: stand-in
  cluster: {{server: "https://127.0.0.1:{self.port}", certificate-authority-data: {ca}}}
users:
- name: webhook
  user: {{token: secret-token}}
contexts:
- name: stand-in
  context: {{cluster: stand-in, user: webhook}}
""")
        return path

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


class Webhook:
    """`azwi-webhook serve` with its log in a file; the bound ports from the log.

    `source` is the flags naming where ServiceAccounts come from: `["--kubeconfig", path]` (the
    API-server stand-in) or `["--service-accounts", path]`. The serving pair is the caller's (it
    may swap it), so built-in certificate rotation is off."""

    def __init__(self, binary, source, cert_dir, log_path, shutdown_timeout, extra_env=None):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        env = {"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT, **(extra_env or {})}
        self.proc = subprocess.Popen(
            [str(binary), "serve", *map(str, source), "--webhook-cert-dir", str(cert_dir), "--disable-cert-rotation",
             "--port", "0", "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
             "--cert-check-interval", "1", "--shutdown-timeout", str(shutdown_timeout)],
            env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.pid = self.proc.pid
        self.start_time = self.stat_start_time()
        deadline = time.monotonic() + 60
        while True:
            entry = self._serving_line()
            if entry:
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the webhook did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.05)
        self.port, self.health_port, self.metrics_port = (
            int(entry["webhookPort"]), int(entry["healthPort"]), int(entry["metricsPort"]))

    def _serving_line(self):
        with open(self.log_path, "rb") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("msg") == "serving":
                    return entry
        return None

    def stat_start_time(self):
        """Field 22 of /proc/PID/stat: the process start time; a restart under the same PID changes it."""
        return open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()[19]

    def rss_kib(self):
        for line in open(f"/proc/{self.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        """utime + stime from /proc/PID/stat."""
        fields = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def threads(self):
        for line in open(f"/proc/{self.pid}/status"):
            if line.startswith("Threads:"):
                return int(line.split()[1])
        return 0

    def get_plain(self, port, path):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def ready(self):
        try:
            return self.get_plain(self.health_port, "/readyz")[0] == 200
        except OSError:
            return False

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while not self.ready():
            if time.monotonic() > deadline:
                raise RuntimeError("the webhook never became ready")
            time.sleep(0.05)

    def metrics(self):
        """{sample: value} from /metrics, e.g. {'azwi_kube_watch_restarts_total{reason="closed"}': 3.0}."""
        samples = {}
        for line in self.get_plain(self.metrics_port, "/metrics")[1].splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    def terminate(self):
        self.proc.send_signal(signal.SIGTERM)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()
