"""The Azure SDK end to end: a pod admitted by the real `serve` binary over TLS, then the real
`azure-identity` credentials run with exactly that container's environment get a token.

The parties, none of them the webhook's code:
- the webhook admits `examples/admission-review.json`, its patch applied with `jsonpatch`;
- this test plays kubelet: it lays out the projected token volume the patch asks for (a read-only
  mount at the patch's mountPath, with kubelet's `..data` symlink layout and atomic rotation),
  visible only inside a private mount namespace (`unshare --mount`, so it needs root), so the real
  path /var/run/secrets/azure/tokens/azure-identity-token exists for the client alone;
- `azure_sdk_client.py` is the application: `WorkloadIdentityCredential()` and
  `DefaultAzureCredential()` with no arguments, reading the container's environment;
- `entra_stand_in.py` is Entra ID's token endpoint (HTTPS with a test CA), at the authority host
  the webhook was told (`--authority-host`), checking what Entra ID checks.
The child's environment is the container's env from the patched pod, plus PATH (a container
image's) and REQUESTS_CA_BUNDLE/SSL_CERT_FILE naming the stand-in's CA (which stands in for the
public roots that sign login.microsoftonline.com).

Identity bindings (the last tests): the webhook runs with the custom token endpoint flags, the pod
opts in, and `WorkloadIdentityCredential(enable_azure_proxy=True)` sends its token request to
`token_proxy_stand_in.py` (the AKS token proxy: TLS for the configured SNI name, certificate signed
by the proxy CA, which the pod gets from the ConfigMap projected into its token volume or from
AZURE_KUBERNETES_CA_DATA). There the child's environment is the container's env plus PATH only:
the proxy CA reaches the SDK through the pod alone.
"""
import base64
import copy
import datetime
import http.client
import json
import os
import pathlib
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import jsonpatch
import pytest
import yaml
from entra_stand_in import EntraStandIn, jwt_claims, unsigned_jwt
from testpki import server_pki
from token_proxy_stand_in import TokenProxyStandIn

HERE = pathlib.Path(__file__).parent
VAULT_SCOPE = "https://vault.azure.net/.default"
ISSUER = "https://oidc.azwi-test.example/11111111-2222-3333-4444-555555555555/"
# The audience Entra ID's federated identity credentials expect in the public cloud.
FIC_AUDIENCE = "api://AzureADTokenExchange"


def mount_namespace_problem():
    """Why this test cannot build its private mount namespace here, or None if it can."""
    if os.geteuid() != 0:
        return "needs root: unshare --mount and a bind mount at the injected token path"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux) for a private mount namespace"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, text=True, timeout=20)
    if probe.returncode != 0:
        return f"unshare --mount is not permitted here: {probe.stderr.strip()}"
    return None


