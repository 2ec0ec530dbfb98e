"""`serve --repair` against the API-server stand-in: labelled pods created while the webhook was
unavailable (failurePolicy Ignore) are reported, as a user sees it (Warning Events, the gauge, a
log line), and in evict mode evicted so their controller recreates them mutated; everything else
is left alone; one replica leads, and another takes over when it stops.

The stand-in (fake_pods.py) plays kube-apiserver and the controllers: it calls the webhook on pod
creation through the stored MutatingWebhookConfiguration, applies its failurePolicy, answers
evictions (429 while a PodDisruptionBudget forbids) and recreates the pods a controller owns.
"""
import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time

import pytest
from standin_control import control
from testpki import server_pki

from test_serve_with_apiserver import CLIENT_ID, HERE, TENANT, kubeconfig

NAMESPACE = "azure-workload-identity-system"
LEASE = "azure-wi-webhook-repair"
CONFIGURATION = "azure-wi-webhook-mutating-webhook-configuration"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return server_pki(tmp_path_factory.mktemp("pki"), "/CN=test-ca", "localhost",
                      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")


def eventually(check, seconds, message):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


class Cluster:
    """The stand-in with ServiceAccounts, the chart's webhook configuration (failurePolicy
    Ignore, its namespace selector) and a few namespaces."""

    def __init__(self, pki, tmp):
        accounts = tmp / "accounts.json"
        accounts.write_text(json.dumps([
            {"metadata": {"name": "keyvault-reader", "namespace": ns,
                          "annotations": {"azure.workload.identity/client-id": CLIENT_ID}}}
            for ns in ("production", "kube-system", "quiet")]))
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "fake_apiserver.py"), "--port", "0", "--cert", str(pki / "tls.crt"),
             "--key", str(pki / "tls.key"), "--token", "secret-token", "--serviceaccounts-file", str(accounts),
             "--bookmark-interval", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())
        self.pki = pki
        self.kubeconfig = kubeconfig(tmp, pki, self.port)
        for name, labels in (("production", {}), ("kube-system", {}), ("quiet", {"azure-wi": "off"})):
            self.control("POST", "objects/namespaces", {"metadata": {"name": name, "labels": labels}})
        self.configure(webhook_port=1)  # nothing listens there: the webhook is "down"

    def control(self, method, path, body=None):
        return control(self.port, self.pki / "ca.crt", method, path, body)

    def api(self, method, path, body=None):
        """A request as kubectl makes it (bearer token, JSON)."""
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(), timeout=10)
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Authorization": "Bearer secret-token", "Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, json.loads(data) if data else None

    def context(self):
        return ssl.create_default_context(cafile=str(self.pki / "ca.crt"))

    def configure(self, webhook_port, namespace_selector=None):
        """The chart's MutatingWebhookConfiguration with failurePolicy Ignore, calling 127.0.0.1:webhook_port."""
        selector = namespace_selector or {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [NAMESPACE, "kube-system"]}]}
        self.control("POST", "objects/mutatingwebhookconfigurations", {
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": CONFIGURATION},
            "webhooks": [{"name": "mutation.azure-workload-identity.io", "failurePolicy": "Ignore",
                          "admissionReviewVersions": ["v1"], "sideEffects": "None", "timeoutSeconds": 3,
                          "clientConfig": {"url": f"https://127.0.0.1:{webhook_port}/mutate-v1-pod",
                                           "caBundle": base64.b64encode((self.pki / "ca.crt").read_bytes()).decode()},
                          "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}],
                          "namespaceSelector": selector,
                          "objectSelector": {"matchLabels": {"azure.workload.identity/use": "true"}}}]})

    def deployment(self, name, replicas=1, namespace="production", **annotations):
        """A Deployment's pods, created through admission (unmutated while the webhook is down)."""
        template = {"metadata": {"labels": {"app": name, "azure.workload.identity/use": "true"}, "annotations": annotations},
                    "spec": {"serviceAccountName": "keyvault-reader", "containers": [{"name": "app", "image": "registry.example/app:1"}]}}
        return self.control("POST", "workloads", {"kind": "Deployment", "namespace": namespace, "name": name,
                                                  "replicas": replicas, "template": template})["pods"]

    def bare_pod(self, name, namespace="production", containers=("app",), mutated=(), volume=False, **annotations):
        """A pod stored as is (no admission, no controller)."""
        env = [{"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"}]
        pod = {"metadata": {"name": name, "namespace": namespace, "annotations": annotations,
                            "labels": {"azure.workload.identity/use": "true"}},
               "spec": {"serviceAccountName": "keyvault-reader",
                        "containers": [{"name": c, "image": "x", **({"env": env} if c in mutated else {})} for c in containers],
                        "volumes": [{"name": "azure-identity-token", "projected": {"sources": []}}] if volume else []}}
        return self.control("POST", "pods", pod)

    def pods(self, namespace="production"):
        return self.control("GET", f"pods?namespace={namespace}")["items"]

    def events(self, namespace, pod):
        """`kubectl get events -n NAMESPACE --field-selector involvedObject.name=POD`."""
        status, listed = self.api("GET", f"/api/v1/namespaces/{namespace}/events?fieldSelector=involvedObject.name%3D{pod}")
        assert status == 200
        return listed["items"]

    def evictions(self):
        return self.control("GET", "evictions")["items"]

    def holder(self):
        status, lease = self.api("GET", f"/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases/{LEASE}")
        return lease["spec"].get("holderIdentity") if status == 200 else None

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


