"""Identity bindings in the chart: upstream 1.6's eight customTokenEndpoint.* values keys render as
upstream's chart renders them (charts/workload-identity-webhook at v1.6.0: the two flags into the
Deployment's args, the six env vars into the azure-wi-webhook-config ConfigMap, each only when set),
and an upstream 1.6 values file with the feature on renders objects valid for Kubernetes 1.29-1.34."""
import json

import kubernetes_validate
import pytest
import yaml

from chart_render import HERE, OPTIONS, container, deployment

CONFIG = ("ConfigMap", "azure-wi-webhook-config")
DEFAULT_ARGS = ["--log-level=info", "--metrics-addr=:8095", "--metrics-backend=prometheus", "--port=9443"]
UPSTREAM_VALUES = HERE / "values" / "upstream-1.6-identity-binding.yaml"
FLAGS = {  # values key -> the webhook flag upstream's Deployment template passes it as
    "annotationSuffix": "--custom-token-endpoint-annotation-suffix",
    "audience": "--custom-token-endpoint-audience",
}
ENV = {  # values key -> the azure-wi-webhook-config entry upstream's ConfigMap template writes it to
    "azureKubernetesCaData": "AZURE_KUBERNETES_CA_DATA",
    "azureKubernetesSniName": "AZURE_KUBERNETES_SNI_NAME",
    "azureKubernetesTokenProxy": "AZURE_KUBERNETES_TOKEN_PROXY",
    "azureKubernetesCAConfigMapName": "AZURE_KUBERNETES_CA_CONFIGMAP_NAME",
    "azureKubernetesCACTBSignerName": "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME",
    "azureKubernetesCACTBLabelSelector": "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR",
}
SAMPLE = {
    "annotationSuffix": "identity-binding",
    "audience": "api://AKSIdentityBinding",
    "azureKubernetesCaData": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "azureKubernetesSniName": "2183187515ff64fc2fff014fd0e749f92578a466dc345b",
    "azureKubernetesTokenProxy": "https://kubernetes.default.svc",
    "azureKubernetesCAConfigMapName": "kube-root-ca.crt",
    "azureKubernetesCACTBSignerName": "example.com/token-proxy",
    "azureKubernetesCACTBLabelSelector": '{"matchLabels":{"example.com/bundle":"token-proxy"}}',
}
KUBE_VERSIONS = [f"1.{minor}.0" for minor in range(29, 35)]


def custom_env(objs):
    return {k: v for k, v in objs[CONFIG]["data"].items() if k.startswith("AZURE_KUBERNETES_")}


def with_values(tmp_path, values: dict):
    """A values file setting customTokenEndpoint to `values` (multi-line and JSON values pass
    through a file as they would for a user; --set would split them at commas)."""
    path = tmp_path / "custom-token-endpoint.yaml"
    path.write_text(yaml.safe_dump({"customTokenEndpoint": values}))
    return path


def test_values_yaml_has_upstreams_eight_keys_all_empty(chart_dir):
    values = yaml.safe_load((chart_dir / "values.yaml").read_text())
    assert values["customTokenEndpoint"] == {key: "" for key in [*FLAGS, *ENV]}


def test_off_by_default_nothing_rendered(objects):
    objs = objects()
    assert container(objs)["args"] == DEFAULT_ARGS
    assert custom_env(objs) == {}


def test_empty_values_render_nothing(objects, tmp_path):
    objs = objects(values=[with_values(tmp_path, {key: "" for key in SAMPLE})])
    assert container(objs)["args"] == DEFAULT_ARGS
    assert custom_env(objs) == {}


@pytest.mark.parametrize("key", SAMPLE)
def test_each_key_renders_alone_as_upstream(objects, tmp_path, key):
    objs = objects(values=[with_values(tmp_path, {key: SAMPLE[key]})])
    args = container(objs)["args"]
    if key in FLAGS:
        assert args == DEFAULT_ARGS[:3] + [f"{FLAGS[key]}={SAMPLE[key]}"] + DEFAULT_ARGS[3:]
        assert custom_env(objs) == {}
    else:
        assert args == DEFAULT_ARGS
        assert custom_env(objs) == {ENV[key]: SAMPLE[key]}
    # nothing else moves: the container takes the ConfigMap whole, as before
    assert container(objs)["envFrom"] == [{"configMapRef": {"name": "azure-wi-webhook-config"}}]


