"""The API-server stand-in itself, checked with Python's own ssl/http.client.

Other tests trust fake_apiserver.py to behave like kube-apiserver; these pin down that it does:
pagination, watch streams and their events, 410 on expired resourceVersions, bearer tokens,
client certificates, fault injection and the counters.
"""
import base64
import http.client
import json
import pathlib
import socket
import ssl
import subprocess
import sys
import time

import pytest

SCRIPT = pathlib.Path(__file__).with_name("fake_apiserver.py")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    for name in ("ca", "client-ca"):
        openssl("req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "1", "-subj", f"/CN={name}", cwd=d)
    for name, signer, ext in (("server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
                              ("client", "client-ca", "extendedKeyUsage=clientAuth")):
        (d / f"{name}.ext").write_text(ext + "\n")
        openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{signer}.pem", "-CAkey", f"{signer}.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "1", "-extfile", f"{name}.ext", cwd=d)
    return d


class Stand:
    def __init__(self, pki, *args):
        self.pki = pki
        self.proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), "--port", "0", "--cert", str(pki / "server.pem"), "--key", str(pki / "server.key"), *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)

    def conn(self, client_cert=False, timeout=10):
        ctx = ssl.create_default_context(cafile=str(self.pki / "ca.pem"))
        if client_cert:
            ctx.load_cert_chain(str(self.pki / "client.pem"), str(self.pki / "client.key"))
        return http.client.HTTPSConnection("localhost", self.port, context=ctx, timeout=timeout)

    def request(self, method, path, body=None, token="t", client_cert=False, content_type=None):
        c = self.conn(client_cert)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content_type:
            headers["Content-Type"] = content_type
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, json.loads(data) if data else None

    def watch(self, query, token="t"):
        """Yields events until the stream ends; the response must be chunked."""
        c = self.conn(timeout=10)
        c.request("GET", "/api/v1/serviceaccounts?watch=1&" + query, headers={"Authorization": f"Bearer {token}"})
        r = c.getresponse()
        assert r.status == 200
        assert r.getheader("Transfer-Encoding") == "chunked"
        for line in r:
            if line.strip():
                yield json.loads(line)
        c.close()


@pytest.fixture
def stand(pki):
    s = Stand(pki, "--token", "t", "--generate", "1200", "--bookmark-interval", "0.3")
    yield s
    s.stop()


def test_list_paginates_at_one_resource_version(stand):
    status, first = stand.request("GET", "/api/v1/serviceaccounts?limit=500")
    assert status == 200 and first["kind"] == "ServiceAccountList"
    rv, names, page = first["metadata"]["resourceVersion"], [], first
    while True:
        assert page["metadata"]["resourceVersion"] == rv
        names += [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in page["items"]]
        assert all(i["metadata"]["resourceVersion"] for i in page["items"])
        token = page["metadata"].get("continue")
        if not token:
            break
        status, page = stand.request("GET", "/api/v1/serviceaccounts?limit=500&continue=" + token.replace("=", "%3D"))
        assert status == 200
    assert len(names) == 1200 == len(set(names))
    assert stand.request("GET", "/_control/counters")[1]["counters"]["list"] == 3


def test_watch_streams_events_bookmarks_and_ends_at_timeout(stand):
    rv = stand.request("GET", "/api/v1/serviceaccounts?limit=1")[1]["metadata"]["resourceVersion"]
    stand.request("POST", "/_control/serviceaccounts", {"metadata": {"name": "a", "namespace": "n"}})
    stand.request("POST", "/_control/serviceaccounts", {"metadata": {"name": "a", "namespace": "n", "annotations": {"k": "v"}}})
    stand.request("DELETE", "/_control/serviceaccounts/n/a")
    started = time.monotonic()
    events = list(stand.watch(f"resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=1"))
    assert time.monotonic() - started < 5
    assert [e["type"] for e in events[:3]] == ["ADDED", "MODIFIED", "DELETED"]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions) and versions[0] > int(rv)
    assert "BOOKMARK" in [e["type"] for e in events[3:]]


