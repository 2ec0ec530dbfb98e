"""The offline `azwi-webhook mutate` command: inputs, outputs and errors, through the real binary."""
import json
import os
import subprocess

import jsonpatch
import kubernetes_validate
import pytest
import yaml

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
TOKEN_DIR = "/var/run/secrets/azure/tokens"


def run(webhook_bin, *args, env=None, cwd=None):
    environment = {"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT}
    environment.update(env or {})
    return subprocess.run([str(webhook_bin), "mutate", *args], env=environment, cwd=cwd,
                          capture_output=True, text=True, timeout=30)


@pytest.fixture
def examples(repo_root):
    return repo_root / "examples"


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def test_example_pod_gets_env_mount_and_volume_as_yaml(webhook_bin, examples):
    result = run(webhook_bin, "--pod", examples / "pod.yaml", "--service-account", examples / "serviceaccount.yaml")
    assert result.returncode == 0, result.stderr
    pod = yaml.safe_load(result.stdout)
    container = pod["spec"]["containers"][0]
    assert env_of(container) == {
        "KEYVAULT_URL": "https://contoso-secrets.vault.azure.net/",
        "SECRET_NAME": "database-password",
        "AZURE_CLIENT_ID": CLIENT_ID,
        "AZURE_TENANT_ID": TENANT,
        "AZURE_FEDERATED_TOKEN_FILE": f"{TOKEN_DIR}/azure-identity-token",
        "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/",
    }
    assert {"name": "azure-identity-token", "mountPath": TOKEN_DIR, "readOnly": True} in container["volumeMounts"]
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "azure-identity-token")
    token = volume["projected"]["sources"][0]["serviceAccountToken"]
    assert token == {"path": "azure-identity-token", "expirationSeconds": 3600, "audience": "api://AzureADTokenExchange"}
    kubernetes_validate.validate(pod, "1.32.0", strict=True)


def test_printed_pod_equals_the_patch_applied_independently(webhook_bin, examples):
    pod_output = run(webhook_bin, "--pod", examples / "pod.yaml", "--service-account", examples / "serviceaccount.yaml")
    patch_output = run(webhook_bin, "--pod", examples / "pod.yaml", "--service-account", examples / "serviceaccount.yaml",
                       "--output", "patch")
    assert pod_output.returncode == 0 and patch_output.returncode == 0
    original = yaml.safe_load((examples / "pod.yaml").read_text())
    expected = jsonpatch.apply_patch(original, json.loads(patch_output.stdout))
    assert yaml.safe_load(pod_output.stdout) == expected


def test_json_pod_prints_json(webhook_bin, examples, tmp_path):
    pod_json = tmp_path / "pod.json"
    pod_json.write_text(json.dumps(yaml.safe_load((examples / "pod.yaml").read_text())))
    result = run(webhook_bin, "--pod", pod_json, "--service-account", examples / "serviceaccount.yaml")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["spec"]["volumes"][0]["name"] == "azure-identity-token"


def test_review_output_is_the_server_response_for_the_example_review(webhook_bin, examples):
    result = run(webhook_bin, "--review", examples / "admission-review.json",
                 "--service-account", examples / "serviceaccount.yaml", "--output", "review")
    assert result.returncode == 0, result.stderr
    review = json.loads(result.stdout)
    assert review["apiVersion"] == "admission.k8s.io/v1" and review["kind"] == "AdmissionReview"
    response = review["response"]
    assert response["uid"] == "3f6c1a52-9d0e-4b7a-8c21-5e4f7a9b0d13"
    assert response["allowed"] is True and response["patchType"] == "JSONPatch"


