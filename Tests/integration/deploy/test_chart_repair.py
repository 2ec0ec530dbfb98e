"""The chart's pod repair: repair.mode and repair.evictionsPerMinute as arguments, POD_NAME from the
downward API, RBAC only while repair is on and exactly what the webhook does with it (checked
against every request a replica makes to the API-server stand-in), and the failurePolicy pairing
documented."""
import pathlib
import sys
import urllib.parse

import pytest
import yaml

from chart_render import HERE, NAMESPACE, OPTIONS, container

sys.path.insert(0, str(HERE.parent / "kube"))
from test_repair import Cluster, Webhook, eventually  # noqa: E402 (the stand-in and a replica, shared with the kube tests)

REPAIR = ("azure-wi-webhook-repair", "azure-wi-webhook-repair")


def rules(objs, kind):
    return objs[(kind, "azure-wi-webhook-repair")]["rules"]


def test_report_by_default_with_pod_name_and_no_extra_arguments(objects):
    objs = objects()
    c = container(objs)
    assert not [a for a in c["args"] if a.startswith("--repair")], "report is the binary's default with a cluster"
    assert {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}} in c["env"]
    assert rules(objs, "ClusterRole") == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "watch"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]},
    ]
    assert rules(objs, "Role") == [
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "resourceNames": ["azure-wi-webhook-repair"], "verbs": ["get", "update"]},
    ]
    assert objs[("Role", "azure-wi-webhook-repair")]["metadata"]["namespace"] == NAMESPACE
    for kind, role in (("ClusterRoleBinding", "ClusterRole"), ("RoleBinding", "Role")):
        binding = objs[(kind, "azure-wi-webhook-repair")]
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": role, "name": "azure-wi-webhook-repair"}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "azure-wi-webhook-admin", "namespace": NAMESPACE}]


def test_off_removes_the_rbac_and_pod_name(objects):
    objs = objects(*OPTIONS["repair-off"][0])
    c = container(objs)
    assert "--repair=off" in c["args"]
    assert [e["name"] for e in c["env"]] == ["POD_NAMESPACE"]
    assert not [key for key in objs if key[1] == "azure-wi-webhook-repair"]


def test_evict_adds_its_rate_evictions_and_namespace_reads_for_a_selector_of_ones_own(objects):
    objs = objects(*OPTIONS["repair-evict"][0])
    assert container(objs)["args"][-2:] == ["--repair=evict", "--repair-evictions-per-minute=3"]
    assert {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]} in rules(objs, "ClusterRole")
    assert {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]} in rules(objs, "ClusterRole")
    plain = objects("repair.mode=evict")
    assert {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]} not in rules(plain, "ClusterRole")
    assert container(plain)["args"][-1] == "--repair-evictions-per-minute=10"


def test_an_unknown_mode_fails_the_render(render):
    result = render("repair.mode=sometimes")
    assert result.returncode == 1
    assert 'repair.mode "sometimes" is not valid: use off, report or evict' in result.stderr


def test_values_and_readme_document_the_failure_policy_pairing(chart_dir):
    values = (chart_dir / "values.yaml").read_text()
    assert yaml.safe_load(values)["repair"] == {"mode": "report", "evictionsPerMinute": 10}
    policy = values[:values.index("mutatingWebhookFailurePolicy:")].rsplit("\n\n", 1)[-1]
    assert "repair.mode evict, Ignore is the recommended pairing" in policy
    assert "runs" in policy and "without its identity" in policy and "until the webhook is back" in policy
    readme = (chart_dir / "README.md").read_text()
    assert "`mutatingWebhookFailurePolicy: Ignore` is the recommended pairing" in readme
    assert "runs without its identity" in readme


def allowed(objs, group, resource, verb, namespace, name):
    """Whether the chart's roles (the manager's and repair's) let the webhook do this."""
    for (kind, _), obj in objs.items():
        if kind not in ("ClusterRole", "Role"):
            continue
        if kind == "Role" and namespace != obj["metadata"]["namespace"]:
            continue
        for rule in obj["rules"]:
            if group in rule["apiGroups"] and resource in rule["resources"] and verb in rule["verbs"] \
                    and ("resourceNames" not in rule or name in rule["resourceNames"]):
                return True
    return False


def request_attributes(request):
    """(group, resource, verb, namespace, name) of an API request the stand-in recorded; None for
    non-resource URLs (/version, discovery), which every account may read."""
    parts = [urllib.parse.unquote(p) for p in request["path"].split("/") if p]
    if parts[:1] == ["api"]:
        group, rest = "", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) > 3:
        group, rest = parts[1], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    resource, name = rest[0], rest[1] if len(rest) > 1 else None
    if len(rest) > 2:
        resource += "/" + rest[2]
    if resource == "namespaces" and namespace is not None:  # GET /api/v1/namespaces/NAME
        resource, name, namespace = "namespaces", namespace, None
    query = request["query"]
    selected = query.get("fieldSelector", "")
    if selected.startswith("metadata.name="):
        name = selected[len("metadata.name="):]
    method = request["method"]
    if method == "GET":
        verb = "get" if name and "fieldSelector" not in query else ("watch" if query.get("watch") in ("1", "true") else "list")
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]
    return group, resource, verb, namespace, name


def test_the_rbac_covers_every_request_repair_makes(objects, pki, tmp_path, webhook_bin):
    objs = objects(*OPTIONS["repair-evict"][0])
    cluster = Cluster(pki, tmp_path)
    try:
        cluster.control("POST", "objects/namespaces", {"metadata": {"name": "production", "labels": {"azure-workload-identity": "enabled"}}})
        cluster.configure(1, namespace_selector={"matchLabels": {"azure-workload-identity": "enabled"}})
        cluster.deployment("web")
        cluster.bare_pod("bare")
        cluster.control("POST", "reset-counters")
        webhook = Webhook(webhook_bin, cluster, "webhook-a", *container(objs)["args"][-2:])
        try:
            eventually(lambda: any(e["code"] == 201 for e in cluster.evictions()), 20, "no eviction")
            eventually(lambda: cluster.events("production", "bare"), 10, "no Event")
        finally:
            webhook.stop()
        recent = cluster.control("GET", "counters")["recent"]
    finally:
        cluster.stop()
    ours = [r for r in recent if (r.get("user-agent") or "").startswith("azwi-webhook/")]  # not the test's own reads
    seen = {attributes for attributes in map(request_attributes, ours) if attributes}
    kinds = {(group, resource, verb) for group, resource, verb, _, _ in seen}
    assert {("", "pods", "list"), ("", "pods", "watch"), ("", "events", "create"), ("", "pods/eviction", "create"),
            ("", "namespaces", "get"), ("coordination.k8s.io", "leases", "update")} <= kinds, kinds
    refused = [attributes for attributes in seen if not allowed(objs, *attributes)]
    assert refused == [], refused


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    from testpki import server_pki
    return server_pki(tmp_path_factory.mktemp("pki"), "/CN=test-ca", "localhost",
                      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")