def test_namespaced_get_and_404(stand):
    status, obj = stand.request("GET", "/api/v1/namespaces/namespace-0/serviceaccounts/serviceaccount-0")
    assert status == 200 and obj["metadata"]["annotations"]["azure.workload.identity/client-id"]
    status, obj = stand.request("GET", "/api/v1/namespaces/namespace-0/serviceaccounts/absent")
    assert status == 404 and obj["kind"] == "Status" and obj["code"] == 404
    status, page = stand.request("GET", "/api/v1/namespaces/namespace-1/serviceaccounts")
    assert status == 200 and page["items"] and {i["metadata"]["namespace"] for i in page["items"]} == {"namespace-1"}


def test_expired_resource_version_gets_an_error_event_and_continue_gets_410(stand):
    status, first = stand.request("GET", "/api/v1/serviceaccounts?limit=500")
    stand.request("POST", "/_control/compact")
    events = list(stand.watch(f"resourceVersion={first['metadata']['resourceVersion']}&timeoutSeconds=5"))
    assert [e["type"] for e in events] == ["ERROR"]
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"
    status, body = stand.request("GET", "/api/v1/serviceaccounts?limit=500&continue=" + first["metadata"]["continue"].replace("=", "%3D"))
    assert status == 410 and body["reason"] == "Expired"


def test_tokens_faults_and_rotation(stand):
    assert stand.request("GET", "/version", token="wrong")[0] == 401
    assert stand.request("GET", "/version", token=None)[0] == 401
    assert stand.request("GET", "/version")[1]["minor"] == "32"
    stand.request("POST", "/_control/faults", {"status": 500, "count": 2})
    assert [stand.request("GET", "/version")[0] for _ in range(3)] == [500, 500, 200]
    stand.request("POST", "/_control/token", {"token": "new"})
    assert stand.request("GET", "/version")[0] == 401
    assert stand.request("GET", "/version", token="new")[0] == 200
    counters = stand.request("GET", "/_control/counters")[1]["counters"]
    assert counters["unauthorized"] == 3 and counters["faults"] == 2


def raw_watch_bytes(stand, control):
    """The raw bytes of a watch stream until the server closes it, after `control` is posted."""
    ctx = ssl.create_default_context(cafile=str(stand.pki / "ca.pem"))
    with socket.create_connection(("127.0.0.1", stand.port), timeout=10) as tcp, \
            ctx.wrap_socket(tcp, server_hostname="localhost") as tls:
        tls.sendall(b"GET /api/v1/serviceaccounts?watch=1&resourceVersion=0&timeoutSeconds=30 HTTP/1.1\r\n"
                    b"Host: localhost\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n")
        data = tls.recv(65536)
        while b"ADDED" not in data:
            data += tls.recv(65536)
        stand.request("POST", control)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                chunk = tls.recv(65536)
            except (ssl.SSLError, ConnectionError):
                break
            if not chunk:
                break
            data += chunk
        return data


def test_dropped_watch_is_cut_without_the_final_chunk(stand):
    data = raw_watch_bytes(stand, "/_control/drop-watches")
    assert b"Transfer-Encoding: chunked" in data
    assert not data.endswith(b"0\r\n\r\n")


def test_ended_watch_finishes_with_the_final_chunk(stand):
    assert raw_watch_bytes(stand, "/_control/end-watches").endswith(b"\r\n0\r\n\r\n")


def test_client_certificates_authenticate(pki):
    s = Stand(pki, "--client-ca", str(pki / "client-ca.pem"), "--generate", "3")
    try:
        assert s.request("GET", "/api/v1/serviceaccounts", token=None)[0] == 401
        status, page = s.request("GET", "/api/v1/serviceaccounts", token=None, client_cert=True)
        assert status == 200 and len(page["items"]) == 3
    finally:
        s.stop()


SECRET = "/api/v1/namespaces/ns/secrets/cert"
MWC = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hook"
JSON_PATCH = "application/json-patch+json"


def seed_cert_objects(stand):
    stand.request("POST", "/_control/objects/secrets", {"metadata": {"name": "cert", "namespace": "ns", "labels": {"a": "b"}}})
    stand.request("POST", "/_control/objects/mutatingwebhookconfigurations",
                  {"metadata": {"name": "hook"}, "webhooks": [{"name": "a", "clientConfig": {}}, {"name": "b", "clientConfig": {"caBundle": "eA=="}}]})