@pytest.fixture
def entra(tmp_path, repo_root, base_env):
    """The token endpoint, registered with the example ServiceAccount's app and the webhook's tenant."""
    pki = tmp_path / "entra-pki"
    pki.mkdir()
    server_pki(pki, "/CN=entra-stand-in-ca", "login.stand-in", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth")
    account = yaml.safe_load((repo_root / "examples" / "serviceaccount.yaml").read_text())
    stand_in = EntraStandIn(
        pki, tenant_id=base_env["AZURE_TENANT_ID"],
        client_id=account["metadata"]["annotations"]["azure.workload.identity/client-id"],
        issuer=ISSUER, subject=f"system:serviceaccount:{account['metadata']['namespace']}:{account['metadata']['name']}",
        audience=FIC_AUDIENCE)
    yield stand_in
    stand_in.stop()


def admitted_pod(webhook, review_bytes):
    """The example pod as the API server stores it: the webhook's patch applied with jsonpatch."""
    connection = webhook.https()
    try:
        connection.request("POST", "/mutate-v1-pod", body=review_bytes, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert answer["response"]["allowed"] is True
    review = json.loads(review_bytes)
    patch = json.loads(base64.b64decode(answer["response"]["patch"]))
    return review["request"]["namespace"], jsonpatch.JsonPatch(patch).apply(copy.deepcopy(review["request"]["object"]))


class KubeletTokenVolume:
    """A projected serviceAccountToken volume as kubelet writes it on the node:
    `..<timestamp>/<path>`, `..data -> ..<timestamp>`, `<path> -> ..data/<path>`, rotated by writing a
    new timestamped directory and renaming a new `..data` symlink over the old one."""

    def __init__(self, directory: pathlib.Path, path: str):
        self.directory = directory
        self.path = path
        directory.mkdir(mode=0o755)
        self.current = None
        self.sequence = 0

    def write(self, token: str, other_files=None):
        """Writes the token at `path` and `other_files` ({relative path: content}, e.g. a CA
        projected from a ConfigMap at `ca-cert/ca.crt`); each top-level name links into `..data`."""
        files = {self.path: token, **(other_files or {})}
        self.sequence += 1
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("..%Y_%m_%d_%H_%M_%S.") + f"{self.sequence:09d}"
        version = self.directory / stamp
        version.mkdir(mode=0o755)
        for path, content in files.items():
            (version / path).parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            (version / path).write_text(content)
            (version / path).chmod(0o644)
        staged = self.directory / "..data_tmp"
        staged.symlink_to(stamp)
        os.replace(staged, self.directory / "..data")  # the atomic swap
        for top in dict.fromkeys(path.split("/")[0] for path in files):
            link = self.directory / top
            if not link.is_symlink():
                link.symlink_to(f"..data/{top}")
        if self.current:
            shutil.rmtree(self.directory / self.current)
        self.current = stamp


def service_account_token(namespace, pod, audience, jti):
    now = int(time.time())
    account = pod["spec"]["serviceAccountName"]
    return unsigned_jwt({
        "aud": [audience], "exp": now + 3600, "iat": now, "nbf": now, "iss": ISSUER, "jti": jti,
        "sub": f"system:serviceaccount:{namespace}:{account}",
        "kubernetes.io": {"namespace": namespace, "pod": {"name": pod["metadata"]["name"], "uid": "0f8c1d3e"},
                          "serviceaccount": {"name": account, "uid": "4b2a9c7d"}},
    })


class PodProcess:
    """azure_sdk_client.py in its own mount namespace, where `volume` is mounted read-only at `mount_path`."""

    SCRIPT = """set -eu
target=$1 source=$2 base=$3; shift 3
if [ -n "$base" ]; then mount -t tmpfs -o mode=0755,size=1m azwi-test-tmpfs "$base"; fi
mkdir -p "$target"
mount --bind "$source" "$target"
mount -o remount,bind,ro "$target"
exec "$@"
"""

    def __init__(self, volume: pathlib.Path, mount_path: str, env: dict):
        # The mount path does not exist on this machine: a tmpfs over its deepest existing
        # ancestor (inside the namespace only) holds the directories the bind mount needs.
        base = ""
        if not os.path.isdir(mount_path):
            base = mount_path
            while not os.path.isdir(base):
                base = os.path.dirname(base)
        self.process = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", self.SCRIPT, "pod",
             mount_path, str(volume), base, sys.executable, str(HERE / "azure_sdk_client.py")],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.answers = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.answers.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.stderr.append), daemon=True).start()

    @staticmethod
    def _read(stream, sink):
        for line in stream:
            sink(line)

    def ask(self, command, timeout=60):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        try:
            return json.loads(self.answers.get(timeout=timeout))
        except queue.Empty:
            raise AssertionError(f"no answer to {command!r} within {timeout}s; stderr: {''.join(self.stderr)}")

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def test_workload_identity_credential_gets_a_token_with_the_admitted_pods_env(start_webhook, entra, review_bytes, tmp_path):
    """The pod's env and token volume, as the webhook's patch makes them, are all an unmodified
    Azure SDK needs: `WorkloadIdentityCredential().get_token(vault)` succeeds against the authority
    host the webhook injected, with the token at the injected path as its client assertion; after
    kubelet rotates the token on disk, the next fresh credential sends the new one, and
    `DefaultAzureCredential()` picks workload identity from the same env."""
    problem = mount_namespace_problem()
    if problem:
        pytest.skip(problem)
    webhook = start_webhook("--authority-host", entra.url + "/")
    namespace, pod = admitted_pod(webhook, review_bytes)

    container = pod["spec"]["containers"][0]
    assert all("value" in entry and "valueFrom" not in entry for entry in container["env"]), container["env"]
    container_env = {entry["name"]: entry["value"] for entry in container["env"]}
    assert container_env["AZURE_AUTHORITY_HOST"].rstrip("/") == entra.url
    # Kubelet's part: the volume the container mounts, with the token the patch asks for.
    volumes = {volume["name"]: volume for volume in pod["spec"]["volumes"]}
    mounts = [mount for mount in container["volumeMounts"] if "projected" in volumes.get(mount["name"], {})]
    assert len(mounts) == 1, container["volumeMounts"]
    mount = mounts[0]
    assert mount.get("readOnly") is True
    [source] = volumes[mount["name"]]["projected"]["sources"]
    request = source["serviceAccountToken"]
    volume = KubeletTokenVolume(tmp_path / "kubelet-volume", request["path"])
    first = service_account_token(namespace, pod, request["audience"], "first")
    volume.write(first)
    entra.expected_assertion = first

    env = dict(container_env, PATH=os.environ["PATH"],
               REQUESTS_CA_BUNDLE=str(entra.ca_file), SSL_CERT_FILE=str(entra.ca_file))
    token_path = container_env["AZURE_FEDERATED_TOKEN_FILE"]
    existed_before = os.path.lexists(token_path)
    client = PodProcess(volume.directory, mount["mountPath"], env)
    try:
        seen = client.ask("probe")
        assert seen["writable"] is False, seen  # read-only, as kubelet mounts it
        assert seen["realpath"] == f"{os.path.realpath(mount['mountPath'])}/{volume.current}/{request['path']}", seen

        answer = client.ask(f"workload {VAULT_SCOPE}")
        assert answer["ok"], (answer, entra.requests)
        assert answer["token"] == "stand-in-access-token-1"
        [(method, path, form, verdict)] = entra.requests
        assert (method, path, verdict) == ("POST", f"/{entra.tenant_id}/oauth2/v2.0/token", "issued")
        assert form["scope"] == [VAULT_SCOPE] and form["client_assertion"] == [first]
        assert jwt_claims(first)["aud"] == [FIC_AUDIENCE], "the audience the patch asks kubelet for"

        rotated = service_account_token(namespace, pod, request["audience"], "rotated")
        volume.write(rotated)
        entra.expected_assertion = rotated
        assert client.ask("probe")["realpath"].endswith(f"/{volume.current}/{request['path']}")
        answer = client.ask(f"workload {VAULT_SCOPE}")
        assert answer["ok"], (answer, entra.requests[-1])
        assert entra.token_requests()[-1][2]["client_assertion"] == [rotated]

        answer = client.ask(f"default {VAULT_SCOPE}")
        assert answer["ok"], (answer, entra.requests[-1])
        assert entra.token_requests()[-1][2]["client_assertion"] == [rotated]
        assert [entry[3] for entry in entra.requests] == ["issued"] * 3, "no other request (no discovery)"
    finally:
        client.close()
    assert client.process.returncode == 0, "".join(client.stderr)
    assert os.path.lexists(token_path) == existed_before, "the token path existed only inside the namespace"


