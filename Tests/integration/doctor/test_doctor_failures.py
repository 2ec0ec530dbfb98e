"""One scenario per failure `azwi-webhook doctor` exists to explain: each breaks the healthy
cluster in one way and checks the check id, its status, and that the fix names the command
that repairs it."""
import pytest

from doctor_scenario import CLIENT_ID, CLIENT_ID_KEY, ISSUER, NS, SYSTEM, USE, mutated, pod_template


def only_failure(report, check):
    """The one failing check must be `check` (others may be skipped for lack of what it found)."""
    failed = [c["id"] for c in report["checks"] if c["status"] == "fail"]
    assert check in failed, report["checks"]
    return report["by_id"][check]


def test_label_only_on_the_deployment(cluster):
    template = pod_template(labels={"app": "web"})
    cluster.install_workload(template=template, deployment_labels={USE: "true"}, pod=cluster.pod_of(template))
    report = cluster.report(expect_exit=1)
    check = only_failure(report, "pod-label")
    assert "on the Deployment's own metadata, not on its pod template" in check["message"]
    assert check["fix"].startswith("kubectl -n production patch deployment web --type merge -p ")
    assert '{"spec":{"template":{"metadata":{"labels":{"azure.workload.identity/use":"true"}}}}}' in check["fix"]
    # The pods are not selected either, and the one there was never mutated.
    assert report["by_id"]["namespace-selector"]["status"] == "fail"
    assert report["by_id"]["injected"]["status"] == "fail"
    assert "created without the azure.workload.identity/use" in report["by_id"]["injected"]["message"]


@pytest.mark.parametrize("value", ["True", "yes"])
def test_a_label_value_other_than_lowercase_true(cluster, value):
    cluster.install_workload(template=pod_template(labels={"app": "web", USE: value}))
    check = only_failure(cluster.report(expect_exit=1), "pod-label")
    assert f'"{value}"' in check["message"] and 'only the exact value "true"' in check["message"]
    assert "kubectl -n production patch deployment web" in check["fix"]


def test_the_label_set_as_an_annotation(cluster):
    cluster.install_workload(template=pod_template(labels={"app": "web"}, annotations={USE: "true"}))
    check = only_failure(cluster.report(expect_exit=1), "pod-label")
    assert "set as an annotation" in check["message"] and "patch deployment web" in check["fix"]


