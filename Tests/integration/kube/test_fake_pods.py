"""The stand-in's pods, evictions, Events, Leases and admission (fake_pods.py), checked with
Python's own ssl/http.client, so the repair tests can trust it to behave like kube-apiserver."""
import base64
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from test_fake_apiserver import Stand, pki  # noqa: F401 (the fixture)

SELECTOR = "labelSelector=azure.workload.identity%2Fuse%3Dtrue"


@pytest.fixture
def stand(pki):  # noqa: F811
    s = Stand(pki, "--token", "t", "--bookmark-interval", "0.3")
    yield s
    s.stop()


def pod(name, namespace="team", labels=None, **spec):
    return {"metadata": {"name": name, "namespace": namespace,
                         "labels": {"azure.workload.identity/use": "true"} if labels is None else labels},
            "spec": {"containers": [{"name": "app", "image": "x"}], **spec}}


def watch(stand, query, path="/api/v1/pods"):
    c = stand.conn(timeout=10)
    c.request("GET", f"{path}?watch=1&{query}", headers={"Authorization": "Bearer t"})
    r = c.getresponse()
    assert r.status == 200 and r.getheader("Transfer-Encoding") == "chunked"
    for line in r:
        if line.strip():
            yield json.loads(line)
    c.close()


def test_pods_list_by_selector_with_pages_and_namespaces(stand):
    for i in range(5):
        stand.request("POST", "/_control/pods", pod(f"p{i}", namespace="a" if i % 2 else "b"))
    stand.request("POST", "/_control/pods", pod("plain", labels={"app": "x"}))
    status, page = stand.request("GET", f"/api/v1/pods?limit=2&{SELECTOR}")
    names = [p["metadata"]["name"] for p in page["items"]]
    while page["metadata"].get("continue"):
        status, page = stand.request("GET", f"/api/v1/pods?limit=2&{SELECTOR}&continue=" + page["metadata"]["continue"].replace("=", "%3D"))
        names += [p["metadata"]["name"] for p in page["items"]]
    assert status == 200 and sorted(names) == ["p0", "p1", "p2", "p3", "p4"]
    status, page = stand.request("GET", "/api/v1/namespaces/a/pods")
    assert sorted(p["metadata"]["name"] for p in page["items"]) == ["p1", "p3"]
    status, page = stand.request("GET", "/api/v1/pods?labelSelector=app%20in%20(x,y),!azure.workload.identity%2Fuse")
    assert [p["metadata"]["name"] for p in page["items"]] == ["plain"]
    assert all(p["metadata"]["uid"].count("-") == 4 for p in page["items"])
    assert stand.request("GET", "/api/v1/pods?labelSelector=a%20in%20b")[0] == 400


def test_a_filtered_watch_sees_objects_enter_and_leave_its_selection_and_410s_after_compaction(stand):
    rv = stand.request("GET", f"/api/v1/pods?{SELECTOR}")[1]["metadata"]["resourceVersion"]
    stand.request("POST", "/_control/pods", pod("p", labels={}))
    stand.request("POST", "/_control/pods", pod("p"))
    stand.request("POST", "/_control/pods/team/p/terminate")
    stand.request("POST", "/_control/pods", pod("p", labels={"azure.workload.identity/use": "false"}))
    events = list(watch(stand, f"resourceVersion={rv}&timeoutSeconds=1&{SELECTOR}"))
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert events[1]["object"]["metadata"]["deletionTimestamp"]
    assert events[2]["object"]["metadata"]["labels"] == {"azure.workload.identity/use": "true"}
    assert int(events[2]["object"]["metadata"]["resourceVersion"]) > int(events[1]["object"]["metadata"]["resourceVersion"])
    stand.request("POST", "/_control/compact")
    events = list(watch(stand, f"resourceVersion={rv}&timeoutSeconds=5&{SELECTOR}"))
    assert [(e["type"], e["object"]["code"]) for e in events] == [("ERROR", 410)]


