"""`azwi-webhook serve --kubeconfig` against the API-server stand-in: admissions answered from the
watch-based cache, following ServiceAccount changes, with the cluster version deciding sidecars."""
import base64
import copy
import http.client
import json
import os
import pathlib
import signal
import ssl
import subprocess
import sys
import time

import jsonpatch
import pytest
from standin_control import control
from testpki import server_pki

HERE = pathlib.Path(__file__).parent
REPO = HERE.parents[2]
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return server_pki(tmp_path_factory.mktemp("pki"), "/CN=test-ca", "localhost",
                      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")


def account(name, client_id, namespace="production"):
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": namespace,
                         "annotations": {"azure.workload.identity/client-id": client_id}}}


class APIServer:
    def __init__(self, pki, tmp, minor="32", extra_args=()):
        accounts = tmp / "accounts.json"
        accounts.write_text(json.dumps([account("keyvault-reader", CLIENT_ID)]))
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "fake_apiserver.py"), "--port", "0", "--cert", str(pki / "tls.crt"),
             "--key", str(pki / "tls.key"), "--token", "secret-token", "--serviceaccounts-file", str(accounts),
             "--minor", minor, "--bookmark-interval", "1", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())
        self.pki = pki

    def control(self, method, path, body=None):
        return control(self.port, self.pki / "ca.crt", method, path, body)

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


def kubeconfig(tmp, pki, port):
    path = tmp / "kubeconfig"
    ca = base64.b64encode((pki / "ca.crt").read_bytes()).decode()
    path.write_text(f"""apiVersion: v1
kind: Config
current-context: stand-in
clusters:
- name: stand-in
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority-data: {ca}
users:
- name: webhook
  user:
    token: secret-token
contexts:
- name: stand-in
  context: {{cluster: stand-in, user: webhook}}
""")
    return path


def serve_command(binary, pki, kubeconfig_path, extra_args=()):
    return [str(binary), "serve", "--kubeconfig", str(kubeconfig_path), "--webhook-cert-dir", str(pki), "--disable-cert-rotation",
            "--port", "0", "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", *extra_args]


class Webhook:
    def __init__(self, binary, pki, kubeconfig_path, extra_args=(), extra_env=None):
        self.proc = subprocess.Popen(
            serve_command(binary, pki, kubeconfig_path, extra_args),
            env={"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT, **(extra_env or {})},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            assert line, "the webhook exited before serving"
            entry = json.loads(line)
            if entry.get("msg") == "serving":
                self.port, self.health = int(entry["webhookPort"]), int(entry["healthPort"])
                break
        else:
            pytest.fail("no serving line")
        self.context = ssl.create_default_context(cafile=str(pki / "ca.crt"))

    def ready(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.health, timeout=5)
        connection.request("GET", "/readyz")
        status = connection.getresponse().status
        connection.close()
        return status == 200

    def wait_ready(self, seconds=20):
        deadline = time.monotonic() + seconds
        while not self.ready():
            assert time.monotonic() < deadline, "not ready in time"
            time.sleep(0.05)

    def admit(self, pod, namespace="production"):
        review = json.loads((REPO / "examples/admission-review.json").read_text())
        review["request"]["object"] = pod
        review["request"]["namespace"] = namespace
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=10)
        connection.request("POST", "/mutate-v1-pod?timeout=10s", body=json.dumps(review),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        body = json.loads(response.read())["response"]
        connection.close()
        if "patch" not in body:
            return None, body
        return jsonpatch.apply_patch(pod, json.loads(base64.b64decode(body["patch"]))), body

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=15)


def example_pod(service_account="keyvault-reader", **annotations):
    review = json.loads((REPO / "examples/admission-review.json").read_text())
    pod = copy.deepcopy(review["request"]["object"])
    pod["spec"]["serviceAccountName"] = service_account
    if annotations:
        pod["metadata"]["annotations"] = annotations
    return pod


def client_id(pod):
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][-1]["env"]}
    return env.get("AZURE_CLIENT_ID")