def test_a_namespace_without_the_label_the_selector_wants(cluster):
    cluster.put("mutatingwebhookconfigurations", cluster.webhook_configuration(namespace_selector={
        "matchLabels": {"azure-workload-identity": "enabled"},
        "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [SYSTEM, "kube-system"]}]}))
    check = only_failure(cluster.report(expect_exit=1), "namespace-selector")
    assert "azure-workload-identity=enabled does not hold" in check["message"]
    assert check["fix"] == "kubectl label namespace production azure-workload-identity=enabled --overwrite"


def test_a_namespace_the_chart_excludes(cluster):
    template = pod_template()
    cluster.put("pods", {**cluster.pod_of(template, CLIENT_ID, name="tool"), "metadata": {
        "name": "tool", "namespace": "kube-system", "labels": {USE: "true"}}})
    code, out, err = cluster.doctor("pod/tool", "-n", "kube-system")
    assert code == 1 and "FAIL  namespace-selector" in out and "always excludes namespace kube-system" in out, out


def test_no_ready_endpoints(cluster):
    cluster.put("endpointslices", cluster.endpoint_slice(ready=False))
    check = only_failure(cluster.report(expect_exit=1), "webhook-endpoints")
    assert "has no ready endpoints" in check["message"]
    assert ("kubectl -n azure-workload-identity-system get pods -l "
            "app=workload-identity-webhook,azure-workload-identity.io/system=true") in check["fix"]


def test_a_stale_ca_bundle(cluster, other_ca):
    cluster.put("mutatingwebhookconfigurations", cluster.webhook_configuration(ca_bundle=other_ca))
    check = only_failure(cluster.report(expect_exit=1), "ca-bundle")
    assert "does not verify the serving certificate" in check["message"]
    assert check["fix"].startswith("kubectl -n azure-workload-identity-system rollout restart deployment/azure-wi-webhook-controller-manager")


def test_no_webhook_configuration(cluster):
    cluster.put("mutatingwebhookconfigurations", {"metadata": {"name": "something-else"}, "webhooks": []})
    code, out, err = cluster.doctor("deployment/web", "-n", NS, "--mutating-webhook-configuration-name", "absent")
    assert code == 1 and "FAIL  webhook-configuration  MutatingWebhookConfiguration absent not found" in out, out
    assert "helm upgrade --install workload-identity-webhook" in out
    assert "SKIP  webhook-endpoints      needs the MutatingWebhookConfiguration" in out


def test_no_service_account(cluster):
    cluster.delete_service_account()
    report = cluster.report(expect_exit=1)
    check = only_failure(report, "service-account")
    assert 'the webhook denies new pods (serviceaccounts "keyvault-reader" not found)' in check["message"]
    assert check["fix"].startswith("kubectl -n production create serviceaccount keyvault-reader\n")
    assert "annotate serviceaccount keyvault-reader azure.workload.identity/client-id=" in check["fix"]
    for later in ("client-id", "tenant-id", "injected", "token-issuer"):
        assert report["by_id"][later]["status"] == "skip"


@pytest.mark.parametrize("key", ["azure.workload.identity/client_id", "azure.workload.identity/clientId", "azure.workload.identity/clientID"])
def test_a_misspelt_client_id_annotation(cluster, key):
    cluster.service_account(annotations={key: CLIENT_ID})
    check = only_failure(cluster.report(expect_exit=1), "client-id")
    assert f"ServiceAccount annotation {key}={CLIENT_ID}" in check["message"]
    assert check["fix"].splitlines() == [
        f"kubectl -n production annotate serviceaccount keyvault-reader {CLIENT_ID_KEY}={CLIENT_ID} --overwrite",
        f"kubectl -n production annotate serviceaccount keyvault-reader {key}-"]


def test_the_client_id_set_as_a_label_or_on_the_pod(cluster):
    cluster.service_account(annotations={}, labels={CLIENT_ID_KEY: CLIENT_ID})
    check = only_failure(cluster.report(expect_exit=1), "client-id")
    assert f"ServiceAccount label {CLIENT_ID_KEY}" in check["message"]
    assert f"label serviceaccount keyvault-reader {CLIENT_ID_KEY}-" in check["fix"]
    cluster.service_account(annotations={})
    cluster.install_workload(template=pod_template(annotations={CLIENT_ID_KEY: CLIENT_ID}))
    cluster.service_account(annotations={})
    check = only_failure(cluster.report(expect_exit=1), "client-id")
    assert f"pod annotation {CLIENT_ID_KEY}" in check["message"]


def test_a_client_id_that_is_not_a_guid(cluster):
    cluster.service_account(annotations={CLIENT_ID_KEY: "keyvault-reader-identity"})
    check = only_failure(cluster.report(expect_exit=1), "client-id")
    assert '"keyvault-reader-identity", not a GUID' in check["message"]
    assert "az identity show -g <resource-group> -n <identity-name> --query clientId -o tsv" in check["fix"]


def test_no_client_id_at_all(cluster):
    cluster.service_account(annotations={})
    check = only_failure(cluster.report(expect_exit=1), "client-id")
    assert "AZURE_CLIENT_ID is not injected" in check["message"]
    assert check["fix"].startswith(f"kubectl -n production annotate serviceaccount keyvault-reader {CLIENT_ID_KEY}=$(az identity show")


def test_an_empty_tenant_id_annotation(cluster):
    cluster.service_account(annotations={CLIENT_ID_KEY: CLIENT_ID, "azure.workload.identity/tenant-id": ""})
    check = only_failure(cluster.report(expect_exit=1), "tenant-id")
    assert "AZURE_TENANT_ID is not injected" in check["message"]
    assert "annotate serviceaccount keyvault-reader azure.workload.identity/tenant-id=$(az account show" in check["fix"]


def test_a_pod_created_before_the_client_id_annotation(cluster):
    template = pod_template()
    cluster.put("pods", cluster.pod_of(template, mutated_as=""))
    check = only_failure(cluster.report(expect_exit=1), "injected")
    assert "container app lacks AZURE_CLIENT_ID" in check["message"]
    assert "created before its ServiceAccount had the azure.workload.identity/client-id annotation" in check["message"]
    assert check["fix"] == "kubectl -n production rollout restart deployment/web"
    # Asked about the pod itself, the fix still restarts its Deployment.
    check = only_failure(cluster.report("pod/web-5d8f7-x2x9q", expect_exit=1), "injected")
    assert check["fix"] == "kubectl -n production rollout restart deployment/web"


def test_a_pod_created_before_the_webhook_was_installed(cluster):
    cluster.put("pods", cluster.pod_of(pod_template(), created="2025-06-01T00:00:00Z"))
    check = only_failure(cluster.report(expect_exit=1), "injected")
    assert "lacks AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST" in check["message"]
    assert "created (2025-06-01T00:00:00Z) before the webhook was installed (2026-01-01T00:00:00Z)" in check["message"]
    assert check["fix"] == "kubectl -n production rollout restart deployment/web"


def test_a_pod_whose_service_account_changed_its_client_id(cluster):
    cluster.put("pods", cluster.pod_of(pod_template(), mutated_as="00000000-1111-2222-3333-444444444444"))
    check = only_failure(cluster.report(expect_exit=1), "injected")
    assert "has AZURE_CLIENT_ID of an earlier ServiceAccount or client-id" in check["message"]
    assert check["fix"] == "kubectl -n production rollout restart deployment/web"


def test_a_bare_pod_is_recreated_rather_than_restarted(cluster):
    pod = cluster.pod_of(pod_template(), created="2025-06-01T00:00:00Z", name="one-off")
    del pod["metadata"]["ownerReferences"]
    cluster.put("pods", pod)
    check = only_failure(cluster.report("pod/one-off", expect_exit=1), "injected")
    assert check["fix"].startswith("kubectl -n production delete pod one-off && kubectl apply -f <pod manifest>")


def test_user_set_env_shadowing_ours_is_a_warning(cluster):
    pod = cluster.pod_of(pod_template(), CLIENT_ID)
    pod["spec"]["containers"][0]["env"][0]["value"] = "11111111-2222-3333-4444-555555555555"
    pod["metadata"]["annotations"]["azure.workload.identity/injected"] = "{}"
    cluster.put("pods", pod)
    report = cluster.report(expect_exit=0)
    check = report["by_id"]["injected"]
    assert check["status"] == "warn" and 'container "app" sets AZURE_CLIENT_ID itself' in check["message"]
    assert check["fix"].startswith("remove the container's own AZURE_* env entries")


def test_a_skipped_container_is_named(cluster):
    template = pod_template(annotations={"azure.workload.identity/skip-containers": "sidecar"})
    template["spec"]["containers"].append({"name": "sidecar", "image": "envoyproxy/envoy:v1.30"})
    cluster.install_workload(template=template, pod=mutated(cluster.pod_of(template), skip=("sidecar",)))
    check = cluster.report(expect_exit=0)["by_id"]["injected"]
    assert check["status"] == "warn" and "container sidecar is skipped" in check["message"]
    assert check["fix"].startswith("if container sidecar needs Azure credentials, take it out of the pod template's "
                                   "azure.workload.identity/skip-containers")
    assert check["fix"].endswith(", then: kubectl -n production rollout restart deployment/web")


def test_an_issuer_without_the_trailing_slash_the_discovery_document_has(cluster):
    cluster.control("POST", "issuer", {"token": ISSUER.rstrip("/"), "discovery": ISSUER})
    report = cluster.report(expect_exit=1)
    check = only_failure(report, "token-issuer")
    assert f'iss differs from the issuer in /.well-known/openid-configuration, "{ISSUER}"' in check["message"]
    assert "differ only by the trailing slash" in check["message"]
    assert f'az identity federated-credential update --name production-keyvault-reader' in check["fix"]
    assert f'--issuer "{ISSUER.rstrip("/")}"' in check["fix"]
    assert report["federatedCredential"]["issuer"] == ISSUER.rstrip("/")
