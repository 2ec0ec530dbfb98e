"""Built-in certificates without cert-manager, against the API-server stand-in.

`azwi-webhook serve --kubeconfig` keeps a CA and a serving certificate in the Secret
azure-wi-webhook-server-cert, serves them, and keeps the MutatingWebhookConfiguration's caBundle
set to the CA. Checked here with independent tools only: `openssl verify`/`openssl x509` and a
Python TLS client that trusts nothing but the caBundle the webhook injected.
"""
import base64
import datetime
import json
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest
from standin_control import control
from testpki import openssl, server_pki

HERE = pathlib.Path(__file__).parent
REPO = HERE.parents[2]
STAND_IN = REPO / "Tests/integration/kube/fake_apiserver.py"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
NAMESPACE = "wi-system"
HOST = f"azure-wi-webhook-webhook-service.{NAMESPACE}.svc"
SECRET = "azure-wi-webhook-server-cert"
MWC = "azure-wi-webhook-mutating-webhook-configuration"


@pytest.fixture(scope="module")
def stand_in_pki(tmp_path_factory):
    """The stand-in's own TLS identity (unrelated to the webhook's certificates)."""
    return server_pki(tmp_path_factory.mktemp("stand-in-pki"), "/CN=stand-in-ca", "stand-in", "subjectAltName=IP:127.0.0.1")


def openssl_certificates(d, leaf_days, host=HOST):
    """A CA and serving certificate made with the openssl CLI, as Secret data."""
    server_pki(d, "/O=azure-workload-identity/CN=azure-workload-identity-ca", host,
               f"subjectAltName=DNS:{host}\nextendedKeyUsage=serverAuth", ca_days=3650, leaf_days=leaf_days)
    return {name: base64.b64encode((d / name).read_bytes()).decode() for name in ("ca.crt", "ca.key", "tls.crt", "tls.key")}


class StandIn:
    def __init__(self, pki, tmp):
        accounts = tmp / "accounts.json"
        accounts.write_text(json.dumps([{"metadata": {"name": "keyvault-reader", "namespace": "production", "annotations": {
            "azure.workload.identity/client-id": "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"}}}]))
        self.proc = subprocess.Popen(
            [sys.executable, str(STAND_IN), "--port", "0", "--cert", str(pki / "tls.crt"), "--key", str(pki / "tls.key"),
             "--token", "secret-token", "--serviceaccounts-file", str(accounts)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())
        self.pki = pki
        self.kubeconfig = tmp / "kubeconfig"
        ca = base64.b64encode((pki / "ca.crt").read_bytes()).decode()
        self.kubeconfig.write_text(f"""apiVersion: v1
kind: Config
current-context: stand-in
clusters: [{{name: stand-in, cluster: {{server: "https://127.0.0.1:{self.port}", certificate-authority-data: {ca}}}}}]
users: [{{name: webhook, user: {{token: secret-token}}}}]
contexts: [{{name: stand-in, context: {{cluster: stand-in, user: webhook}}}}]
""")

    def control(self, method, path, body=None):
        return control(self.port, self.pki / "ca.crt", method, path, body)

    def seed(self, data=None, ca_bundle=""):
        """The chart's objects: the (empty) Secret and the configuration with two webhooks."""
        secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": SECRET, "namespace": NAMESPACE, "labels": {"app": "x"}}}
        if data:
            secret["data"] = data
        self.control("POST", "objects/secrets", secret)
        self.control("POST", "objects/mutatingwebhookconfigurations", {
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration", "metadata": {"name": MWC},
            "webhooks": [{"name": name, "clientConfig": {"service": {"name": "azure-wi-webhook-webhook-service", "namespace": NAMESPACE,
                                                                     "path": "/mutate-v1-pod"}, "caBundle": ca_bundle},
                          "sideEffects": "None", "admissionReviewVersions": ["v1"]}
                         for name in ("mutation.azure-workload-identity.io", "second.example.io")]})

    def secret(self):
        return self.control("GET", f"objects/secrets/{NAMESPACE}/{SECRET}")

    def secret_pem(self, key):
        return base64.b64decode(self.secret()["data"][key])

    def ca_bundles(self):
        mwc = self.control("GET", f"objects/mutatingwebhookconfigurations/-/{MWC}")
        return [base64.b64decode(w["clientConfig"].get("caBundle", "")) for w in mwc["webhooks"]]

    def counters(self):
        return self.control("GET", "counters")["counters"]

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


class Webhook:
    """One replica; stderr is collected on a thread so that tests can read its log lines."""

    def __init__(self, binary, stand_in, cert_dir, *extra):
        self.lines = []
        self.serving = threading.Event()
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--kubeconfig", str(stand_in.kubeconfig), "--webhook-cert-dir", str(cert_dir),
             "--port", "0", "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", *extra],
            env={"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT, "POD_NAMESPACE": NAMESPACE},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            entry = json.loads(line)
            self.lines.append(entry)
            if entry.get("msg") == "serving":
                self.port, self.health, self.metrics_port = int(entry["webhookPort"]), int(entry["healthPort"]), int(entry["metricsPort"])
                self.serving.set()

    def wait_serving(self):
        assert self.serving.wait(30), f"not serving: {self.lines[-5:]}"

    def get(self, port, path):
        import http.client
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        return response.status, body

    def ready(self):
        return self.get(self.health, "/readyz")[0] == 200

    def wait_ready(self, seconds=30):
        self.wait_serving()
        deadline = time.monotonic() + seconds
        while not self.ready():
            assert time.monotonic() < deadline, f"not ready: {self.get(self.health, '/readyz')[1]}"
            time.sleep(0.05)

    def metric(self, name):
        for line in self.get(self.metrics_port, "/metrics")[1].splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return None

    def served_certificate(self):
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname=HOST) as tls:
                return ssl.DER_cert_to_PEM_cert(tls.getpeercert(binary_form=True)).encode()

    def admit(self, trusted_pem):
        """POST /mutate-v1-pod over TLS trusting only `trusted_pem`, checking the service's DNS name."""
        context = ssl.create_default_context(cadata=trusted_pem.decode())
        review = (REPO / "examples/admission-review.json").read_bytes()
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=HOST) as tls:
                tls.sendall(b"POST /mutate-v1-pod?timeout=10s HTTP/1.1\r\nHost: " + HOST.encode()
                            + b"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                            + str(len(review)).encode() + b"\r\n\r\n" + review)
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        return json.loads(body)["response"]

    def logged(self, text):
        return [e for e in self.lines if text in json.dumps(e)]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)


