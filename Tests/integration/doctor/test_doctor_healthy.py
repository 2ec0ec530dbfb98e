"""`azwi-webhook doctor` on a healthy installation and workload: everything passes, for every
kind of target, in text and JSON, and no token is ever printed."""
from doctor_scenario import CHECK_IDS, CLIENT_ID, ISSUER, NS, TENANT, pod_template


def test_a_healthy_deployment_passes_every_check(cluster):
    report = cluster.report("deployment/web", expect_exit=0)
    assert {c["id"]: c["status"] for c in report["checks"]} == {i: "pass" for i in CHECK_IDS}, report["checks"]
    assert all(c["fix"] is None for c in report["checks"])
    assert report["target"] == "deployment/web" and report["namespace"] == NS
    assert report["federatedCredential"] == {"issuer": ISSUER, "subject": f"system:serviceaccount:{NS}:keyvault-reader",
                                             "audience": "api://AzureADTokenExchange"}
    by_id = report["by_id"]
    assert CLIENT_ID in by_id["client-id"]["message"] and TENANT in by_id["tenant-id"]["message"]
    assert "failurePolicy Fail, timeoutSeconds 10" in by_id["webhook-configuration"]["message"]
    assert "2 ready endpoints" in by_id["webhook-endpoints"]["message"]
    assert "web-5d8f7-x2x9q" in by_id["injected"]["message"]
    assert f"token iss {ISSUER}" in by_id["token-issuer"]["message"]


def test_text_output_is_one_screen_with_the_federated_credential(cluster):
    code, out, err = cluster.doctor("deployment/web", "-n", NS)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"azwi-webhook doctor deployment/web -n {NS}"
    for check in CHECK_IDS:
        assert any(line.startswith("PASS  " + check + " ") for line in lines), check
    assert f'--issuer "{ISSUER}"' in out and f'--subject "system:serviceaccount:{NS}:keyvault-reader"' in out
    assert "az identity federated-credential create" in out
    assert 'resource "azurerm_federated_identity_credential"' in out and "takes effect after a short delay" in out
    assert lines[-1] == "0 failed, 0 warned, 10 passed, 0 skipped"
    assert len(lines) < 50


def test_the_namespace_defaults_to_the_kubeconfig_contexts(cluster):
    kubeconfig = cluster.write_kubeconfig("kubeconfig-production", cluster.port, namespace=NS)
    code, out, err = cluster.doctor("deployment/web", kubeconfig=kubeconfig)
    assert code == 0 and out.startswith(f"azwi-webhook doctor deployment/web -n {NS}\n"), (out, err)


def test_a_pod_target_passes_and_its_owner_is_found(cluster):
    report = cluster.report("pod/web-5d8f7-x2x9q", expect_exit=0)
    assert all(c["status"] == "pass" for c in report["checks"]), report["checks"]


def test_workloads_of_every_kind_find_their_pods_through_owner_references(cluster):
    template = pod_template()
    cluster.put("statefulsets", {"metadata": {"name": "db", "namespace": NS, "uid": "uid-sts"},
                                 "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}})
    cluster.put("pods", cluster.pod_of(template, CLIENT_ID, name="db-0", owner=("StatefulSet", "db", "uid-sts")))
    cluster.put("cronjobs", {"metadata": {"name": "nightly", "namespace": NS, "uid": "uid-cj"},
                             "spec": {"schedule": "0 1 * * *", "jobTemplate": {"spec": {"template": template}}}})
    cluster.put("jobs", {"metadata": {"name": "nightly-29000000", "namespace": NS, "uid": "uid-job", "ownerReferences": [
        {"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly", "uid": "uid-cj", "controller": True}]},
        "spec": {"template": template}})
    cluster.put("pods", cluster.pod_of(template, CLIENT_ID, name="nightly-29000000-abcde", owner=("Job", "nightly-29000000", "uid-job")))
    for target, pod in (("statefulset/db", "db-0"), ("cronjob/nightly", "nightly-29000000-abcde"),
                        ("job/nightly-29000000", "nightly-29000000-abcde"), ("replicaset/web-5d8f7", "web-5d8f7-x2x9q")):
        report = cluster.report(target, expect_exit=0)
        assert all(c["status"] == "pass" for c in report["checks"]), (target, report["checks"])
        assert pod in report["by_id"]["injected"]["message"], target


def test_a_serviceaccount_target_checks_the_identity_and_skips_the_pod_checks(cluster):
    report = cluster.report("serviceaccount/keyvault-reader", expect_exit=0)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["pod-label"] == statuses["injected"] == "skip"
    assert statuses["client-id"] == statuses["tenant-id"] == statuses["token-issuer"] == statuses["namespace-selector"] == "pass"


def test_a_workload_without_pods_skips_the_injection_check(cluster):
    cluster.put("deployments", {"metadata": {"name": "idle", "namespace": NS, "uid": "uid-idle"},
                                "spec": {"selector": {"matchLabels": {"app": "idle"}}, "template": pod_template()}})
    report = cluster.report("deployment/idle", expect_exit=0)
    assert report["by_id"]["injected"]["status"] == "skip" and "no current pods" in report["by_id"]["injected"]["message"]
