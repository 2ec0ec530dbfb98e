"""Random pods through the running server: the patch applies with an independent RFC 6902
implementation (`jsonpatch`), keeps a schema-valid pod schema-valid (`kubernetes-validate`), and
admitting the patched pod again changes nothing.

The pods mix containers, init containers and native sidecars, env (including existing AZURE_*
entries and any unicode), envFrom, volumes, volume mounts (including the webhook's own volume
and path) and the webhook's pod annotations with good and bad values; each review is sent with
non-ASCII either escaped (surrogate pairs included) or as raw UTF-8. Every review goes to
`POST /mutate-v1-pod` of one `serve --dev` process over one keep-alive TLS connection, so the
server's own byte scanner reads exactly what Python wrote. Derandomized: CI sees the same pods
every run, and a failure prints the pod that caused it.
"""
import base64
import collections
import http.client
import json
import os
import pathlib
import ssl
import subprocess
import time

import jsonpatch
import kubernetes_validate
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
TOKEN_DIR = "/var/run/secrets/azure/tokens"
UID = "0b3e1f4c-7d2a-4c5e-9f6b-1a2b3c4d5e6f"
EXAMPLES = 150
SERVICE_ACCOUNT = f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-sa
  namespace: default
  annotations:
    azure.workload.identity/client-id: {CLIENT_ID}