def test_the_stand_in_refuses_what_entra_id_refuses(start_webhook, entra, review_bytes, tmp_path):
    """The stand-in is strict enough for the test above to mean something: a token from another
    ServiceAccount (no federated credential for its subject) and a token other than the one on disk
    are refused, and the SDK reports Entra ID's error."""
    problem = mount_namespace_problem()
    if problem:
        pytest.skip(problem)
    webhook = start_webhook("--authority-host", entra.url + "/")
    namespace, pod = admitted_pod(webhook, review_bytes)
    container = pod["spec"]["containers"][0]
    container_env = {entry["name"]: entry["value"] for entry in container["env"]}
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == os.path.dirname(container_env["AZURE_FEDERATED_TOKEN_FILE"]))
    volume = KubeletTokenVolume(tmp_path / "kubelet-volume", os.path.basename(container_env["AZURE_FEDERATED_TOKEN_FILE"]))
    stranger = copy.deepcopy(pod)
    stranger["spec"]["serviceAccountName"] = "someone-else"
    volume.write(service_account_token(namespace, stranger, FIC_AUDIENCE, "stranger"))
    entra.expected_assertion = (volume.directory / "..data" / volume.path).read_text()
    env = dict(container_env, PATH=os.environ["PATH"], REQUESTS_CA_BUNDLE=str(entra.ca_file), SSL_CERT_FILE=str(entra.ca_file))
    client = PodProcess(volume.directory, mount["mountPath"], env)
    try:
        answer = client.ask(f"workload {VAULT_SCOPE}")
        assert not answer["ok"] and "AADSTS700213" in answer["error"], answer
        assert "system:serviceaccount:production:someone-else" in answer["error"]
        entra.expected_assertion = service_account_token(namespace, pod, FIC_AUDIENCE, "not-on-disk")
        answer = client.ask(f"workload {VAULT_SCOPE}")
        assert not answer["ok"] and "not the service account token on disk" in answer["error"], answer
    finally:
        client.close()