@pytest.mark.parametrize("layout", ["list", "multi-document", "json-array", "directory"])
def test_service_accounts_are_found_in_every_file_layout(webhook_bin, examples, tmp_path, layout):
    def account(name, client_id):
        return {"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": name, "namespace": "production",
                             "annotations": {"azure.workload.identity/client-id": client_id}}}
    accounts = [account("other", "11111111-1111-1111-1111-111111111111"), account("keyvault-reader", CLIENT_ID)]
    if layout == "list":
        path = tmp_path / "sa.yaml"
        path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": accounts}))
    elif layout == "multi-document":
        path = tmp_path / "sa.yaml"
        path.write_text(yaml.safe_dump_all(accounts))
    elif layout == "json-array":
        path = tmp_path / "sa.json"
        path.write_text(json.dumps(accounts))
    else:
        path = tmp_path / "accounts"
        path.mkdir()
        for index, item in enumerate(accounts):
            (path / f"{index}.yaml").write_text(yaml.safe_dump(item))
        (path / "README.txt").write_text("not a ServiceAccount, and ignored")
    result = run(webhook_bin, "--pod", examples / "pod.yaml", "--service-account", path)
    assert result.returncode == 0, result.stderr
    assert env_of(yaml.safe_load(result.stdout)["spec"]["containers"][0])["AZURE_CLIENT_ID"] == CLIENT_ID


def test_missing_service_account_is_a_denial_on_stderr(webhook_bin, examples):
    result = run(webhook_bin, "--pod", examples / "pod.yaml")
    assert result.returncode == 1
    assert result.stdout == ""
    assert 'serviceaccounts "keyvault-reader" not found' in result.stderr


def test_missing_tenant_names_the_variable(webhook_bin, examples):
    result = run(webhook_bin, "--pod", examples / "pod.yaml", env={"AZURE_TENANT_ID": ""})
    assert result.returncode != 0
    assert "AZURE_TENANT_ID" in result.stderr


def test_unknown_cloud_names_the_value_and_the_accepted_names(webhook_bin, examples):
    result = run(webhook_bin, "--pod", examples / "pod.yaml", env={"AZURE_ENVIRONMENT": "MarsCloud"})
    assert result.returncode != 0
    assert "MarsCloud" in result.stderr and "AzurePublicCloud" in result.stderr


def test_authority_host_follows_the_cloud_and_the_override(webhook_bin, examples):
    china = run(webhook_bin, "--pod", examples / "pod.yaml", "--service-account", examples / "serviceaccount.yaml",
                env={"AZURE_ENVIRONMENT": "azurechinacloud"})
    override = run(webhook_bin, "--pod", examples / "pod.yaml", "--service-account", examples / "serviceaccount.yaml",
                   "--authority-host", "https://login.example.internal")
    assert china.returncode == 0 and override.returncode == 0, china.stderr + override.stderr
    assert env_of(yaml.safe_load(china.stdout)["spec"]["containers"][0])["AZURE_AUTHORITY_HOST"] == "https://login.chinacloudapi.cn/"
    assert env_of(yaml.safe_load(override.stdout)["spec"]["containers"][0])["AZURE_AUTHORITY_HOST"] == "https://login.example.internal/"


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"kind: [unclosed", b"[" * 10000, b""])
def test_unreadable_pod_files_are_clear_errors_not_crashes(webhook_bin, tmp_path, content):
    path = tmp_path / "pod.yaml"
    path.write_bytes(content)
    result = run(webhook_bin, "--pod", path)
    assert result.returncode == 64 or result.returncode == 1, result  # a usage error or a denial, never a signal
    assert result.stderr.strip()


def test_pod_and_review_together_are_refused(webhook_bin, examples):
    result = run(webhook_bin, "--pod", examples / "pod.yaml", "--review", examples / "admission-review.json")
    assert result.returncode == 64
    assert "exactly one of --pod and --review" in result.stderr


def test_an_empty_option_value_is_accepted_as_upstreams_chart_renders_it(webhook_bin, examples):
    result = run(webhook_bin, "--pod", examples / "pod.yaml", "--service-account", examples / "serviceaccount.yaml",
                 "--log-level=", "--output", "patch")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
