"""The admission rule table (Tests/Fixtures/admission/cases/*.yaml), run through the real binary.

For each case: `azwi-webhook mutate --output review`, then the returned patch is applied to the
request's pod with `jsonpatch` (an independent RFC 6902 implementation) and compared with
`expect.pod`; the result is validated against the Kubernetes 1.32 schema; denials and warnings
are compared exactly; and the command is run again on the resulting pod, which must yield no patch.
A case whose `expect` is `startError` names a configuration `mutate` (like `serve`) must refuse:
the command exits non-zero with that message on stderr and prints nothing on stdout. Cases with
`kubernetesVersions` are validated against each of those schemas instead of 1.32's.
"""
import base64
import copy
import json
import os
import pathlib
import subprocess

import jsonpatch
import kubernetes_validate
import pytest
import yaml

CASES_DIR = pathlib.Path(__file__).resolve().parents[2] / "Fixtures" / "admission" / "cases"
CASES = sorted(CASES_DIR.glob("*.yaml"))
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def load(path):
    case = yaml.safe_load(path.read_text())
    assert set(case) <= {"review", "pod", "namespace", "serviceAccount", "env", "args", "expect", "futureFields",
                         "kubernetesVersions"}, path
    expect = case["expect"]
    assert len({"pod", "unchanged", "denied", "startError"} & set(expect)) == 1, \
        f"{path}: expect one of pod/unchanged/denied/startError"
    return case


def review_of(case):
    """The AdmissionReview request the case describes (pods are wrapped in a v1 CREATE review)."""
    if "review" in case:
        return copy.deepcopy(case["review"])
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "namespace": case.get("namespace", "default"), "operation": "CREATE",
        "userInfo": {"username": "admin"}, "object": copy.deepcopy(case["pod"]), "dryRun": False}}


def run_mutate(webhook_bin, case, review, tmp_path):
    """Runs `mutate --output review`; returns the completed process."""
    review_file = tmp_path / "review.json"
    review_file.write_text(json.dumps(review))
    args = [str(webhook_bin), "mutate", "--review", str(review_file), "--output", "review", *case.get("args", [])]
    if "serviceAccount" in case:
        sa_file = tmp_path / "serviceaccount.yaml"
        sa_file.write_text(yaml.safe_dump(case["serviceAccount"]))
        args += ["--service-account", str(sa_file)]
    env = {"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT, **case.get("env", {})}
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=30)


def admit(webhook_bin, case, review, tmp_path):
    """Runs `mutate --output review`; returns (response, stderr, exit code)."""
    result = run_mutate(webhook_bin, case, review, tmp_path)
    assert result.stdout, f"no response on stdout (exit {result.returncode}): {result.stderr}"
    return json.loads(result.stdout), result.stderr, result.returncode


def patch_of(response):
    if "patch" not in response:
        assert "patchType" not in response
        return []
    assert response["patchType"] == "JSONPatch"
    patch = json.loads(base64.b64decode(response["patch"], validate=True))
    assert patch, "an empty patch must be omitted"
    assert {op["op"] for op in patch} <= {"add", "replace"}, patch
    return patch


def test_the_table_is_not_empty():
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(webhook_bin, path, tmp_path):
    case = load(path)
    expect = case["expect"]
    review = review_of(case)
    if "startError" in expect:
        result = run_mutate(webhook_bin, case, review, tmp_path)
        assert result.returncode != 0
        assert result.stdout == ""
        assert f"Error: {expect['startError']}" in result.stderr
        return
    response_review, stderr, code = admit(webhook_bin, case, review, tmp_path)

    assert response_review["apiVersion"] == review["apiVersion"]
    assert response_review["kind"] == "AdmissionReview"
    response = response_review["response"]
    assert response["uid"] == review["request"]["uid"]
    assert response.get("warnings", []) == expect.get("warnings", [])
    assert all(len(w) <= 120 for w in response.get("warnings", []))

    if "denied" in expect:
        assert code == 1, stderr
        assert response["allowed"] is False
        assert response["status"] == {"code": 400, "message": expect["denied"]}
        assert "patch" not in response
        mutated = review["request"]["object"]
    else:
        assert code == 0, stderr
        assert response["allowed"] is True
        patch = patch_of(response)
        mutated = jsonpatch.apply_patch(review["request"]["object"], patch)
        if expect.get("unchanged"):
            assert patch == []
        else:
            assert mutated == expect["pod"]
            for version in case.get("kubernetesVersions", ["1.32.0"]):
                kubernetes_validate.validate(mutated, version, strict=not case.get("futureFields", False))

    # Idempotency: the result admitted again yields no patch (and the same decision).
    again = copy.deepcopy(review)
    again["request"]["object"] = mutated
    second, stderr, code = admit(webhook_bin, case, again, tmp_path)
    assert "patch" not in second["response"], f"second pass patched: {patch_of(second['response'])}"
    assert second["response"]["allowed"] is ("denied" not in expect), stderr