class Webhook:
    """One `azwi-webhook serve` replica; its stderr is read all along (JSON log lines)."""

    def __init__(self, binary, cluster, name, *args):
        env = {"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT, "POD_NAME": name, "POD_NAMESPACE": NAMESPACE}
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--kubeconfig", str(cluster.kubeconfig), "--webhook-cert-dir", str(cluster.pki),
             "--disable-cert-rotation", "--port", "0", "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", *args],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self.drain, daemon=True)
        self.reader.start()
        serving = eventually(lambda: self.find("serving"), 20, "no serving line")
        self.port, self.metrics_port = serving["webhookPort"], serving["metricsPort"]

    def drain(self):
        for line in self.proc.stderr:
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"raw": line}
            with self.lock:
                self.lines.append(entry)

    def logs(self, msg=None):
        with self.lock:
            return [e for e in self.lines if msg is None or e.get("msg") == msg]

    def find(self, msg):
        assert self.proc.poll() is None, f"the webhook exited: {self.logs()}"
        found = self.logs(msg)
        return found[0] if found else None

    def metrics(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=5)
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
        connection.close()
        return text

    def sample(self, name):
        for line in self.metrics().splitlines():
            sample, _, value = line.rpartition(" ")
            if sample == name:
                return float(value)
        return None

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.reader.join(timeout=5)


@pytest.fixture
def cluster(pki, tmp_path):
    c = Cluster(pki, tmp_path)
    yield c
    c.stop()


@pytest.fixture
def replicas(webhook_bin, cluster):
    started = []

    def start(name="webhook-a", *args):
        webhook = Webhook(webhook_bin, cluster, name, *args)
        started.append(webhook)
        return webhook

    yield start
    for webhook in started:
        webhook.stop(signal.SIGKILL)


def has_token(pod):
    return any(e["name"] == "AZURE_FEDERATED_TOKEN_FILE" for c in pod["spec"]["containers"] for e in c.get("env") or [])


def leave_alone_cases(cluster):
    """Pods repair must never act on; returns their names."""
    cluster.bare_pod("mutated", containers=("app",), mutated=("app",), volume=True)
    cluster.bare_pod("skipped", containers=("app", "istio-proxy"), mutated=("app",), volume=True,
                     **{"azure.workload.identity/skip-containers": "istio-proxy"})
    cluster.bare_pod("finishing")
    cluster.control("POST", "pods/production/finishing/terminate")
    cluster.bare_pod("system", namespace="kube-system")
    return ["mutated", "skipped", "finishing"], ["system"]


def test_report_mode_reports_an_unmutated_deployment_pod_as_a_user_sees_it(cluster, replicas):
    web = cluster.deployment("web")[0]
    assert not has_token(web), "the webhook is down and failurePolicy Ignore let the pod in unmutated"
    cluster.bare_pod("bare")
    quiet, unselected = leave_alone_cases(cluster)

    webhook = replicas("webhook-a", "--repair=report")
    name = web["metadata"]["name"]
    events = eventually(lambda: cluster.events("production", name), 15, "no Event on the unmutated pod")
    event = events[0]
    assert event["type"] == "Warning" and event["reason"] == "NotMutated"
    assert event["involvedObject"]["uid"] == web["metadata"]["uid"]
    assert "container app lacks AZURE_FEDERATED_TOKEN_FILE and the pod lacks the azure-identity-token volume" in event["message"]
    assert f"kubectl delete pod -n production {name}" in event["message"]
    assert event["source"]["component"] == "azwi-webhook" and event["reportingInstance"] == "webhook-a"
    eventually(lambda: cluster.events("production", "bare"), 5, "a bare pod is reported too")
    assert "recreate it yourself" in cluster.events("production", "bare")[0]["message"]

    assert eventually(lambda: webhook.sample('azwi_unmutated_pods{namespace="production"}') == 2, 5, "gauge")
    assert webhook.sample("azwi_repair_leader") == 1
    logged = {e["pod"]: e for e in webhook.logs("pod not mutated")}
    assert set(logged) == {name, "bare"}
    assert logged[name]["owner"] == "ReplicaSet" and logged[name]["action"] == "report"

    time.sleep(1)
    for pod in quiet:
        assert cluster.events("production", pod) == [], pod
    for pod in unselected:
        assert cluster.events("kube-system", pod) == [], pod
    assert cluster.evictions() == []
    # Reported once, not at every pass.
    assert len(cluster.events("production", name)) == 1
    assert [p["metadata"]["uid"] for p in cluster.pods() if p["metadata"]["name"] == name] == [web["metadata"]["uid"]]