def test_secret_update_is_conditional_on_resource_version(stand):
    seed_cert_objects(stand)
    status, secret = stand.request("GET", SECRET)
    assert status == 200 and secret["metadata"]["labels"] == {"a": "b"}
    stale = dict(secret, data={"tls.crt": "eA=="})
    status, updated = stand.request("PUT", SECRET, stale)
    assert status == 200 and int(updated["metadata"]["resourceVersion"]) > int(secret["metadata"]["resourceVersion"])
    status, body = stand.request("PUT", SECRET, stale)
    assert status == 409 and body["kind"] == "Status" and body["reason"] == "Conflict" and body["code"] == 409
    counters = stand.request("GET", "/_control/counters")[1]["counters"]
    assert counters["update:secrets"] == 1 and counters["conflict:secrets"] == 1
    assert stand.request("GET", "/api/v1/namespaces/ns/secrets/absent")[0] == 404


def test_webhook_configuration_json_patch_with_a_test_op(stand):
    seed_cert_objects(stand)
    status, mwc = stand.request("GET", MWC)
    rv = mwc["metadata"]["resourceVersion"]
    patch = [{"op": "test", "path": "/metadata/resourceVersion", "value": rv},
             {"op": "add", "path": "/webhooks/0/clientConfig/caBundle", "value": "Y2E="},
             {"op": "add", "path": "/webhooks/1/clientConfig/caBundle", "value": "Y2E="}]
    status, patched = stand.request("PATCH", MWC, patch, content_type=JSON_PATCH)
    assert status == 200 and [w["clientConfig"]["caBundle"] for w in patched["webhooks"]] == ["Y2E=", "Y2E="]
    assert [w["name"] for w in patched["webhooks"]] == ["a", "b"]
    status, body = stand.request("PATCH", MWC, patch, content_type=JSON_PATCH)
    assert status == 422 and body["kind"] == "Status"
    assert stand.request("PATCH", MWC, patch)[0] == 415


def test_named_watch_starts_with_the_object_and_follows_changes(stand):
    seed_cert_objects(stand)
    c = stand.conn(timeout=10)
    c.request("GET", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?watch=1&fieldSelector=metadata.name%3Dhook&timeoutSeconds=2",
              headers={"Authorization": "Bearer t"})
    r = c.getresponse()
    assert r.status == 200
    first = json.loads(r.readline())
    assert first["type"] == "ADDED" and first["object"]["metadata"]["name"] == "hook"
    stand.request("POST", "/_control/reset-cabundle", {"name": "hook", "value": ""})
    second = json.loads(r.readline())
    assert second["type"] == "MODIFIED" and [w["clientConfig"]["caBundle"] for w in second["object"]["webhooks"]] == ["", ""]
    c.close()


def test_forbid_answers_403_like_rbac(stand):
    seed_cert_objects(stand)
    stand.request("POST", "/_control/forbid", {"resource": "mutatingwebhookconfigurations"})
    status, body = stand.request("GET", MWC)
    assert status == 403 and body["reason"] == "Forbidden" and "cannot get" in body["message"]
    assert stand.request("GET", SECRET)[0] == 200


