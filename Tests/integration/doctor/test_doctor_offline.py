"""`azwi-webhook doctor --file`: a manifest checked with no cluster, on the files in examples/
and on broken variants of them."""
import json
import subprocess

import jsonschema
import yaml

from doctor_scenario import CHECK_IDS, REPO, SCHEMA

EXAMPLES = REPO / "examples"
CLUSTER_ONLY = {"webhook-configuration", "webhook-endpoints", "ca-bundle", "namespace-selector", "token-issuer"}


def doctor(binary, *args):
    result = subprocess.run([str(binary), "doctor", *args], capture_output=True, text=True, timeout=60, cwd=REPO)
    return result.returncode, result.stdout, result.stderr


def report(binary, *args):
    code, out, err = doctor(binary, *args, "-o", "json")
    assert code in (0, 1), err
    parsed = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(parsed)
    assert [c["id"] for c in parsed["checks"]] == CHECK_IDS
    return code, {c["id"]: c for c in parsed["checks"]}, parsed


def test_the_example_pod_and_serviceaccount_pass_what_needs_no_cluster(webhook_bin):
    code, checks, parsed = report(webhook_bin, "--file", "examples/pod.yaml", "--service-account", "examples/serviceaccount.yaml")
    assert code == 0
    assert parsed["target"] == "pod/secret-consumer" and parsed["namespace"] == "production"
    assert {i for i, c in checks.items() if c["status"] == "skip"} == CLUSTER_ONLY | {"tenant-id"}
    assert {i for i, c in checks.items() if c["status"] == "pass"} == {"pod-label", "service-account", "client-id", "injected"}
    assert "into container(s) secret-consumer" in checks["injected"]["message"]
    assert parsed["federatedCredential"] == {"issuer": None, "subject": "system:serviceaccount:production:keyvault-reader",
                                             "audience": "api://AzureADTokenExchange"}


def test_without_a_serviceaccount_file_its_checks_are_skipped(webhook_bin):
    code, checks, _ = report(webhook_bin, "--file", "examples/pod.yaml")
    assert code == 0 and checks["service-account"]["status"] == "skip"
    assert "--service-account FILE" in checks["service-account"]["message"]
    assert "--service-account FILE" in checks["client-id"]["message"]


def test_a_manifest_with_the_label_only_on_the_deployment_gets_a_yaml_fix(webhook_bin, tmp_path):
    pod = yaml.safe_load((EXAMPLES / "pod.yaml").read_text())
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "secret-consumer", "namespace": "production", "labels": pod["metadata"]["labels"]},
                  "spec": {"selector": {"matchLabels": {"app": "secret-consumer"}},
                           "template": {"metadata": {"labels": {"app": "secret-consumer"}}, "spec": pod["spec"]}}}
    account = yaml.safe_load((EXAMPLES / "serviceaccount.yaml").read_text())
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump_all([account, deployment]))
    code, checks, parsed = report(webhook_bin, "--file", str(manifest))
    assert code == 1 and parsed["target"] == "deployment/secret-consumer"
    assert checks["pod-label"]["status"] == "fail" and "own metadata, not on its pod template" in checks["pod-label"]["message"]
    assert checks["pod-label"]["fix"] == ('in the manifest:\nspec:\n  template:\n    metadata:\n      labels:\n'
                                          '        azure.workload.identity/use: "true"')
    assert checks["service-account"]["status"] == "pass"


def test_an_unquoted_label_and_a_missing_serviceaccount_fail(webhook_bin, tmp_path):
    text = (EXAMPLES / "pod.yaml").read_text().replace('azure.workload.identity/use: "true"', "azure.workload.identity/use: true")
    (tmp_path / "pod.yaml").write_text(text)
    (tmp_path / "sa.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: other, namespace: production}\n")
    code, checks, _ = report(webhook_bin, "--file", str(tmp_path / "pod.yaml"), "--service-account", str(tmp_path / "sa.yaml"))
    assert code == 1
    assert checks["pod-label"]["status"] == "fail" and "unquoted" in checks["pod-label"]["message"]
    assert checks["service-account"]["status"] == "fail" and "kind: ServiceAccount" in checks["service-account"]["fix"]


def test_a_manifest_the_webhook_would_deny_fails_the_injection_check(webhook_bin, tmp_path):
    pod = yaml.safe_load((EXAMPLES / "pod.yaml").read_text())
    pod["metadata"]["annotations"] = {"azure.workload.identity/service-account-token-expiration": "100"}
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump(pod))
    code, checks, _ = report(webhook_bin, "--file", str(tmp_path / "pod.yaml"), "--service-account", "examples/serviceaccount.yaml")
    assert code == 1 and checks["injected"]["status"] == "fail"
    assert "the webhook denies this pod now: token expiration 100 not valid" in checks["injected"]["message"]


def test_text_output_offline(webhook_bin):
    code, out, err = doctor(webhook_bin, "--file", "examples/pod.yaml", "--service-account", "examples/serviceaccount.yaml")
    assert code == 0, err
    assert "SKIP  token-issuer           needs a cluster (offline check of --file)" in out
    assert "oidcIssuerProfile.issuerUrl" in out


def test_files_doctor_cannot_use_exit_two(webhook_bin, tmp_path):
    code, _, err = doctor(webhook_bin, "--file", "examples/admission-review.json")
    assert code == 2 and "holds no Pod, Deployment" in err
    code, _, err = doctor(webhook_bin, "--file", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml" in err
    code, _, err = doctor(webhook_bin, "deployment/absent", "--file", "examples/pod.yaml")
    assert code == 2 and "deployment/absent not found" in err
    code, _, err = doctor(webhook_bin, "--service-account", "examples/serviceaccount.yaml", "pod/x")
    assert code == 2 and "--service-account is for --file" in err