def test_all_keys_together(objects, tmp_path):
    objs = objects(values=[with_values(tmp_path, SAMPLE)])
    assert container(objs)["args"] == DEFAULT_ARGS[:3] + [
        "--custom-token-endpoint-annotation-suffix=identity-binding",
        "--custom-token-endpoint-audience=api://AKSIdentityBinding"] + DEFAULT_ARGS[3:]
    assert custom_env(objs) == {ENV[key]: SAMPLE[key] for key in ENV}


def test_set_flags_as_upstreams_e2e_passes_them(objects):
    """The --set lines of upstream's scripts/ci-e2e.sh."""
    objs = objects("customTokenEndpoint.annotationSuffix=identity-binding",
                   "customTokenEndpoint.audience=api://AKSIdentityBinding",
                   "customTokenEndpoint.azureKubernetesSniName=2183187515ff64fc2fff014fd0e749f92578a466dc345b",
                   "customTokenEndpoint.azureKubernetesTokenProxy=https://kubernetes.default.svc",
                   "customTokenEndpoint.azureKubernetesCAConfigMapName=kube-root-ca.crt")
    assert "--custom-token-endpoint-annotation-suffix=identity-binding" in container(objs)["args"]
    assert "--custom-token-endpoint-audience=api://AKSIdentityBinding" in container(objs)["args"]
    assert custom_env(objs) == {"AZURE_KUBERNETES_SNI_NAME": "2183187515ff64fc2fff014fd0e749f92578a466dc345b",
                                "AZURE_KUBERNETES_TOKEN_PROXY": "https://kubernetes.default.svc",
                                "AZURE_KUBERNETES_CA_CONFIGMAP_NAME": "kube-root-ca.crt"}


def test_values_that_yaml_would_misread_stay_strings(objects, tmp_path):
    """The args are quoted, so a value YAML would read otherwise still reaches the webhook as typed
    (upstream writes them bare: `: ` or ` #` there breaks the manifest)."""
    objs = objects(values=[with_values(tmp_path, {"annotationSuffix": "a #b", "audience": "api://x: y"})])
    assert container(objs)["args"][3:5] == ["--custom-token-endpoint-annotation-suffix=a #b",
                                            "--custom-token-endpoint-audience=api://x: y"]


@pytest.mark.parametrize("option", ["identity-binding", "identity-binding-ca-data", "identity-binding-ctb"])
def test_upstream_1_6_values_file_with_the_feature_on(objects, option):
    sets, values = OPTIONS[option]
    objs = objects(*sets, values=values)
    upstream = yaml.safe_load(UPSTREAM_VALUES.read_text())
    layered = {**upstream["customTokenEndpoint"]}
    for extra in values[1:]:
        layered |= yaml.safe_load(extra.read_text())["customTokenEndpoint"]
    c = container(objs)
    assert c["args"] == ["--log-level=info", "--metrics-addr=:8095", "--metrics-backend=prometheus",
                         "--custom-token-endpoint-annotation-suffix=identity-binding",
                         "--custom-token-endpoint-audience=api://AKSIdentityBinding", "--port=9443"]
    assert custom_env(objs) == {ENV[key]: value for key, value in layered.items() if key in ENV and value}
    assert c["image"] == "mcr.microsoft.com/oss/azure/workload-identity/webhook:v1.6.0"  # the file's other keys apply
    if option == "identity-binding-ctb":
        selector = json.loads(custom_env(objs)["AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR"])
        assert selector["matchLabels"] == {"example.com/bundle": "token-proxy"}
    for obj in objs.values():
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                pytest.fail(f"{obj['kind']}/{obj['metadata']['name']} invalid for {version}: {e.message} at {list(e.path)}")


def test_no_extra_rbac(objects):
    """Upstream 1.6 adds none: the kubelet projects the ConfigMap or ClusterTrustBundle into the pod,
    and the webhook's ClusterTrustBundle check at start is API discovery, open to every account."""
    default, on = objects(), objects(*OPTIONS["identity-binding-ctb"][0], values=OPTIONS["identity-binding-ctb"][1])
    for key in [("ClusterRole", "azure-wi-webhook-manager-role"), ("Role", "azure-wi-webhook-manager-role")]:
        assert on[key]["rules"] == default[key]["rules"]
    assert set(on) == set(default)


def test_static_manifest_has_the_feature_off(repo_root):
    docs = [d for d in yaml.safe_load_all((repo_root / "deploy" / "azure-wi-webhook.yaml").read_text()) if d]
    [dep] = [d for d in docs if d["kind"] == "Deployment"]
    [config] = [d for d in docs if d["kind"] == "ConfigMap"]
    assert not [a for a in dep["spec"]["template"]["spec"]["containers"][0]["args"] if "custom-token" in a]
    assert not [k for k in config["data"] if k.startswith("AZURE_KUBERNETES_")]