"""

text = st.text(max_size=12)  # any unicode (no lone surrogates: Python cannot encode them as UTF-8)
container_names = st.sampled_from(["app", "sidecar", "azwi-proxy", "azwi-proxy-init", "init", "ünïcødé", "x" * 63])
env_names = st.sampled_from(["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE",
                             "AZURE_AUTHORITY_HOST", "PATH", "ÄZURE", "KEY"]) | text
volume_names = st.sampled_from(["azure-identity-token", "data", "cache", "äöü"])
mount_paths = st.sampled_from([TOKEN_DIR, "/data", "/var/run/secrets/azure", "/tmp/ünï"])

env_var = st.one_of(
    st.fixed_dictionaries({"name": env_names, "value": text}),
    st.fixed_dictionaries({"name": env_names}),
    st.fixed_dictionaries({"name": env_names, "valueFrom": st.just({"fieldRef": {"fieldPath": "metadata.name"}})}),
)
volume_mount = st.fixed_dictionaries({"name": volume_names, "mountPath": mount_paths},
                                     optional={"readOnly": st.booleans(), "subPath": text})
volume = st.one_of(
    st.fixed_dictionaries({"name": volume_names, "emptyDir": st.just({})}),
    st.fixed_dictionaries({"name": volume_names, "projected": st.just(
        {"sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 7200}}]})}),
)


@st.composite
def containers(draw, min_size):
    names = draw(st.lists(container_names, min_size=min_size, max_size=3, unique=True))
    result = []
    for name in names:
        container = {"name": name, "image": draw(st.sampled_from(["nginx", "contoso.azurecr.io/app:1.0"]))}
        if draw(st.booleans()):
            container["env"] = draw(st.lists(env_var, max_size=4))
        if draw(st.booleans()):
            container["volumeMounts"] = draw(st.lists(volume_mount, max_size=3))
        if draw(st.integers(0, 4)) == 0:
            container["envFrom"] = [{"configMapRef": {"name": "settings"}}]
        if draw(st.integers(0, 4)) == 0:
            container["restartPolicy"] = "Always"
        result.append(container)
    return result


annotation_values = {
    "azure.workload.identity/skip-containers": st.lists(container_names, max_size=2).map(";".join) | text,
    "azure.workload.identity/include-containers": st.lists(container_names, max_size=2).map(" ; ".join),
    "azure.workload.identity/inject-proxy-sidecar": st.sampled_from(["true", "false", "TRUE", "yes", ""]),
    "azure.workload.identity/proxy-sidecar-port": st.sampled_from(["8000", "1", "65535", "0", "70000", "x"]),
    "azure.workload.identity/service-account-token-expiration": st.sampled_from(["3600", "86400", "7200", "100", "1e4"]),
    "azure.workload.identity/injected": st.just('{"serviceAccount":"other","clientID":"old","tenantID":"old"}'),
    "kubernetes.io/config.mirror": st.just("3f0e4c1a"),  # a static pod's mirror: left alone
    "unrelated/ünï~code": text,
}


@st.composite
def pods(draw):
    metadata = {"name": draw(st.sampled_from(["app", "pod-ü"]))}
    if draw(st.booleans()):
        metadata["namespace"] = "default"
    keys = draw(st.lists(st.sampled_from(sorted(annotation_values)), max_size=3, unique=True))
    if keys or draw(st.booleans()):
        metadata["annotations"] = {key: draw(annotation_values[key]) for key in keys}
    if draw(st.booleans()):
        metadata["labels"] = {"azure.workload.identity/use": "true"}
    spec = {"serviceAccountName": "app-sa", "containers": draw(containers(min_size=1))}
    if draw(st.booleans()):
        spec["initContainers"] = draw(containers(min_size=0))
    if draw(st.booleans()):
        spec["volumes"] = draw(st.lists(volume, max_size=3, unique_by=lambda v: v["name"]))
    if draw(st.integers(0, 5)) == 0:
        spec["hostNetwork"] = True
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def review_of(pod):
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": UID, "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "namespace": "default", "operation": "CREATE", "object": pod}}


def is_valid(pod):
    try:
        kubernetes_validate.validate(pod, "1.32.0", strict=True)
    except kubernetes_validate.ValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def admit(webhook_bin, tmp_path_factory):
    """Starts `serve --dev` (its own throw-away CA) and returns admit(pod, ascii) -> (response, patch)."""
    directory = tmp_path_factory.mktemp("property")
    account = directory / "serviceaccount.yaml"
    account.write_text(SERVICE_ACCOUNT)
    log_path = directory / "webhook.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(webhook_bin), "serve", "--dev", "--port", "0", "--health-addr", "127.0.0.1:0",
             "--metrics-addr", "127.0.0.1:0", "--service-accounts", str(account)],
            env={"PATH": os.environ["PATH"], "AZURE_TENANT_ID": TENANT}, stdout=subprocess.DEVNULL, stderr=log)
    try:
        serving = wait_for_serving(log_path, process)
        context = ssl.create_default_context(cafile=str(pathlib.Path(serving["certDir"]) / "ca.crt"))
        connection = http.client.HTTPSConnection("127.0.0.1", serving["webhookPort"], context=context, timeout=30)

        def run(pod, ascii):
            body = json.dumps(review_of(pod), ensure_ascii=ascii).encode()
            connection.request("POST", "/mutate-v1-pod", body, {"Content-Type": "application/json"})
            reply = connection.getresponse()
            payload = reply.read()
            assert reply.status == 200, payload
            response = json.loads(payload)["response"]
            assert response["uid"] == UID
            if "patch" not in response:
                return response, None
            assert response["patchType"] == "JSONPatch"
            patch = json.loads(base64.b64decode(response["patch"], validate=True))
            assert isinstance(patch, list) and patch
            return response, patch

        yield run
        connection.close()
        assert process.poll() is None, f"the server exited: {log_path.read_text()}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def wait_for_serving(log_path, process, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text().splitlines():
            if line.startswith("{") and json.loads(line).get("msg") == "serving":
                return json.loads(line)
        assert process.poll() is None, f"the server exited: {log_path.read_text()}"
        time.sleep(0.05)
    raise AssertionError(f"not serving within {timeout}s: {log_path.read_text()}")


def check_one(admit, pod, ascii):
    """Admits `pod`, checks the patch and the second pass; returns the first decision."""
    response, patch = admit(pod, ascii)
    if not response["allowed"]:
        assert patch is None and response["status"]["code"] == 400
        return "denied"
    if patch is None:
        return "unchanged"
    mutated = jsonpatch.apply_patch(pod, patch)  # raises when an operation does not apply
    if is_valid(pod):
        kubernetes_validate.validate(mutated, "1.32.0", strict=True)
    again, second_patch = admit(mutated, ascii)
    assert again["allowed"] is True, again
    assert second_patch is None, f"second pass patched again: {second_patch}"
    return "mutated"


def test_patch_applies_keeps_the_pod_valid_and_is_idempotent(admit):
    outcomes = collections.Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
    @given(pod=pods(), ascii=st.booleans())
    def check(pod, ascii):
        outcomes[check_one(admit, pod, ascii)] += 1

    check()
    # The generator must reach every outcome often, or the properties above prove little.
    assert outcomes["mutated"] >= EXAMPLES // 3, outcomes
    assert outcomes["denied"] >= 5 and outcomes["unchanged"] >= 5, outcomes