# --- Identity bindings: the token proxy instead of Entra ID ----------------------------------------
BINDING_SUFFIX = "identity-binding"
BINDING_AUDIENCE = "api://AKSIdentityBinding"
PROXY_SNI_NAME = "token-proxy.azwi-test.internal"
PROXY_CA_CONFIGMAP = "azwi-token-proxy-ca"


@pytest.fixture
def token_proxy(tmp_path, repo_root, base_env):
    """The token proxy for the example ServiceAccount's app and the webhook's tenant; its certificate
    names the SNI name only (not 127.0.0.1), so only a client that verifies for that name connects."""
    pki = tmp_path / "token-proxy-pki"
    pki.mkdir()
    server_pki(pki, "/CN=token-proxy-ca", PROXY_SNI_NAME,
               f"subjectAltName=DNS:{PROXY_SNI_NAME}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n"
               "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash")
    account = yaml.safe_load((repo_root / "examples" / "serviceaccount.yaml").read_text())
    proxy = TokenProxyStandIn(
        pki, PROXY_SNI_NAME, tenant_id=base_env["AZURE_TENANT_ID"],
        client_id=account["metadata"]["annotations"]["azure.workload.identity/client-id"],
        issuer=ISSUER, subject=f"system:serviceaccount:{account['metadata']['namespace']}:{account['metadata']['name']}",
        audience=BINDING_AUDIENCE)
    yield proxy
    proxy.stop()


def opted_in(review_bytes):
    """The example review with its pod annotated `azure.workload.identity/use-<suffix>: "true"`."""
    review = json.loads(review_bytes)
    review["request"]["object"]["metadata"].setdefault("annotations", {})[f"azure.workload.identity/use-{BINDING_SUFFIX}"] = "true"
    return json.dumps(review).encode()