def test_discovery_shows_cluster_trust_bundles_only_when_served(pki):
    """API discovery as kube-apiserver answers it: certificates.k8s.io/v1 serves CSRs only; with
    --cluster-trust-bundles (or the control) a version serving clustertrustbundles appears; an
    unknown group or version is a 404 NotFound Status; unauthenticated discovery is refused."""
    plain = Stand(pki, "--token", "t")
    try:
        status, group = plain.request("GET", "/apis/certificates.k8s.io")
        assert status == 200 and group["kind"] == "APIGroup" and group["name"] == "certificates.k8s.io"
        assert group["versions"] == [{"groupVersion": "certificates.k8s.io/v1", "version": "v1"}]
        assert group["preferredVersion"] == group["versions"][0]
        status, listing = plain.request("GET", "/apis/certificates.k8s.io/v1")
        assert status == 200 and listing["kind"] == "APIResourceList" and listing["groupVersion"] == "certificates.k8s.io/v1"
        names = [r["name"] for r in listing["resources"]]
        assert "certificatesigningrequests" in names and "clustertrustbundles" not in names
        csr = next(r for r in listing["resources"] if r["name"] == "certificatesigningrequests")
        assert csr["kind"] == "CertificateSigningRequest" and csr["namespaced"] is False and "list" in csr["verbs"]
        for path in ("/apis/certificates.k8s.io/v1beta1", "/apis/no.such.group", "/apis/no.such.group/v1"):
            status, body = plain.request("GET", path)
            assert (status, body["kind"], body["reason"], body["code"]) == (404, "Status", "NotFound", 404), path
        status, groups = plain.request("GET", "/apis")
        assert status == 200 and groups["kind"] == "APIGroupList"
        assert "certificates.k8s.io" in [g["name"] for g in groups["groups"]]
        assert plain.request("GET", "/apis/certificates.k8s.io", token="wrong")[0] == 401

        plain.request("POST", "/_control/apis", {"group": "certificates.k8s.io",
                                                  "versions": {"v1": ["certificatesigningrequests"], "v1alpha1": ["clustertrustbundles"]}})
        assert [v["version"] for v in plain.request("GET", "/apis/certificates.k8s.io")[1]["versions"]] == ["v1", "v1alpha1"]
        assert [r["name"] for r in plain.request("GET", "/apis/certificates.k8s.io/v1alpha1")[1]["resources"]] == ["clustertrustbundles"]
        plain.request("POST", "/_control/apis", {"group": "certificates.k8s.io", "versions": {}})
        assert plain.request("GET", "/apis/certificates.k8s.io")[0] == 404
        assert "certificates.k8s.io" not in [g["name"] for g in plain.request("GET", "/apis")[1]["groups"]]
    finally:
        plain.stop()

    served = Stand(pki, "--token", "t", "--cluster-trust-bundles")
    try:
        status, group = served.request("GET", "/apis/certificates.k8s.io")
        assert [v["groupVersion"] for v in group["versions"]] == ["certificates.k8s.io/v1", "certificates.k8s.io/v1beta1"]
        status, listing = served.request("GET", "/apis/certificates.k8s.io/v1beta1")
        assert status == 200
        [bundle] = listing["resources"]
        assert (bundle["name"], bundle["kind"], bundle["namespaced"]) == ("clustertrustbundles", "ClusterTrustBundle", False)
    finally:
        served.stop()


# --- what `azwi-webhook doctor` reads ----------------------------------------------------------

def b64url_json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_workload_objects_list_by_equality_label_selector_and_namespaces_get_their_name_label(stand):
    for name, app in (("a", "web"), ("b", "web"), ("c", "db")):
        stand.request("POST", "/_control/objects/pods", {"metadata": {"name": name, "namespace": "apps", "labels": {"app": app}}})
    stand.request("POST", "/_control/objects/pods", {"metadata": {"name": "d", "namespace": "other", "labels": {"app": "web"}}})
    status, pods = stand.request("GET", "/api/v1/namespaces/apps/pods?labelSelector=app%3Dweb")
    assert status == 200 and pods["kind"] == "PodList"
    assert [p["metadata"]["name"] for p in pods["items"]] == ["a", "b"]
    assert all(p["metadata"]["creationTimestamp"] and p["metadata"]["uid"] for p in pods["items"])
    # Pods are served by fake_pods.py, which parses set-based selectors as the API server does;
    # the other resources here take equality selectors only.
    status, pods = stand.request("GET", "/api/v1/namespaces/apps/pods?labelSelector=app+in+(web,db)")
    assert [p["metadata"]["name"] for p in pods["items"]] == ["a", "b", "c"]
    assert stand.request("GET", "/apis/apps/v1/namespaces/apps/deployments?labelSelector=app+in+(web)")[0] == 400
    stand.request("POST", "/_control/objects/deployments", {"metadata": {"name": "web", "namespace": "apps"}})
    status, deployment = stand.request("GET", "/apis/apps/v1/namespaces/apps/deployments/web")
    assert status == 200 and deployment["kind"] == "Deployment"
    assert stand.request("GET", "/apis/batch/v1/namespaces/apps/cronjobs/web")[0] == 404
    stand.request("POST", "/_control/objects/namespaces", {"metadata": {"name": "apps", "labels": {"team": "a"}}})
    status, namespace = stand.request("GET", "/api/v1/namespaces/apps")
    assert status == 200 and namespace["metadata"]["labels"] == {"team": "a", "kubernetes.io/metadata.name": "apps"}