def test_evict_mode_has_the_controller_recreate_the_pod_mutated_and_leaves_the_rest(cluster, replicas):
    web = cluster.deployment("web")[0]
    cluster.bare_pod("bare")
    quiet, _ = leave_alone_cases(cluster)

    webhook = replicas("webhook-a", "--repair=evict", "--repair-resync", "2s")
    cluster.configure(webhook.port)  # the webhook is back: the API server calls it again
    replaced = eventually(lambda: [p for p in cluster.pods() if p["metadata"]["name"].startswith("web-") and has_token(p)],
                          30, "the ReplicaSet's replacement was never mutated")
    assert replaced[0]["metadata"]["uid"] != web["metadata"]["uid"]
    assert eventually(lambda: webhook.sample('azwi_unmutated_pods{namespace="production"}') == 1, 10, "only the bare pod stays unmutated")
    evicted = {e["name"] for e in cluster.evictions() if e["code"] == 201}
    assert web["metadata"]["name"] in evicted
    assert evicted.isdisjoint({"bare", *quiet}), "never a bare pod, nor one left alone"
    assert cluster.events("production", "bare"), "a bare pod is reported instead"
    assert "evicts it so its ReplicaSet recreates it" in cluster.events("production", web["metadata"]["name"])[0]["message"]
    assert webhook.sample('azwi_repair_evictions_total{result="evicted"}') >= 1


def test_a_disruption_budget_429_is_retried_never_forced(cluster, replicas):
    web = cluster.deployment("web")[0]
    cluster.control("POST", "poddisruptionbudgets", {"namespace": "production", "name": "web", "matchLabels": {"app": "web"}, "minAvailable": 1})
    webhook = replicas("webhook-a", "--repair=evict")
    cluster.configure(webhook.port)
    eventually(lambda: len([e for e in cluster.evictions() if e["code"] == 429]) >= 2, 20, "the 429 was not retried")
    assert all(e["code"] == 429 for e in cluster.evictions()), "nothing else while the budget forbids"
    assert web["metadata"]["uid"] in {p["metadata"]["uid"] for p in cluster.pods()}
    assert webhook.sample('azwi_repair_evictions_total{result="blocked"}') >= 2
    assert webhook.logs("eviction refused by a PodDisruptionBudget; retrying later")

    cluster.control("DELETE", "poddisruptionbudgets/production/web")
    eventually(lambda: any(e["code"] == 201 for e in cluster.evictions()), 20, "not evicted once the budget allowed it")
    eventually(lambda: any(has_token(p) for p in cluster.pods()), 10, "the replacement is mutated")


def test_the_eviction_rate_limit_holds(cluster, replicas):
    cluster.deployment("web", replicas=6)
    replicas("webhook-a", "--repair=evict", "--repair-evictions-per-minute", "2", "--repair-resync", "1s")
    eventually(lambda: len(cluster.evictions()) >= 2, 15, "no evictions")
    time.sleep(6)
    attempts = cluster.evictions()
    assert len(attempts) == 2, attempts
    assert attempts[1]["time"] - attempts[0]["time"] < 60


