"""hack/kind-up.sh, run with recording stand-ins for docker, kind, kubectl and helm (none can
run here): real openssl keys, a valid kind config, valid objects, and chart options that render."""
import json
import os
import shutil
import subprocess
import sys

import kubernetes_validate
import yaml

RECORDER = f"""#!{sys.executable}
import json, os, sys
name = os.path.basename(sys.argv[0])
stdin = sys.stdin.read() if "-" in sys.argv[1:] and "-f" in sys.argv[1:] else None
with open(os.environ["RECORD"], "a") as log:
    log.write(json.dumps({{"tool": name, "args": sys.argv[1:], "stdin": stdin}}) + "\\n")
if name == "kubectl" and "--raw" in sys.argv:
    print(json.dumps({{"raw": sys.argv[-1]}}))
"""
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
ISSUER = "https://azwikind.blob.core.windows.net/oidc/"


def run_kind_up(repo_root, tmp_path):
    (tmp_path / "hack").mkdir()
    shutil.copy(repo_root / "hack" / "kind-up.sh", tmp_path / "hack")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("docker", "kind", "kubectl", "helm"):
        (bin_dir / tool).write_text(RECORDER)
        (bin_dir / tool).chmod(0o755)
    record = tmp_path / "record.jsonl"
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", RECORD=str(record),
               AZURE_TENANT_ID=TENANT, AZURE_CLIENT_ID=CLIENT, SERVICE_ACCOUNT_ISSUER=ISSUER)
    result = subprocess.run([tmp_path / "hack" / "kind-up.sh"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_kind_up_steps(repo_root, tmp_path, render):
    calls = run_kind_up(repo_root, tmp_path)
    steps = [(c["tool"], c["args"][0]) for c in calls]
    assert steps == [("kind", "create"), ("kubectl", "get"), ("kubectl", "get"), ("docker", "build"),
                     ("kind", "load"), ("helm", "upgrade"), ("kubectl", "apply"), ("kubectl", "get")]
    work = tmp_path / "out" / "kind"

    # The signing key pair is real and matches.
    pub = subprocess.run(["openssl", "rsa", "-in", work / "sa.key", "-pubout"], check=True,
                         capture_output=True, text=True).stdout
    assert pub == (work / "sa.pub").read_text()

    # The kind config names the issuer and mounts the key where the API server reads it.
    config = yaml.safe_load((work / "kind.yaml").read_text())
    [node] = config["nodes"]
    assert {m["containerPath"]: m["hostPath"] for m in node["extraMounts"]} == {
        "/etc/kubernetes/pki/sa.pub": str(work / "sa.pub"), "/etc/kubernetes/pki/sa.key": str(work / "sa.key")}
    [patch] = node["kubeadmConfigPatches"]
    cluster = yaml.safe_load(patch)
    assert cluster["apiServer"]["extraArgs"]["service-account-issuer"] == ISSUER
    assert cluster["apiServer"]["extraArgs"]["service-account-jwks-uri"] == ISSUER + "openid/v1/jwks"
    assert cluster["controllerManager"]["extraArgs"]["service-account-private-key-file"] == "/etc/kubernetes/pki/sa.key"
    assert calls[0]["args"][-2:] == ["--config", "out/kind/kind.yaml"]
    assert json.loads((work / "jwks.json").read_text()) == {"raw": "/openid/v1/jwks"}
    assert json.loads((work / "openid-configuration.json").read_text()) == {"raw": "/.well-known/openid-configuration"}

    # The image that is built is the one loaded and the one the chart runs.
    assert calls[3]["args"] == ["build", "-t", "azwi-webhook:dev", "."]
    assert calls[4]["args"][:3] == ["load", "docker-image", "azwi-webhook:dev"]
    helm = calls[5]["args"]
    assert helm[:4] == ["upgrade", "--install", "workload-identity-webhook", "charts/workload-identity-webhook"]
    sets = [helm[i + 1] for i, a in enumerate(helm) if a == "--set"]
    assert f"azureTenantID={TENANT}" in sets
    rendered = render(*sets)
    assert rendered.returncode == 0, rendered.stderr
    assert "image: 'azwi-webhook:dev'" in rendered.stdout

    # The ServiceAccount and the labelled pod that uses it.
    objs = [d for d in yaml.safe_load_all(calls[6]["stdin"]) if d]
    for obj in objs:
        kubernetes_validate.validate(obj, "1.29.0", strict=True)
    by_kind = {o["kind"]: o for o in objs}
    sa, pod = by_kind["ServiceAccount"], by_kind["Pod"]
    assert (sa["metadata"]["namespace"], sa["metadata"]["name"]) == ("production", "keyvault-reader")
    assert sa["metadata"]["annotations"] == {"azure.workload.identity/client-id": CLIENT}
    assert (pod["metadata"]["namespace"], pod["metadata"]["name"]) == ("production", "secret-consumer")
    assert pod["metadata"]["labels"] == {"azure.workload.identity/use": "true"}
    assert pod["spec"]["serviceAccountName"] == "keyvault-reader"
    assert calls[7]["args"] == ["get", "pod", "secret-consumer", "--namespace", "production", "-o", "yaml"]


def test_kind_up_requires_a_tenant(repo_root):
    env = {k: v for k, v in os.environ.items() if k != "AZURE_TENANT_ID"}
    result = subprocess.run([repo_root / "hack" / "kind-up.sh"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "set AZURE_TENANT_ID" in result.stderr