def test_a_dropped_pod_watch_ends_without_the_final_chunk_and_an_ended_one_with_it(stand):
    stand.request("POST", "/_control/pods", pod("p"))
    for control, final in (("drop-watches", False), ("end-watches", True)):
        ctx = ssl.create_default_context(cafile=str(stand.pki / "ca.pem"))
        with socket.create_connection(("127.0.0.1", stand.port), timeout=10) as tcp, ctx.wrap_socket(tcp, server_hostname="localhost") as tls:
            tls.sendall(b"GET /api/v1/pods?watch=1&resourceVersion=0&timeoutSeconds=30 HTTP/1.1\r\n"
                        b"Host: localhost\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n")
            data = tls.recv(65536)
            while b"ADDED" not in data:
                data += tls.recv(65536)
            stand.request("POST", "/_control/" + control)
            while True:
                try:
                    chunk = tls.recv(65536)
                except (ssl.SSLError, ConnectionError):
                    break
                if not chunk:
                    break
                data += chunk
        assert data.endswith(b"\r\n0\r\n\r\n") == final


def test_evictions_respect_budgets_and_the_uid_precondition(stand):
    for name in ("a", "b"):
        stand.request("POST", "/_control/pods", pod(name, labels={"app": "web"}))
    uid = stand.request("GET", "/api/v1/namespaces/team/pods/a")[1]["metadata"]["uid"]
    stand.request("POST", "/_control/poddisruptionbudgets", {"namespace": "team", "name": "web", "matchLabels": {"app": "web"}, "minAvailable": 2})
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "a", "namespace": "team"},
                "deleteOptions": {"preconditions": {"uid": uid}}}
    status, body = stand.request("POST", "/api/v1/namespaces/team/pods/a/eviction", eviction)
    assert status == 429 and body["reason"] == "TooManyRequests" and body["details"]["causes"][0]["reason"] == "DisruptionBudget"
    stand.request("POST", "/_control/poddisruptionbudgets", {"namespace": "team", "name": "web", "matchLabels": {"app": "web"}, "minAvailable": 1})
    wrong = json.loads(json.dumps(eviction))
    wrong["deleteOptions"]["preconditions"]["uid"] = "00000000-0000-0000-0000-000000000000"
    assert stand.request("POST", "/api/v1/namespaces/team/pods/a/eviction", wrong)[0] == 409
    status, body = stand.request("POST", "/api/v1/namespaces/team/pods/a/eviction", eviction)
    assert status == 201 and body["status"] == "Success"
    assert stand.request("GET", "/api/v1/namespaces/team/pods/a")[0] == 404
    assert stand.request("POST", "/api/v1/namespaces/team/pods/a/eviction", eviction)[0] == 404
    assert [e["code"] for e in stand.request("GET", "/_control/evictions")[1]["items"]] == [429, 409, 201, 404]