def test_token_request_issues_an_rs256_jwt_signed_with_the_published_key(stand, tmp_path):
    path = "/api/v1/namespaces/namespace-0/serviceaccounts/serviceaccount-0/token"
    status, answer = stand.request("POST", path, {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                                  "spec": {"audiences": ["api://AzureADTokenExchange"], "expirationSeconds": 3600}})
    assert status == 201 and answer["kind"] == "TokenRequest"
    token = answer["status"]["token"]
    header, payload, signature = token.split(".")
    assert b64url_json(header)["alg"] == "RS256"
    claims = b64url_json(payload)
    assert claims["iss"] == "https://kubernetes.default.svc.cluster.local"
    assert claims["sub"] == "system:serviceaccount:namespace-0:serviceaccount-0"
    assert claims["aud"] == ["api://AzureADTokenExchange"]
    assert claims["exp"] - claims["iat"] == 3600 and abs(claims["iat"] - time.time()) < 60
    (tmp_path / "key.pem").write_text(stand.request("GET", "/_control/signing-key")[1]["pem"])
    (tmp_path / "signature").write_bytes(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    (tmp_path / "input").write_bytes(f"{header}.{payload}".encode())
    verified = subprocess.run(["openssl", "dgst", "-sha256", "-verify", "key.pem", "-signature", "signature", "input"],
                              cwd=tmp_path, capture_output=True, text=True)
    assert verified.returncode == 0 and "Verified OK" in verified.stdout
    assert stand.request("GET", "/_control/tokens")[1]["tokens"] == [token]
    assert stand.request("POST", "/api/v1/namespaces/namespace-0/serviceaccounts/nobody/token", {})[0] == 404


def test_discovery_publishes_the_issuer_and_the_token_issuer_can_be_set_apart(stand):
    status, discovery = stand.request("GET", "/.well-known/openid-configuration")
    assert status == 200 and discovery["issuer"] == "https://kubernetes.default.svc.cluster.local"
    status, jwks = stand.request("GET", "/openid/v1/jwks")
    assert status == 200 and jwks["keys"][0]["kty"] == "RSA" and jwks["keys"][0]["e"] == "AQAB"
    stand.request("POST", "/_control/issuer", {"token": "https://oidc.example/abc", "discovery": "https://oidc.example/abc/"})
    assert stand.request("GET", "/.well-known/openid-configuration")[1]["issuer"] == "https://oidc.example/abc/"
    _, answer = stand.request("POST", "/api/v1/namespaces/namespace-0/serviceaccounts/serviceaccount-0/token", {})
    assert b64url_json(answer["status"]["token"].split(".")[1])["iss"] == "https://oidc.example/abc"


def test_forbid_can_name_one_verb_a_subresource_or_a_url(stand):
    stand.request("POST", "/_control/objects/pods", {"metadata": {"name": "a", "namespace": "apps"}})
    stand.request("POST", "/_control/forbid", {"resource": "pods", "verb": "list"})
    assert stand.request("GET", "/api/v1/namespaces/apps/pods/a")[0] == 200
    status, body = stand.request("GET", "/api/v1/namespaces/apps/pods")
    assert status == 403 and "cannot list" in body["message"]
    stand.request("POST", "/_control/forbid", {"resource": "serviceaccounts/token"})
    assert stand.request("POST", "/api/v1/namespaces/namespace-0/serviceaccounts/serviceaccount-0/token", {})[0] == 403
    assert stand.request("GET", "/api/v1/namespaces/namespace-0/serviceaccounts/serviceaccount-0")[0] == 200
    stand.request("POST", "/_control/forbid", {"resource": "serviceaccounts", "verb": "get"})
    assert stand.request("GET", "/api/v1/namespaces/namespace-0/serviceaccounts/serviceaccount-0")[0] == 403
    stand.request("POST", "/_control/forbid", {"resource": "/.well-known/openid-configuration"})
    assert stand.request("GET", "/.well-known/openid-configuration")[0] == 403