def eventually(check, seconds=15):
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)
    return result


def not_after(pem, cwd):
    text = openssl("x509", "-noout", "-enddate", cwd=cwd, input=pem).decode().strip().split("=", 1)[1]
    return datetime.datetime.strptime(text, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.timezone.utc)


def days_left(pem, cwd):
    return (not_after(pem, cwd) - datetime.datetime.now(datetime.timezone.utc)).days


@pytest.fixture
def cluster(stand_in_pki, tmp_path, webhook_bin):
    stand_in = StandIn(stand_in_pki, tmp_path)
    webhooks = []

    def start(cert_dir=None, *extra):
        directory = cert_dir or tmp_path / f"certs-{len(webhooks)}"
        directory.mkdir(exist_ok=True)
        webhooks.append(Webhook(webhook_bin, stand_in, directory, *extra))
        return webhooks[-1]

    yield stand_in, start
    for webhook in webhooks:
        webhook.stop()
    stand_in.stop()


def test_empty_secret_is_filled_and_an_admission_trusting_only_the_injected_cabundle_succeeds(cluster, tmp_path):
    stand_in, start = cluster
    stand_in.seed()
    webhook = start(tmp_path / "dir")
    webhook.wait_ready()

    secret = stand_in.secret()
    assert secret["metadata"]["labels"] == {"app": "x"}, "the update keeps what it does not own"
    ca, leaf = stand_in.secret_pem("ca.crt"), stand_in.secret_pem("tls.crt")
    bundles = stand_in.ca_bundles()
    assert bundles == [ca, ca]
    (tmp_path / "ca.pem").write_bytes(bundles[0])
    (tmp_path / "leaf.pem").write_bytes(leaf)
    assert openssl("verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "leaf.pem", cwd=tmp_path).strip() == b"leaf.pem: OK"
    subject = openssl("x509", "-noout", "-subject", "-nameopt", "RFC2253", cwd=tmp_path, input=ca).decode()
    assert subject.strip() == "subject=CN=azure-workload-identity-ca,O=azure-workload-identity"
    text = openssl("x509", "-noout", "-text", cwd=tmp_path, input=leaf).decode()
    assert f"DNS:{HOST}" in text and "TLS Web Server Authentication" in text and "CA:FALSE" in text
    assert 3640 <= days_left(ca, tmp_path) <= 3650 and 363 <= days_left(leaf, tmp_path) <= 365

    response = webhook.admit(bundles[0])
    assert response["allowed"] is True and response["patchType"] == "JSONPatch"
    assert webhook.served_certificate() == leaf
    # Not a mounted Secret volume: the pair is written there too.
    assert (tmp_path / "dir/tls.crt").read_bytes() == leaf
    assert (tmp_path / "dir/tls.key").read_bytes() == stand_in.secret_pem("tls.key")
    assert oct((tmp_path / "dir/tls.key").stat().st_mode & 0o777) == "0o600"

    assert webhook.metric("azwi_ca_bundle_verifies") == 1
    assert 363 * 86400 < webhook.metric("azwi_serving_certificate_expiry_seconds") <= 365 * 86400
    assert 3640 * 86400 < webhook.metric("azwi_ca_certificate_expiry_seconds") <= 3650 * 86400
    assert stand_in.counters().get("blind-update:secrets") is None


def test_a_valid_secret_is_reused_untouched(cluster, tmp_path):
    stand_in, start = cluster
    data = openssl_certificates(tmp_path, leaf_days=365)
    stand_in.seed(data, ca_bundle=data["ca.crt"])
    before = stand_in.secret()
    webhook = start()
    webhook.wait_ready()
    time.sleep(0.5)
    assert stand_in.secret() == before
    counters = stand_in.counters()
    assert "update:secrets" not in counters and "patch:mutatingwebhookconfigurations" not in counters
    assert webhook.served_certificate() == base64.b64decode(data["tls.crt"])


def test_an_expiring_serving_certificate_is_reissued_from_the_same_ca(cluster, tmp_path):
    stand_in, start = cluster
    data = openssl_certificates(tmp_path, leaf_days=30)
    stand_in.seed(data, ca_bundle=data["ca.crt"])
    webhook = start()
    webhook.wait_ready()
    leaf = stand_in.secret_pem("tls.crt")
    assert leaf != base64.b64decode(data["tls.crt"])
    assert stand_in.secret_pem("ca.crt") == base64.b64decode(data["ca.crt"])
    assert days_left(leaf, tmp_path) >= 363
    assert webhook.served_certificate() == leaf
    assert "patch:mutatingwebhookconfigurations" not in stand_in.counters(), "same CA: the caBundle stays"
    assert webhook.logged("the serving certificate expires in")


def test_two_replicas_racing_end_with_one_ca(cluster, tmp_path):
    stand_in, start = cluster
    stand_in.seed()
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    (mounted / "..data").symlink_to("..2026_01_01")  # what the kubelet's atomic writer leaves
    first, second = start(), start(mounted)
    first.wait_ready()
    second.wait_ready()
    ca = stand_in.secret_pem("ca.crt")
    assert stand_in.ca_bundles() == [ca, ca]
    (tmp_path / "ca.pem").write_bytes(ca)
    for index, webhook in enumerate((first, second)):
        (tmp_path / f"served-{index}.pem").write_bytes(webhook.served_certificate())
        assert openssl("verify", "-CAfile", "ca.pem", f"served-{index}.pem", cwd=tmp_path).strip().endswith(b": OK")
        assert webhook.admit(ca)["allowed"] is True
    assert first.served_certificate() == second.served_certificate() == stand_in.secret_pem("tls.crt")
    assert stand_in.counters()["update:secrets"] == 1, "the loser of the race adopts the winner's certificates"
    assert not (mounted / "tls.crt").exists(), "a mounted Secret volume is the kubelet's to write"


def test_a_cabundle_reset_by_someone_else_is_injected_again(cluster):
    stand_in, start = cluster
    stand_in.seed()
    webhook = start()
    webhook.wait_ready()
    ca = stand_in.secret_pem("ca.crt")
    stand_in.control("POST", "reset-cabundle", {"name": MWC, "value": ""})
    eventually(lambda: stand_in.ca_bundles() == [ca, ca])
    eventually(webhook.ready)
    assert webhook.logged("injected the CA into the caBundles")


def test_forbidden_webhook_configuration_is_a_clear_error_and_the_secret_certificate_is_still_served(cluster):
    stand_in, start = cluster
    stand_in.seed()
    stand_in.control("POST", "forbid", {"resource": "mutatingwebhookconfigurations"})
    webhook = start()
    webhook.wait_serving()
    errors = eventually(lambda: webhook.logged("cannot inject the caBundle"))
    assert errors and "403" in json.dumps(errors[0]) and "RBAC" in json.dumps(errors[0])
    assert webhook.admit(stand_in.secret_pem("ca.crt"))["allowed"] is True
    assert not webhook.ready()
    assert "caBundle" in webhook.get(webhook.health, "/readyz")[1]
    assert webhook.metric("azwi_ca_bundle_verifies") == 0
    assert webhook.proc.poll() is None


def test_with_rotation_disabled_the_cabundle_metric_still_reports(cluster, tmp_path):
    stand_in, start = cluster
    data = openssl_certificates(tmp_path, leaf_days=365)
    stand_in.seed(ca_bundle="")
    certs = tmp_path / "admin-certs"
    certs.mkdir()
    for name in ("tls.crt", "tls.key"):
        (certs / name).write_bytes(base64.b64decode(data[name]))
    webhook = start(certs, "--disable-cert-rotation")
    webhook.wait_ready()  # readiness does not wait for a caBundle it does not manage
    assert eventually(lambda: webhook.metric("azwi_ca_bundle_verifies") == 0)
    stand_in.control("POST", "reset-cabundle", {"name": MWC, "value": data["ca.crt"]})
    assert eventually(lambda: webhook.metric("azwi_ca_bundle_verifies") == 1)
    assert webhook.metric("azwi_ca_certificate_expiry_seconds") is None, "no built-in rotation: no CA series of its own"
    assert stand_in.secret().get("data") is None, "the Secret is not touched"
    assert "patch:mutatingwebhookconfigurations" not in stand_in.counters()