def eventually(check, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


@pytest.fixture
def cluster(pki, tmp_path, webhook_bin):
    server = APIServer(pki, tmp_path)
    webhook = Webhook(webhook_bin, pki, kubeconfig(tmp_path, pki, server.port))
    yield server, webhook
    webhook.stop()
    server.stop()


def test_admissions_come_from_the_cache_and_follow_serviceaccount_changes(cluster):
    server, webhook = cluster
    webhook.wait_ready()
    mutated, _ = webhook.admit(example_pod())
    assert client_id(mutated) == CLIENT_ID

    changed = "99999999-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
    server.control("POST", "serviceaccounts", account("keyvault-reader", changed))
    assert eventually(lambda: client_id(webhook.admit(example_pod())[0]) == changed)

    server.control("DELETE", "serviceaccounts/production/keyvault-reader")
    denied = eventually(lambda: webhook.admit(example_pod())[1].get("allowed") is False)
    assert denied
    assert 'serviceaccounts "keyvault-reader" not found' in webhook.admit(example_pod())[1]["status"]["message"]


def test_a_serviceaccount_created_just_before_its_pod_is_found(cluster):
    server, webhook = cluster
    webhook.wait_ready()
    fresh = "11111111-2222-4333-8444-555555555555"
    server.control("POST", "serviceaccounts", account("fresh", fresh))
    mutated, _ = webhook.admit(example_pod("fresh"))
    assert client_id(mutated) == fresh


def test_cluster_version_1_32_makes_the_proxy_a_native_sidecar(cluster):
    _, webhook = cluster
    webhook.wait_ready()
    mutated, _ = webhook.admit(example_pod(**{"azure.workload.identity/inject-proxy-sidecar": "true"}))
    proxy = next(c for c in mutated["spec"]["initContainers"] if c["name"] == "azwi-proxy")
    assert proxy["restartPolicy"] == "Always"
    assert all(c["name"] != "azwi-proxy" for c in mutated["spec"]["containers"])


def test_not_ready_while_the_api_server_is_unreachable(pki, tmp_path, webhook_bin):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    webhook = Webhook(webhook_bin, pki, kubeconfig(tmp_path, pki, closed_port))
    try:
        time.sleep(1.5)
        assert not webhook.ready()
        assert webhook.proc.poll() is None, "the webhook must keep trying, not exit"
    finally:
        webhook.stop()


# Identity bindings with a ClusterTrustBundle CA source: the webhook asks API discovery whether the
# cluster serves clustertrustbundles (group certificates.k8s.io) before it starts.
BINDING_ARGS = ("--custom-token-endpoint-annotation-suffix", "identity-binding",
                "--custom-token-endpoint-audience", "api://AKSIdentityBinding")
SIGNER = "contoso.com/token-proxy"
SELECTOR = {"matchLabels": {"app": "token-proxy"}}


def binding_env(**ca_source):
    return {"AZURE_KUBERNETES_TOKEN_PROXY": "https://aks-token-proxy.kube-system.svc:443",
            "AZURE_KUBERNETES_SNI_NAME": "token-proxy.aks.local", **ca_source}


def certificates_discovery(server):
    """The discovery paths of certificates.k8s.io the API server was asked for."""
    return [r["path"] for r in server.control("GET", "counters")["recent"] if r["path"].startswith("/apis/certificates.k8s.io")]


def refused_start(binary, pki, kubeconfig_path, env):
    """Runs serve to its exit (it must not get as far as serving); returns (exit code, stderr)."""
    proc = subprocess.Popen(serve_command(binary, pki, kubeconfig_path, BINDING_ARGS),
                            env={"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
        pytest.fail(f"serve kept running without the clustertrustbundles API: {stderr}")
    assert '"msg":"serving"' not in stderr.replace(" ", ""), stderr
    return proc.returncode, stderr


@pytest.mark.parametrize("cluster_apis", ["certificates-v1-only", "no-certificates-group"])
def test_a_trust_bundle_signer_without_the_clustertrustbundles_api_refuses_to_start(pki, tmp_path, webhook_bin, cluster_apis):
    """A cluster whose certificates.k8s.io serves only CertificateSigningRequests (the default
    before the ClusterTrustBundle feature is enabled), or that serves no such group at all (a 404),
    would reject every opted-in pod: serve exits non-zero, naming the missing API."""
    server = APIServer(pki, tmp_path)
    try:
        if cluster_apis == "no-certificates-group":
            server.control("POST", "apis", {"group": "certificates.k8s.io", "versions": {}})
        code, stderr = refused_start(webhook_bin, pki, kubeconfig(tmp_path, pki, server.port),
                                     binding_env(AZURE_KUBERNETES_CA_CTB_SIGNER_NAME=SIGNER))
        assert code != 0, stderr
        assert "clustertrustbundles" in stderr and "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME" in stderr, stderr
        asked = certificates_discovery(server)
        assert asked[:1] == ["/apis/certificates.k8s.io"], asked
        if cluster_apis == "certificates-v1-only":
            assert "/apis/certificates.k8s.io/v1" in asked, "every served version is looked at"
    finally:
        server.stop()


@pytest.mark.parametrize("version", ["v1beta1", "v1alpha1"])
def test_a_trust_bundle_signer_with_the_clustertrustbundles_api_starts_and_projects_the_bundle(pki, tmp_path, webhook_bin, version):
    """With clustertrustbundles served (v1beta1 from 1.33, v1alpha1 before), the webhook starts,
    becomes ready, and an opted-in pod gets the proxy env, the CA file and the bundle in its token volume."""
    server = APIServer(pki, tmp_path, extra_args=["--cluster-trust-bundles"] if version == "v1beta1" else [])
    if version == "v1alpha1":
        server.control("POST", "apis", {"group": "certificates.k8s.io", "versions": {
            "v1": ["certificatesigningrequests", "certificatesigningrequests/status"], "v1alpha1": ["clustertrustbundles"]}})
    webhook = None
    try:
        webhook = Webhook(webhook_bin, pki, kubeconfig(tmp_path, pki, server.port), BINDING_ARGS,
                          binding_env(AZURE_KUBERNETES_CA_CTB_SIGNER_NAME=SIGNER,
                                      AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR=json.dumps(SELECTOR)))
        webhook.wait_ready()
        assert f"/apis/certificates.k8s.io/{version}" in certificates_discovery(server)
        mutated, response = webhook.admit(example_pod(**{"azure.workload.identity/use-identity-binding": "true"}))
        assert response["allowed"] is True and mutated is not None, response
        container = mutated["spec"]["containers"][-1]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["AZURE_CLIENT_ID"] == CLIENT_ID
        assert env["AZURE_KUBERNETES_TOKEN_PROXY"] == "https://aks-token-proxy.kube-system.svc:443"
        assert env["AZURE_KUBERNETES_SNI_NAME"] == "token-proxy.aks.local"
        assert env["AZURE_KUBERNETES_CA_FILE"] == "/var/run/secrets/azure/tokens/ca-cert/ca.crt"
        assert "AZURE_KUBERNETES_CA_DATA" not in env
        [volume] = [v for v in mutated["spec"]["volumes"] if v["name"] == "azure-identity-token"]
        token, bundle = volume["projected"]["sources"]
        assert token["serviceAccountToken"]["audience"] == "api://AKSIdentityBinding"
        assert bundle == {"clusterTrustBundle": {"signerName": SIGNER, "labelSelector": SELECTOR,
                                                 "path": "ca-cert/ca.crt", "optional": False}}
    finally:
        if webhook:
            webhook.stop()
        server.stop()


@pytest.mark.parametrize("ca_source", [{}, {"AZURE_KUBERNETES_CA_CONFIGMAP_NAME": "token-proxy-ca"}],
                         ids=["no-ca-source", "configmap"])
def test_without_a_trust_bundle_signer_the_clustertrustbundles_api_does_not_matter(pki, tmp_path, webhook_bin, ca_source):
    """Identity bindings without a ClusterTrustBundle CA source start on a cluster that serves no
    clustertrustbundles, as does the webhook with the feature off."""
    server = APIServer(pki, tmp_path)
    webhooks = []
    try:
        webhooks.append(Webhook(webhook_bin, pki, kubeconfig(tmp_path, pki, server.port), BINDING_ARGS, binding_env(**ca_source)))
        webhooks.append(Webhook(webhook_bin, pki, kubeconfig(tmp_path, pki, server.port)))
        for webhook in webhooks:
            webhook.wait_ready()
        mutated, _ = webhooks[0].admit(example_pod(**{"azure.workload.identity/use-identity-binding": "true"}))
        env = {e["name"]: e.get("value") for e in mutated["spec"]["containers"][-1]["env"]}
        assert env["AZURE_KUBERNETES_TOKEN_PROXY"] == "https://aks-token-proxy.kube-system.svc:443"
        assert ("AZURE_KUBERNETES_CA_FILE" in env) == bool(ca_source)
    finally:
        for webhook in webhooks:
            webhook.stop()
        server.stop()
