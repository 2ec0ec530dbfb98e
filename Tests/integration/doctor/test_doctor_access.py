"""What `azwi-webhook doctor` does when it may not read everything (skips naming the
permission) and when it cannot run at all (exit status 2)."""
import socket

from doctor_scenario import NS


def test_an_rbac_limited_user_gets_skips_that_name_the_permission_not_errors(cluster):
    for resource, verb in (("mutatingwebhookconfigurations", None), ("namespaces", None), ("secrets", None),
                           ("configmaps", None), ("replicasets", "list"), ("serviceaccounts/token", None)):
        cluster.forbid(resource, verb)
    report = cluster.report(expect_exit=0)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses == {"webhook-configuration": "skip", "webhook-endpoints": "skip", "ca-bundle": "skip",
                        "pod-label": "pass", "namespace-selector": "skip", "service-account": "pass",
                        "client-id": "pass", "tenant-id": "skip", "injected": "skip", "token-issuer": "skip"}, report["checks"]
    by_id = report["by_id"]
    assert by_id["webhook-configuration"]["message"] == \
        "forbidden: needs RBAC get on mutatingwebhookconfigurations.admissionregistration.k8s.io"
    assert by_id["webhook-configuration"]["fix"].startswith(
        "kubectl auth can-i get mutatingwebhookconfigurations.admissionregistration.k8s.io   # ")
    assert by_id["tenant-id"]["message"] == \
        "forbidden: needs RBAC get on configmaps in namespace azure-workload-identity-system"
    assert by_id["injected"]["message"] == "forbidden: needs RBAC list on replicasets.apps in namespace production"
    assert by_id["token-issuer"]["message"] == "forbidden: needs RBAC create on serviceaccounts/token in namespace production"
    assert report["federatedCredential"]["issuer"] is None


def test_a_forbidden_target_skips_what_needs_it(cluster):
    cluster.forbid("deployments")
    report = cluster.report(expect_exit=0)
    assert report["by_id"]["pod-label"]["message"] == "forbidden: needs RBAC get on deployments.apps in namespace production"
    assert report["by_id"]["service-account"]["status"] == "skip" and report["federatedCredential"] is None


def test_a_forbidden_secret_is_a_skip_explaining_the_doctor_roles_leave_it_out(cluster):
    cluster.forbid("secrets")
    check = cluster.report(expect_exit=0)["by_id"]["ca-bundle"]
    assert check["status"] == "skip" and "holds private keys" in check["message"]


def test_a_forbidden_discovery_document_skips_only_the_comparison(cluster):
    cluster.forbid("/.well-known/openid-configuration")
    check = cluster.report(expect_exit=0)["by_id"]["token-issuer"]
    assert check["status"] == "skip" and "token iss https://" in check["message"]
    assert "needs RBAC get on /.well-known/openid-configuration" in check["message"]


def test_exit_status_two_when_doctor_cannot_run(cluster, tmp_path):
    code, out, err = cluster.doctor("deployment", "-n", NS)
    assert code == 2 and out == "" and "is not KIND/NAME" in err
    code, out, err = cluster.doctor("service/web", "-n", NS)
    assert code == 2 and "is not one doctor checks" in err
    code, out, err = cluster.doctor("deployment/absent", "-n", NS)
    assert code == 2 and "deployment/absent not found in namespace production" in err
    code, out, err = cluster.doctor("deployment/web", "-n", NS, "-o", "yaml")
    assert code == 2 and "use text or json" in err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    code, out, err = cluster.doctor("deployment/web", "-n", NS, kubeconfig=cluster.write_kubeconfig("closed", closed))
    assert code == 2 and "cannot read deployment/web" in err
    code, out, err = cluster.doctor("deployment/web", kubeconfig=tmp_path / "missing")
    assert code == 2 and "cannot use the API server" in err