def test_two_replicas_elect_one_leader_and_the_other_takes_over(cluster, replicas):
    web = cluster.deployment("web")[0]
    a = replicas("webhook-a", "--repair=report")
    b = replicas("webhook-b", "--repair=report")
    holder = eventually(cluster.holder, 10, "nobody took the Lease")
    leader, follower = (a, b) if holder == "webhook-a" else (b, a)
    eventually(lambda: cluster.events("production", web["metadata"]["name"]), 15, "the leader did not report")
    time.sleep(2.5)
    assert leader.sample("azwi_repair_leader") == 1 and follower.sample("azwi_repair_leader") == 0
    assert follower.sample('azwi_unmutated_pods{namespace="production"}') is None
    assert len(cluster.events("production", web["metadata"]["name"])) == 1, "only the leader reports"

    # A graceful stop releases the Lease: the other replica takes over at its next attempt.
    stopped = time.monotonic()
    leader.stop()
    eventually(lambda: cluster.holder() == ("webhook-b" if leader is a else "webhook-a"), 8, "no takeover after a release")
    eventually(lambda: follower.sample("azwi_repair_leader") == 1, 5, "the new leader does not know it leads")
    assert time.monotonic() - stopped < 8
    assert eventually(lambda: follower.sample('azwi_unmutated_pods{namespace="production"}') == 1, 10, "the new leader judges the pods")

    # A leader that dies without releasing keeps the Lease until it expires (15 s), never less.
    successor = replicas("webhook-c", "--repair=report")
    killed = time.monotonic()
    follower.stop(signal.SIGKILL)
    eventually(lambda: cluster.holder() == "webhook-c", 25, "no takeover after the Lease expired")
    took = time.monotonic() - killed
    assert 10 < took < 22, took
    eventually(lambda: successor.sample("azwi_repair_leader") == 1, 5, "the successor does not know it leads")


def test_a_watch_drop_or_410_resumes_without_missing_a_pod(cluster, replicas):
    cluster.bare_pod("mutated", mutated=("app",), volume=True)
    webhook = replicas("webhook-a", "--repair=report")
    eventually(lambda: webhook.find("listed pods"), 15, "the pods were never listed")

    cluster.control("POST", "drop-watches")
    cluster.bare_pod("during-drop")
    eventually(lambda: cluster.events("production", "during-drop"), 15, "a pod created while the watch was down was missed")

    cluster.control("POST", "drop-watches")
    cluster.control("POST", "compact")
    cluster.bare_pod("after-compaction")
    eventually(lambda: cluster.events("production", "after-compaction"), 20, "a pod created across a 410 was missed")
    assert webhook.sample('azwi_kube_pod_watch_restarts_total{reason="expired"}') >= 1
    assert webhook.sample("azwi_kube_pod_lists_total") >= 2
    assert cluster.events("production", "mutated") == []


def test_metrics_stay_clean_for_promtool_with_repair(cluster, replicas):
    cluster.deployment("web")
    webhook = replicas("webhook-a", "--repair=evict", "--repair-evictions-per-minute", "1")
    eventually(lambda: webhook.sample('azwi_unmutated_pods{namespace="production"}') is not None, 15, "no gauge")
    text = webhook.metrics()
    assert "# HELP azwi_unmutated_pods " in text and "# HELP azwi_repair_evictions_total " in text
    assert "# HELP azwi_kube_pod_lists_total " in text
    assert shutil.which("promtool"), "promtool is missing: apt-get install prometheus (Debian), as .ci/run does"
    result = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result


def test_a_namespace_selector_on_labels_reads_namespaces_and_follows_configuration_changes(cluster, replicas):
    cluster.configure(1, namespace_selector={"matchExpressions": [{"key": "azure-wi", "operator": "NotIn", "values": ["off"]}]})
    cluster.bare_pod("in-production")
    cluster.bare_pod("in-quiet", namespace="quiet")
    webhook = replicas("webhook-a", "--repair=report", "--repair-resync", "1s")
    eventually(lambda: cluster.events("production", "in-production"), 15, "the selected namespace's pod was not reported")
    time.sleep(1.5)
    assert cluster.events("quiet", "in-quiet") == [], "the namespace labelled azure-wi=off is not selected"
    assert cluster.control("GET", "counters")["counters"].get("get:namespaces", 0) >= 1

    # The configuration's objectSelector changes: the pods are listed again and judged with it.
    lists = webhook.sample("azwi_kube_pod_lists_total")
    status, configuration = cluster.api("GET", f"/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{CONFIGURATION}")
    configuration["webhooks"][0]["namespaceSelector"] = {}
    configuration["webhooks"][0]["objectSelector"] = {"matchLabels": {"azure.workload.identity/use": "true", "team": "quiet"}}
    cluster.control("POST", "objects/mutatingwebhookconfigurations", configuration)
    eventually(lambda: webhook.sample("azwi_kube_pod_lists_total") > lists, 10, "no new LIST after the objectSelector changed")
    eventually(lambda: webhook.sample('azwi_unmutated_pods{namespace="production"}') == 0, 10, "the production pod no longer counts")
    assert webhook.logs("repair: the webhook configuration's objectSelector changed; listing the pods again")