def kubelet_projection(sources, token, config_maps):
    """{path: content} of a projected volume as kubelet fills it: the token for a
    serviceAccountToken source, each item of a configMap source from `config_maps` (what the API
    server holds: {name: {key: value}})."""
    files = {}
    for source in sources:
        if "serviceAccountToken" in source:
            files[source["serviceAccountToken"]["path"]] = token
        elif "configMap" in source:
            data = config_maps[source["configMap"]["name"]]
            for item in source["configMap"]["items"]:
                files[item["path"]] = data[item["key"]]
        else:
            raise AssertionError(f"this kubelet stand-in projects no {sorted(source)} source")
    return files


@pytest.mark.parametrize("ca_source", ["configmap", "ca-data"])
def test_workload_identity_credential_with_the_azure_proxy_gets_a_token_from_the_token_proxy(
        start_webhook, token_proxy, review_bytes, base_env, tmp_path, ca_source):
    """An opted-in pod, admitted by `serve` with the custom token endpoint flags, has all that
    `WorkloadIdentityCredential(enable_azure_proxy=True)` needs: it sends the token request to the
    proxy URL with the configured SNI name, trusts the proxy CA (projected from the ConfigMap at
    $AZURE_KUBERNETES_CA_FILE, or $AZURE_KUBERNETES_CA_DATA, never both: the SDK refuses both),
    and presents the token kubelet wrote for the proxy's audience; `get_token` succeeds."""
    problem = mount_namespace_problem()
    if problem:
        pytest.skip(problem)
    proxy_ca = token_proxy.ca_file.read_text()
    env = dict(base_env, AZURE_KUBERNETES_TOKEN_PROXY=token_proxy.url, AZURE_KUBERNETES_SNI_NAME=PROXY_SNI_NAME)
    if ca_source == "configmap":
        env["AZURE_KUBERNETES_CA_CONFIGMAP_NAME"] = PROXY_CA_CONFIGMAP
    else:
        env["AZURE_KUBERNETES_CA_DATA"] = proxy_ca
    webhook = start_webhook("--custom-token-endpoint-annotation-suffix", BINDING_SUFFIX,
                            "--custom-token-endpoint-audience", BINDING_AUDIENCE, env=env)
    namespace, pod = admitted_pod(webhook, opted_in(review_bytes))

    container = pod["spec"]["containers"][0]
    assert all("value" in entry and "valueFrom" not in entry for entry in container["env"]), container["env"]
    container_env = {entry["name"]: entry["value"] for entry in container["env"]}
    volumes = {volume["name"]: volume for volume in pod["spec"]["volumes"]}
    [mount] = [mount for mount in container["volumeMounts"] if "projected" in volumes.get(mount["name"], {})]
    assert mount.get("readOnly") is True
    sources = volumes[mount["name"]]["projected"]["sources"]
    request = sources[0]["serviceAccountToken"]
    assert request["audience"] == BINDING_AUDIENCE, "one token, for the proxy"
    assert container_env["AZURE_FEDERATED_TOKEN_FILE"] == f"{mount['mountPath']}/{request['path']}"
    assert container_env["AZURE_KUBERNETES_TOKEN_PROXY"] == token_proxy.url
    assert container_env["AZURE_KUBERNETES_SNI_NAME"] == PROXY_SNI_NAME
    if ca_source == "configmap":
        assert sources[1:] == [{"configMap": {"name": PROXY_CA_CONFIGMAP, "items": [{"key": "ca.crt", "path": "ca-cert/ca.crt"}],
                                              "optional": False}}]
        assert container_env["AZURE_KUBERNETES_CA_FILE"] == f"{mount['mountPath']}/ca-cert/ca.crt"
        assert "AZURE_KUBERNETES_CA_DATA" not in container_env
    else:
        assert len(sources) == 1, sources
        assert container_env["AZURE_KUBERNETES_CA_DATA"] == proxy_ca
        assert "AZURE_KUBERNETES_CA_FILE" not in container_env

    # Kubelet's part: the token for the requested audience and the ConfigMap's ca.crt, as projected.
    token = service_account_token(namespace, pod, request["audience"], "bound")
    files = kubelet_projection(sources, token, {PROXY_CA_CONFIGMAP: {"ca.crt": proxy_ca}})
    volume = KubeletTokenVolume(tmp_path / "kubelet-volume", request["path"])
    volume.write(files.pop(request["path"]), files)
    token_proxy.expected_assertion = token

    client = PodProcess(volume.directory, mount["mountPath"], dict(container_env, PATH=os.environ["PATH"]))
    try:
        if ca_source == "configmap":
            seen = client.ask("probe AZURE_KUBERNETES_CA_FILE")
            assert seen["writable"] is False, seen
            assert seen["realpath"] == f"{os.path.realpath(mount['mountPath'])}/{volume.current}/ca-cert/ca.crt", seen
        answer = client.ask(f"proxy {VAULT_SCOPE}")
        assert answer["ok"], (answer, token_proxy.requests, token_proxy.handshakes())
        assert answer["token"] == "stand-in-access-token-1"
        [(method, path, form, verdict)] = token_proxy.requests
        assert (method, path, verdict) == ("POST", f"/{token_proxy.tenant_id}/oauth2/v2.0/token", "issued")
        assert form["scope"] == [VAULT_SCOPE] and form["client_assertion"] == [token]
        assert jwt_claims(token)["aud"] == [BINDING_AUDIENCE]
        assert token_proxy.handshakes() and set(token_proxy.handshakes()) == {PROXY_SNI_NAME}, token_proxy.handshakes()
    finally:
        client.close()
    assert client.process.returncode == 0, "".join(client.stderr)


