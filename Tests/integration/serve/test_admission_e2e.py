"""The README example end to end: AdmissionReview over real TLS, the patch applied with jsonpatch."""
import base64
import copy
import json
import os
import re
import subprocess

import jsonpatch


def post(webhook, body, path="/mutate-v1-pod?timeout=10s", headers=None):
    connection = webhook.https()
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def apply_patch(review, response_review):
    patch = json.loads(base64.b64decode(response_review["response"]["patch"]))
    return jsonpatch.JsonPatch(patch).apply(copy.deepcopy(review["request"]["object"]))


def env_of(container):
    return {entry["name"]: entry.get("value") for entry in container.get("env", [])}


def test_example_review_is_mutated_and_patch_applies(webhook, review_bytes):
    status, headers, body = post(webhook, review_bytes)
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    answer = json.loads(body)
    review = json.loads(review_bytes)
    assert answer["apiVersion"] == review["apiVersion"]
    assert answer["kind"] == "AdmissionReview"
    assert answer["response"]["uid"] == review["request"]["uid"]
    assert answer["response"]["allowed"] is True
    assert answer["response"]["patchType"] == "JSONPatch"

    pod = apply_patch(review, answer)
    for container in pod["spec"]["containers"]:
        env = env_of(container)
        assert env["AZURE_CLIENT_ID"] == "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
        assert env["AZURE_TENANT_ID"] == "11111111-2222-3333-4444-555555555555"
        assert env["AZURE_FEDERATED_TOKEN_FILE"] == "/var/run/secrets/azure/tokens/azure-identity-token"
        assert env["AZURE_AUTHORITY_HOST"] == "https://login.microsoftonline.com/"
        assert {"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens", "readOnly": True} in container["volumeMounts"]
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "azure-identity-token")
    token = volume["projected"]["sources"][0]["serviceAccountToken"]
    assert token == {"path": "azure-identity-token", "expirationSeconds": 3600, "audience": "api://AzureADTokenExchange"}


def test_one_log_line_per_admission_without_secrets(webhook, review_bytes):
    status, _, _ = post(webhook, review_bytes)
    assert status == 200
    entry = webhook.wait_for_log(lambda e: e.get("msg") == "admission", 5)
    assert entry["level"] == "info"
    assert entry["pod"] == "secret-consumer"
    assert entry["namespace"] == "production"
    assert entry["serviceAccount"] == "keyvault-reader"
    assert entry["decision"] == "mutated"
    assert isinstance(entry["durationMs"], (int, float))
    raw = "\n".join(webhook.lines)
    assert '"request"' not in raw and "AdmissionReview" not in raw


def test_unknown_service_account_is_denied(webhook, review_bytes):
    review = json.loads(review_bytes)
    review["request"]["object"]["spec"]["serviceAccountName"] = "nobody"
    status, _, body = post(webhook, json.dumps(review).encode())
    assert status == 200
    response = json.loads(body)["response"]
    assert response["allowed"] is False
    assert 'serviceaccounts "nobody" not found' in response["status"]["message"]


def test_v1beta1_review_answered_in_v1beta1(webhook, review_bytes):
    review = json.loads(review_bytes)
    review["apiVersion"] = "admission.k8s.io/v1beta1"
    status, _, body = post(webhook, json.dumps(review).encode(), path="/mutate-v1-pod")
    assert status == 200
    assert json.loads(body)["apiVersion"] == "admission.k8s.io/v1beta1"


def test_not_a_review_is_400_plain_text(webhook):
    for body in (b"not json", b"{}", b'{"request": {}}', b"[1,2,3]", b'{"request": {"uid": '):
        status, headers, text = post(webhook, body)
        assert status == 400, body
        assert headers["Content-Type"].startswith("text/plain")
        assert text.strip()


def test_other_paths_404_other_methods_405(webhook, review_bytes):
    status, _, _ = post(webhook, review_bytes, path="/mutate-v1-deployment")
    assert status == 404
    connection = webhook.https()
    try:
        connection.request("GET", "/mutate-v1-pod")
        response = connection.getresponse()
        response.read()
        assert response.status == 405
        assert response.getheader("Allow") == "POST"
    finally:
        connection.close()


def test_dev_mode_prints_a_working_curl_line(webhook_bin, repo_root, base_env):
    env = dict(base_env)
    env.pop("AZURE_TENANT_ID")
    process = subprocess.Popen(
        [str(webhook_bin), "--dev", "--port", "0", "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"],
        cwd=repo_root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.fullmatch(
            r"curl --cacert (\S+)/ca\.crt -H 'Content-Type: application/json' "
            r"--data @examples/admission-review\.json https://127\.0\.0\.1:(\d+)/mutate-v1-pod\n", line)
        assert match, line
        certificate_dir = match.group(1)
        result = subprocess.run(line.strip() + " -sS", shell=True, cwd=repo_root, capture_output=True, text=True,
                                timeout=30)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        assert answer["response"]["allowed"] is True
        pod = apply_patch(json.loads((repo_root / "examples" / "admission-review.json").read_text()), answer)
        assert env_of(pod["spec"]["containers"][0])["AZURE_TENANT_ID"] == "00000000-0000-0000-0000-000000000000"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "placeholder tenant" in err
    assert not os.path.exists(certificate_dir), "dev certificates are removed at exit"
