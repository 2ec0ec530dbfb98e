"""The Helm chart, rendered by helm-template: upstream's names, labels and values keys, our
options, and every object valid for Kubernetes 1.29 up to the newest version kubernetes-validate knows."""
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import all_versions

from chart_render import HERE, NAMESPACE, OPTIONS, RELEASE, TENANT, container, deployment, webhook

LABELS = {
    "app": "workload-identity-webhook",
    "azure-workload-identity.io/system": "true",
    "chart": "workload-identity-webhook",
    "release": RELEASE,
}
UPSTREAM_OBJECTS = {
    ("ServiceAccount", "azure-wi-webhook-admin"),
    ("ConfigMap", "azure-wi-webhook-config"),
    ("Deployment", "azure-wi-webhook-controller-manager"),
    ("PodDisruptionBudget", "azure-wi-webhook-controller-manager"),
    ("ClusterRole", "azure-wi-webhook-manager-role"),
    ("ClusterRoleBinding", "azure-wi-webhook-manager-rolebinding"),
    ("Role", "azure-wi-webhook-manager-role"),
    ("RoleBinding", "azure-wi-webhook-manager-rolebinding"),
    ("MutatingWebhookConfiguration", "azure-wi-webhook-mutating-webhook-configuration"),
    ("Secret", "azure-wi-webhook-server-cert"),
    ("Service", "azure-wi-webhook-webhook-service"),
}
# Ours: pod repair's RBAC, present while repair.mode is report (the default) or evict.
REPAIR_OBJECTS = {
    ("ClusterRole", "azure-wi-webhook-repair"),
    ("ClusterRoleBinding", "azure-wi-webhook-repair"),
    ("Role", "azure-wi-webhook-repair"),
    ("RoleBinding", "azure-wi-webhook-repair"),
}
KUBE_VERSIONS = sorted({v for v in all_versions() if tuple(map(int, v.split(".")[:2])) >= (1, 29)},
                       key=lambda v: tuple(map(int, v.split("."))))
@pytest.mark.parametrize("option", OPTIONS)
def test_every_object_is_valid_for_each_kubernetes_version(objects, option):
    sets, values = OPTIONS[option]
    objs = objects(*sets, values=values)
    assert len(KUBE_VERSIONS) >= 2, KUBE_VERSIONS
    for obj in objs.values():
        if obj["apiVersion"] == "cert-manager.io/v1":
            continue  # not a built-in kind: checked field by field in test_cert_manager
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                pytest.fail(f"{obj['kind']}/{obj['metadata']['name']} invalid for {version}: {e.message} at {list(e.path)}")


def test_default_render_has_upstreams_objects_and_labels(objects):
    objs = objects()
    assert set(objs) == UPSTREAM_OBJECTS | REPAIR_OBJECTS
    assert set(objects("repair.mode=off")) == UPSTREAM_OBJECTS
    for (kind, name), obj in objs.items():
        assert obj["metadata"]["labels"] == LABELS, (kind, name)
        if kind not in ("ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration"):
            assert obj["metadata"]["namespace"] == NAMESPACE, (kind, name)
    assert deployment(objs)["spec"]["selector"]["matchLabels"] == LABELS
    assert deployment(objs)["spec"]["template"]["metadata"]["labels"] == LABELS
    assert objs[("Service", "azure-wi-webhook-webhook-service")]["spec"]["selector"] == LABELS
    assert objs[("Secret", "azure-wi-webhook-server-cert")].get("data") is None


def test_missing_tenant_id_fails_with_upstreams_message(render):
    result = render(tenant=False)
    assert result.returncode == 1
    assert "A valid .Values.azureTenantID entry required!" in result.stderr


def test_default_values_match_upstream(objects):
    objs = objects()
    config = objs[("ConfigMap", "azure-wi-webhook-config")]["data"]
    assert config["AZURE_TENANT_ID"] == TENANT
    assert config["AZURE_ENVIRONMENT"] == "AzurePublicCloud"
    spec = deployment(objs)["spec"]
    pod = spec["template"]["spec"]
    assert spec["replicas"] == 2
    assert spec["revisionHistoryLimit"] == 10
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert pod["priorityClassName"] == "system-cluster-critical"
    assert pod["serviceAccountName"] == "azure-wi-webhook-admin"
    c = container(objs)
    assert c["args"] == ["--log-level=info", "--metrics-addr=:8095", "--metrics-backend=prometheus", "--port=9443"]
    # No CPU limit: CFS throttling set the tail at 100m (issue 17, values.yaml says why).
    assert c["resources"] == {"limits": {"memory": "48Mi"}, "requests": {"cpu": "100m", "memory": "20Mi"}}
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["env"] == [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}]
    assert c["envFrom"] == [{"configMapRef": {"name": "azure-wi-webhook-config"}}]
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"webhook-server": 9443, "healthz": 9440, "metrics": 8095}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "healthz"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "healthz"}
    assert c["volumeMounts"] == [{"mountPath": "/certs", "name": "cert", "readOnly": True}]
    assert pod["volumes"] == [{"name": "cert", "secret": {"defaultMode": 420, "secretName": "azure-wi-webhook-server-cert"}}]
    pdb = objs[("PodDisruptionBudget", "azure-wi-webhook-controller-manager")]["spec"]
    assert pdb == {"minAvailable": 1, "selector": {"matchLabels": LABELS}}
    svc = objs[("Service", "azure-wi-webhook-webhook-service")]["spec"]
    assert svc["type"] == "ClusterIP" and svc["ports"] == [{"port": 443, "targetPort": 9443}]