def test_a_controller_recreates_its_evicted_pod(stand):
    result = stand.request("POST", "/_control/workloads", {"kind": "Deployment", "namespace": "team", "name": "web", "replicas": 1,
                                                           "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app"}]}}})[1]
    first = result["pods"][0]
    assert first["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    assert first["metadata"]["name"].startswith(result["owner"]["name"] + "-")
    status, _ = stand.request("POST", f"/api/v1/namespaces/team/pods/{first['metadata']['name']}/eviction",
                              {"metadata": {"name": first["metadata"]["name"]}})
    assert status == 201
    deadline = time.monotonic() + 5
    while True:
        items = stand.request("GET", "/_control/pods?namespace=team")[1]["items"]
        if items:
            break
        assert time.monotonic() < deadline, "the ReplicaSet did not recreate its pod"
        time.sleep(0.05)
    assert items[0]["metadata"]["uid"] != first["metadata"]["uid"]
    assert items[0]["metadata"]["labels"] == {"app": "web"}


def test_events_are_validated_and_listed_by_field(stand):
    event = {"metadata": {"name": "web.1", "namespace": "team"}, "type": "Warning", "reason": "NotMutated", "message": "m",
             "involvedObject": {"kind": "Pod", "namespace": "team", "name": "web", "uid": "u"}}
    assert stand.request("POST", "/api/v1/namespaces/team/events", event)[0] == 201
    assert stand.request("POST", "/api/v1/namespaces/team/events", event)[0] == 409
    other = dict(event, metadata={"name": "x.1"}, involvedObject=dict(event["involvedObject"], namespace="elsewhere"))
    assert stand.request("POST", "/api/v1/namespaces/team/events", other)[0] == 422
    assert stand.request("POST", "/api/v1/namespaces/team/events", dict(event, metadata={"name": "y.1"}, type="Bad"))[0] == 422
    status, listed = stand.request("GET", "/api/v1/namespaces/team/events?fieldSelector=involvedObject.name%3Dweb,reason%3DNotMutated")
    assert status == 200 and [e["metadata"]["name"] for e in listed["items"]] == ["web.1"]
    assert stand.request("GET", "/api/v1/events?fieldSelector=involvedObject.name%3Dother")[1]["items"] == []


def test_leases_are_created_once_and_updated_only_at_their_resource_version(stand):
    path = "/apis/coordination.k8s.io/v1/namespaces/system/leases"
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
             "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15}}
    assert stand.request("GET", path + "/l")[0] == 404
    assert stand.request("PUT", path + "/l", lease)[0] == 404
    status, created = stand.request("POST", path, lease)
    assert status == 201
    assert stand.request("POST", path, lease)[0] == 409
    rv = created["metadata"]["resourceVersion"]
    update = dict(lease, metadata={"name": "l", "resourceVersion": rv}, spec={"holderIdentity": "b", "leaseDurationSeconds": 15})
    status, updated = stand.request("PUT", path + "/l", update)
    assert status == 200 and updated["spec"]["holderIdentity"] == "b" and updated["metadata"]["resourceVersion"] != rv
    assert stand.request("PUT", path + "/l", update)[0] == 409
    assert stand.request("PUT", path + "/l", dict(update, spec={"leaseDurationSeconds": 0}))[0] == 422


class Mutator(BaseHTTPRequestHandler):
    """A webhook that adds a label, or refuses, or is not there."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        patch = [{"op": "add", "path": "/metadata/labels/mutated", "value": "yes"}]
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "response": {"uid": review["request"]["uid"], "allowed": True, "patchType": "JSONPatch",
                                        "patch": base64.b64encode(json.dumps(patch).encode()).decode()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_pod_creation_calls_the_selected_webhook_and_applies_its_failure_policy(stand, pki):  # noqa: F811
    server = ThreadingHTTPServer(("127.0.0.1", 0), Mutator)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(pki / "server.pem"), str(pki / "server.key"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ca = base64.b64encode((pki / "ca.pem").read_bytes()).decode()

    def configuration(port, policy):
        return {"metadata": {"name": "azure-wi-webhook-mutating-webhook-configuration"},
                "webhooks": [{"name": "mutation.azure-workload-identity.io", "failurePolicy": policy,
                              "clientConfig": {"url": f"https://127.0.0.1:{port}/mutate-v1-pod", "caBundle": ca},
                              "rules": [{"operations": ["CREATE"], "resources": ["pods"], "apiGroups": [""], "apiVersions": ["v1"]}],
                              "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}]},
                              "objectSelector": {"matchLabels": {"azure.workload.identity/use": "true"}}, "timeoutSeconds": 2}]}
    try:
        stand.request("POST", "/_control/objects/mutatingwebhookconfigurations", configuration(server.server_address[1], "Fail"))
        status, created = stand.request("POST", "/api/v1/namespaces/team/pods", pod("a"))
        assert status == 201 and created["metadata"]["labels"]["mutated"] == "yes"
        status, created = stand.request("POST", "/api/v1/namespaces/kube-system/pods", pod("b", namespace="kube-system"))
        assert status == 201 and "mutated" not in created["metadata"]["labels"]
        status, created = stand.request("POST", "/api/v1/namespaces/team/pods", pod("c", labels={}))
        assert status == 201 and "mutated" not in created["metadata"]["labels"]
    finally:
        server.shutdown()
        server.server_close()
    status, body = stand.request("POST", "/api/v1/namespaces/team/pods", pod("d"))
    assert status == 500 and 'failed calling webhook "mutation.azure-workload-identity.io"' in body["message"]
    stand.request("POST", "/_control/objects/mutatingwebhookconfigurations", configuration(server.server_address[1], "Ignore"))
    status, created = stand.request("POST", "/api/v1/namespaces/team/pods", pod("d"))
    assert status == 201 and "mutated" not in created["metadata"]["labels"]
