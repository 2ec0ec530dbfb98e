"""deploy/azure-wi-webhook.yaml: regenerated from the chart, and the documented substitution
turns it into the chart's render for a real tenant."""
import os
import re
import subprocess

import kubernetes_validate
import yaml

from chart_render import NAMESPACE

MANIFEST = "deploy/azure-wi-webhook.yaml"


def test_static_manifest_is_not_stale(repo_root, helm_template, tmp_path):
    fresh = tmp_path / "azure-wi-webhook.yaml"
    subprocess.run([repo_root / "hack" / "generate-manifests.sh", fresh], check=True, timeout=120)
    assert fresh.read_text() == (repo_root / MANIFEST).read_text(), \
        "deploy/azure-wi-webhook.yaml is stale: run hack/generate-manifests.sh"


def documented_substitution(repo_root) -> str:
    """The shell block of deploy/README.md, without its final `| kubectl apply -f -`."""
    readme = (repo_root / "deploy" / "README.md").read_text()
    [block] = re.findall(r"```sh\n(.*?)```", readme, re.S)
    assert block.rstrip().endswith("| kubectl apply -f -"), block
    lines = [line for line in block.splitlines() if not line.startswith("export ")]
    return "\n".join(lines).rstrip().removesuffix("| kubectl apply -f -")


def test_documented_substitution_gives_the_charts_render(repo_root, objects):
    tenant = "a1b2c3d4-0000-4000-8000-000000000001"
    env = {k: v for k, v in os.environ.items() if k != "AZURE_ENVIRONMENT"} | {"AZURE_TENANT_ID": tenant}
    script = documented_substitution(repo_root)
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=repo_root, env=env,
                         check=True, capture_output=True, text=True, timeout=30).stdout
    assert "${" not in out
    docs = [d for d in yaml.safe_load_all(out) if d]
    namespace = docs[0]
    assert namespace["kind"] == "Namespace" and namespace["metadata"]["name"] == NAMESPACE
    for mode in ("enforce", "audit", "warn"):
        assert namespace["metadata"]["labels"][f"pod-security.kubernetes.io/{mode}"] == "restricted"
    for doc in docs:
        kubernetes_validate.validate(doc, "1.29.0", strict=True)
    chart = objects(f"azureTenantID={tenant}")
    assert {(d["kind"], d["metadata"]["name"]): d for d in docs[1:]} == chart

    env["AZURE_ENVIRONMENT"] = "AzureChinaCloud"
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=repo_root, env=env,
                         check=True, capture_output=True, text=True, timeout=30).stdout
    [config] = [d for d in yaml.safe_load_all(out) if d and d["kind"] == "ConfigMap"]
    assert config["data"] == chart[("ConfigMap", "azure-wi-webhook-config")]["data"] | {"AZURE_ENVIRONMENT": "AzureChinaCloud"}