def test_soft_spread_across_nodes_by_default(objects):
    [spread] = deployment(objects())["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread["topologyKey"] == "kubernetes.io/hostname"
    assert spread["whenUnsatisfiable"] == "ScheduleAnyway"
    assert spread["labelSelector"]["matchLabels"].items() <= LABELS.items()
    pod = deployment(objects(*OPTIONS["no-topology-spread"][0]))["spec"]["template"]["spec"]
    assert "topologySpreadConstraints" not in pod


def test_container_security_context(objects):
    assert container(objects())["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsGroup": 65532,
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    pod = deployment(objects())["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def test_mutating_webhook_configuration(objects):
    objs = objects()
    w = webhook(objs)
    assert w["name"] == "mutation.azure-workload-identity.io"
    assert w["admissionReviewVersions"] == ["v1", "v1beta1"]
    assert w["clientConfig"] == {"service": {"name": "azure-wi-webhook-webhook-service", "namespace": NAMESPACE,
                                             "path": "/mutate-v1-pod", "port": 443}}
    assert w["failurePolicy"] == "Fail"
    assert w["matchPolicy"] == "Equivalent"
    assert w["objectSelector"] == {"matchLabels": {"azure.workload.identity/use": "true"}}
    assert w["reinvocationPolicy"] == "IfNeeded"
    assert w["rules"] == [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]
    assert w["sideEffects"] == "None"
    assert w["timeoutSeconds"] == 10
    assert w["namespaceSelector"] == {"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [NAMESPACE, "kube-system"]}]}


def test_namespace_selector_keeps_excluding_own_namespace_when_refined(objects):
    objs = objects(values=[HERE / "values" / "upstream-example.yaml"])
    assert webhook(objs)["namespaceSelector"] == {
        "matchLabels": {"azure-workload-identity": "enabled"},
        "matchExpressions": [
            {"key": "control-plane", "operator": "DoesNotExist"},
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [NAMESPACE, "kube-system"]},
        ],
    }


def test_failure_policy_and_timeout(objects):
    w = webhook(objects(*OPTIONS["ignore-failures"][0]))
    assert (w["failurePolicy"], w["timeoutSeconds"]) == ("Ignore", 5)


def test_rbac_is_least_privilege(objects):
    objs = objects()
    assert objs[("ClusterRole", "azure-wi-webhook-manager-role")]["rules"] == [
        {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"],
         "resourceNames": ["azure-wi-webhook-mutating-webhook-configuration"],
         "verbs": ["get", "list", "patch", "update", "watch"]},
    ]
    assert objs[("Role", "azure-wi-webhook-manager-role")]["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["azure-wi-webhook-server-cert"],
         "verbs": ["get", "list", "patch", "update", "watch"]},
    ]
    for kind, role in (("ClusterRoleBinding", "ClusterRole"), ("RoleBinding", "Role")):
        binding = objs[(kind, "azure-wi-webhook-manager-rolebinding")]
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": role,
                                      "name": "azure-wi-webhook-manager-role"}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "azure-wi-webhook-admin", "namespace": NAMESPACE}]


def test_upstream_example_values_are_applied(objects):
    objs = objects(values=[HERE / "values" / "upstream-example.yaml"])
    example = yaml.safe_load((HERE / "values" / "upstream-example.yaml").read_text())
    spec = deployment(objs)["spec"]
    pod = spec["template"]["spec"]
    c = container(objs)
    assert spec["replicas"] == 3 and spec["revisionHistoryLimit"] == 3
    assert c["image"] == "myregistry.azurecr.io/azwi-webhook:v0.1.0" and c["imagePullPolicy"] == "Always"
    assert objs[("ServiceAccount", "azure-wi-webhook-admin")]["imagePullSecrets"] == [{"name": "acr-pull"}]
    for key in ("nodeSelector", "tolerations", "affinity", "topologySpreadConstraints", "priorityClassName"):
        assert pod[key] == example[key], key
    assert c["resources"] == example["resources"]
    assert c["args"] == ["--log-level=debug", "--metrics-addr=:9095", "--metrics-backend=prometheus", "--port=10250"]
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"webhook-server": 10250, "healthz": 9440, "metrics": 9095}
    svc = objs[("Service", "azure-wi-webhook-webhook-service")]["spec"]
    assert svc["ports"] == [{"port": 8443, "targetPort": 10250}]
    assert webhook(objs)["clientConfig"]["service"]["port"] == 8443
    assert objs[("ConfigMap", "azure-wi-webhook-config")]["data"]["AZURE_ENVIRONMENT"] == "AzureUSGovernmentCloud"
    mwc = objs[("MutatingWebhookConfiguration", "azure-wi-webhook-mutating-webhook-configuration")]
    assert mwc["metadata"]["annotations"] == {"admissions.enforcer/disabled": "true"}
    template = spec["template"]["metadata"]
    assert template["labels"] == {"team": "platform", **LABELS}
    assert template["annotations"] == {"prometheus.io/scrape": "true"}
    assert objs[("PodDisruptionBudget", "azure-wi-webhook-controller-manager")]["spec"]["maxUnavailable"] == 1
    assert "minAvailable" not in objs[("PodDisruptionBudget", "azure-wi-webhook-controller-manager")]["spec"]


