"""`azwi-webhook doctor` asks for exactly the permissions in doctor_rbac.py, which the chart's
doctor ClusterRoles grant (deploy/test_chart_doctor.py); with just those, only ca-bundle is skipped."""
from doctor_scenario import CLIENT_ID, NS, pod_template
from doctor_rbac import NOT_GRANTED, TEAM, WEBHOOK


def permission(method, path):
    """(verb, resource.group or URL) of one request, as RBAC sees it."""
    parts = path.strip("/").split("/")
    if parts[0] not in ("api", "apis"):
        return ("get", path)
    group = "" if parts[0] == "api" else parts[1]
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    if rest[0] == "namespaces" and len(rest) >= 3:
        rest = rest[2:]
    resource = rest[0] + ("/" + rest[2] if len(rest) == 3 else "")
    verb = "create" if method == "POST" else ("get" if len(rest) >= 2 else "list")
    return verb, resource + ("." + group if group else "")


def test_a_run_on_every_kind_of_target_uses_exactly_the_listed_permissions(cluster):
    template = pod_template()
    cluster.put("daemonsets", {"metadata": {"name": "agent", "namespace": NS, "uid": "uid-ds"},
                               "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}})
    cluster.put("statefulsets", {"metadata": {"name": "db", "namespace": NS, "uid": "uid-sts"},
                                 "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}})
    cluster.put("cronjobs", {"metadata": {"name": "nightly", "namespace": NS, "uid": "uid-cj"},
                             "spec": {"schedule": "0 1 * * *", "jobTemplate": {"spec": {"template": template}}}})
    cluster.put("jobs", {"metadata": {"name": "nightly-1", "namespace": NS, "uid": "uid-job", "ownerReferences": [
        {"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly", "uid": "uid-cj", "controller": True}]},
        "spec": {"template": template}})
    cluster.put("pods", cluster.pod_of(template, CLIENT_ID, name="nightly-1-x", owner=("Job", "nightly-1", "uid-job")))
    used = set()
    for target in ("deployment/web", "pod/web-5d8f7-x2x9q", "pod/nightly-1-x", "daemonset/agent", "statefulset/db",
                   "replicaset/web-5d8f7", "job/nightly-1", "cronjob/nightly", "serviceaccount/keyvault-reader"):
        cluster.control("POST", "reset-counters")
        code, out, err = cluster.doctor(target, "-n", NS)
        assert code == 0, (target, out, err)
        used |= {permission(r["method"], r["path"]) for r in cluster.control("GET", "counters")["recent"]}
    assert used == TEAM | WEBHOOK | NOT_GRANTED


def test_with_only_the_chart_roles_permissions_only_ca_bundle_is_skipped(cluster):
    for verb, resource in NOT_GRANTED:
        cluster.forbid(resource, verb)
    report = cluster.report(expect_exit=0)
    assert [c["id"] for c in report["checks"] if c["status"] != "pass"] == ["ca-bundle"]