def proxy_post(proxy, server_name, form):
    """A token request over TLS to the proxy with `server_name` as SNI (None: no SNI); (status, JSON)."""
    context = ssl.create_default_context(cafile=str(proxy.ca_file))
    context.check_hostname = server_name is not None
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            body = urllib.parse.urlencode(form)
            tls.sendall((f"POST /{proxy.tenant_id}/oauth2/v2.0/token HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\n"
                         f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                         f"Connection: close\r\n\r\n{body}").encode())
            response = http.client.HTTPResponse(tls)
            response.begin()
            return response.status, json.loads(response.read())


def test_the_token_proxy_stand_in_refuses_what_the_proxy_refuses(token_proxy, review_bytes):
    """The stand-in is strict enough for the test above to mean something: a TLS client sending
    another server name, or none, is refused in the handshake; over the right one, a token for
    Entra ID's audience (not the proxy's) and a token other than the one on disk are refused."""
    review = json.loads(review_bytes)
    namespace, pod = review["request"]["namespace"], review["request"]["object"]
    on_disk = service_account_token(namespace, pod, BINDING_AUDIENCE, "on-disk")
    token_proxy.expected_assertion = on_disk
    form = {"client_id": token_proxy.client_id, "grant_type": "client_credentials", "scope": VAULT_SCOPE,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    for server_name in ("other.azwi-test.internal", None):
        with pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME"):
            proxy_post(token_proxy, server_name, dict(form, client_assertion=on_disk))
    assert token_proxy.handshakes() == ["other.azwi-test.internal", None]
    assert token_proxy.requests == [], "nothing is served without the right server name"

    status, answer = proxy_post(token_proxy, PROXY_SNI_NAME, dict(form, client_assertion=on_disk))
    assert status == 200 and answer["access_token"], answer
    entra_audience = service_account_token(namespace, pod, FIC_AUDIENCE, "entra-audience")
    token_proxy.expected_assertion = entra_audience
    status, answer = proxy_post(token_proxy, PROXY_SNI_NAME, dict(form, client_assertion=entra_audience))
    assert status == 401 and "AADSTS700213" in answer["error_description"] and FIC_AUDIENCE in answer["error_description"], answer
    token_proxy.expected_assertion = on_disk
    status, answer = proxy_post(token_proxy, PROXY_SNI_NAME, dict(form, client_assertion=entra_audience))
    assert status == 401 and "not the service account token on disk" in answer["error_description"], answer