def test_pdb_max_unavailable_zero_is_kept(objects):
    pdb = objects(*OPTIONS["pdb-max-unavailable"][0])[("PodDisruptionBudget", "azure-wi-webhook-controller-manager")]
    assert pdb["spec"]["maxUnavailable"] == 0 and "minAvailable" not in pdb["spec"]


def test_pdb_with_both_bounds_fails(render):
    result = render("podDisruptionBudget.maxUnavailable=1")
    assert result.returncode == 1
    assert "minAvailable and maxUnavailable are mutually exclusive" in result.stderr


def test_proxy_images_reach_the_config(objects):
    defaults = objects()[("ConfigMap", "azure-wi-webhook-config")]["data"]
    assert defaults["PROXY_IMAGE"] == "mcr.microsoft.com/oss/azure/workload-identity/proxy:v1.5.1"
    assert defaults["PROXY_INIT_IMAGE"] == "mcr.microsoft.com/oss/azure/workload-identity/proxy-init:v1.5.1"
    data = objects(*OPTIONS["proxy-images"][0])[("ConfigMap", "azure-wi-webhook-config")]["data"]
    assert (data["PROXY_IMAGE"], data["PROXY_INIT_IMAGE"]) == ("example.io/proxy:v9", "example.io/proxy-init:v9")


def test_extra_env_volumes_and_mounts(objects):
    extras = yaml.safe_load((HERE / "values" / "extras.yaml").read_text())
    objs = objects(values=[HERE / "values" / "extras.yaml"])
    c = container(objs)
    assert [e["name"] for e in c["env"][:2]] == ["POD_NAMESPACE", "POD_NAME"] and c["env"][2:] == extras["extraEnv"]
    assert c["volumeMounts"][1:] == extras["extraVolumeMounts"]
    assert deployment(objs)["spec"]["template"]["spec"]["volumes"][1:] == extras["extraVolumes"]


def test_cert_manager(objects):
    objs = objects(*OPTIONS["cert-manager"][0])
    assert ("Secret", "azure-wi-webhook-server-cert") not in objs  # cert-manager writes it
    issuer = objs[("Issuer", "azure-wi-webhook-selfsigned-issuer")]
    assert issuer["apiVersion"] == "cert-manager.io/v1" and issuer["spec"] == {"selfSigned": {}}
    cert = objs[("Certificate", "azure-wi-webhook-server-cert")]
    assert cert["apiVersion"] == "cert-manager.io/v1"
    assert cert["metadata"]["namespace"] == NAMESPACE
    assert cert["spec"] == {
        "dnsNames": [f"azure-wi-webhook-webhook-service.{NAMESPACE}.svc",
                     f"azure-wi-webhook-webhook-service.{NAMESPACE}.svc.cluster.local"],
        "issuerRef": {"kind": "Issuer", "name": "azure-wi-webhook-selfsigned-issuer"},
        "secretName": "azure-wi-webhook-server-cert",
    }
    mwc = objs[("MutatingWebhookConfiguration", "azure-wi-webhook-mutating-webhook-configuration")]
    assert mwc["metadata"]["annotations"] == {"cert-manager.io/inject-ca-from": f"{NAMESPACE}/azure-wi-webhook-server-cert"}
    assert container(objs)["args"][-1] == "--disable-cert-rotation"
    assert "--disable-cert-rotation" not in container(objects())["args"]


def test_readme_documents_every_value(chart_dir):
    values = yaml.safe_load((chart_dir / "values.yaml").read_text())
    readme = (chart_dir / "README.md").read_text()
    documented = {row.split("|")[1].strip().strip("`") for row in readme.splitlines() if row.startswith("| `")}
    expected = set()
    for key, value in values.items():
        nested = key in ("image", "service", "podDisruptionBudget", "certManager", "customTokenEndpoint", "repair")
        expected |= {f"{key}.{sub}" for sub in value} if nested else {key}
    expected.add("podDisruptionBudget.maxUnavailable")  # commented out in values.yaml, as upstream
    expected = expected - {"doctor"} | {"doctor.rbac.create"}
    assert documented == expected
