"""A cluster for `azwi-webhook doctor`: the API-server stand-in (over TLS, with a kubeconfig)
holding a healthy installation of the webhook and a healthy workload, which each test breaks
in one way.

The healthy pod is written out here from spec/admission.md, not produced by the webhook, so the
tests check doctor against the contract rather than against itself.
"""
import base64
import copy
import json
import os
import pathlib
import subprocess
import sys

import jsonschema
import pytest
from standin_control import control
from testpki import server_pki

HERE = pathlib.Path(__file__).parent
REPO = HERE.parents[2]
STAND_IN = REPO / "Tests" / "integration" / "kube" / "fake_apiserver.py"
SCHEMA = json.loads((REPO / "docs" / "doctor.schema.json").read_text())

SYSTEM = "azure-workload-identity-system"
NS = "production"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
ISSUER = "https://oidc.example.com/4b2f8c1e/"
MWC_NAME = "azure-wi-webhook-mutating-webhook-configuration"
SERVICE = "azure-wi-webhook-webhook-service"
WEBHOOK_CREATED = "2026-01-01T00:00:00Z"
POD_CREATED = "2026-02-01T00:00:00Z"
USE = "azure.workload.identity/use"
CLIENT_ID_KEY = "azure.workload.identity/client-id"
CHECK_IDS = ["webhook-configuration", "webhook-endpoints", "ca-bundle", "pod-label", "namespace-selector",
             "service-account", "client-id", "tenant-id", "injected", "token-issuer"]


@pytest.fixture(scope="session")
def apiserver_pki(tmp_path_factory):
    return server_pki(tmp_path_factory.mktemp("apiserver-pki"), "/CN=test-ca", "localhost",
                      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")


def webhook_pki(directory):
    host = f"{SERVICE}.{SYSTEM}.svc"
    # The name is in the subjectAltName; a common name is limited to 64 characters.
    return server_pki(directory, "/O=azure-workload-identity/CN=azure-workload-identity-ca", "azure-wi-webhook",
                      f"subjectAltName=DNS:{host}\nextendedKeyUsage=serverAuth")


@pytest.fixture(scope="session")
def serving_pki(tmp_path_factory):
    """The webhook's CA and serving certificate, as the Secret holds them."""
    return webhook_pki(tmp_path_factory.mktemp("webhook-pki"))


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory):
    """A CA that did not sign the serving certificate: a stale caBundle."""
    return webhook_pki(tmp_path_factory.mktemp("other-pki")) / "ca.crt"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def mutated(pod, client_id=CLIENT_ID, tenant=TENANT, skip=()):
    """The pod as the webhook leaves it (spec/admission.md, "The mutation")."""
    pod = copy.deepcopy(pod)
    spec = pod["spec"]
    values = [("AZURE_CLIENT_ID", client_id), ("AZURE_TENANT_ID", tenant),
              ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token"),
              ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/")]
    for container in spec.get("initContainers", []) + spec["containers"]:
        if container["name"] in skip:
            continue
        env = container.setdefault("env", [])
        names = {e["name"] for e in env}
        env += [{"name": n, "value": v} for n, v in values if v and n not in names]
        container.setdefault("volumeMounts", []).append(
            {"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens", "readOnly": True})
    spec.setdefault("volumes", []).append({"name": "azure-identity-token", "projected": {"sources": [
        {"serviceAccountToken": {"path": "azure-identity-token", "expirationSeconds": 3600,
                                 "audience": "api://AzureADTokenExchange"}}]}})
    record = {"serviceAccount": spec.get("serviceAccountName") or "default", "clientID": client_id, "tenantID": tenant}
    pod["metadata"].setdefault("annotations", {})["azure.workload.identity/injected"] = json.dumps(record, separators=(",", ":"))
    return pod


def pod_template(labels=None, service_account="keyvault-reader", annotations=None):
    return {"metadata": {"labels": {"app": "web", USE: "true"} if labels is None else labels,
                         **({"annotations": annotations} if annotations else {})},
            "spec": {"serviceAccountName": service_account,
                     "containers": [{"name": "app", "image": "ghcr.io/azure/azure-workload-identity/msal-go:latest"}]}}


class Cluster:
    """The stand-in with a healthy webhook and workload; `doctor(...)` runs the real binary."""

    def __init__(self, binary, apiserver_pki, serving_pki, tmp):
        self.binary, self.pki, self.tmp = binary, apiserver_pki, tmp
        self.proc = subprocess.Popen(
            [sys.executable, str(STAND_IN), "--port", "0", "--cert", str(apiserver_pki / "tls.crt"),
             "--key", str(apiserver_pki / "tls.key"), "--token", "developer-token", "--issuer", ISSUER],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())
        self.kubeconfig = self.write_kubeconfig("kubeconfig", self.port)
        self.serving_pki = serving_pki
        self.install_webhook()
        self.install_workload()

    # --- the stand-in ---------------------------------------------------------------------
    def control(self, method, path, body=None):
        return control(self.port, self.pki / "ca.crt", method, path, body)

    def put(self, resource, obj):
        return self.control("POST", "objects/" + resource, obj)

    def get(self, resource, namespace, name):
        return self.control("GET", f"objects/{resource}/{namespace or '-'}/{name}")

    def service_account(self, name="keyvault-reader", annotations=None, labels=None, namespace=NS):
        meta = {"name": name, "namespace": namespace,
                "annotations": {CLIENT_ID_KEY: CLIENT_ID} if annotations is None else annotations}
        if labels:
            meta["labels"] = labels
        return self.control("POST", "serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta})

    def delete_service_account(self, name="keyvault-reader", namespace=NS):
        self.control("DELETE", f"serviceaccounts/{namespace}/{name}")

    def forbid(self, resource, verb=None):
        self.control("POST", "forbid", {"resource": resource, **({"verb": verb} if verb else {})})

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)

    def write_kubeconfig(self, name, port, namespace=None):
        path = self.tmp / name
        context = "{cluster: stand-in, user: developer" + (f", namespace: {namespace}" if namespace else "") + "}"
        path.write_text(f"""apiVersion: v1
kind: Config
current-context: stand-in
clusters:
- name: stand-in
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority-data: {b64((self.pki / "ca.crt").read_bytes())}
users:
- name: developer
  user:
    token: developer-token
contexts:
- name: stand-in
  context: {context}
""")
        return path

    # --- the world ------------------------------------------------------------------------
    def webhook_configuration(self, ca_bundle=None, namespace_selector=None):
        selector = namespace_selector or {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [SYSTEM, "kube-system"]}]}
        return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
                "metadata": {"name": MWC_NAME, "creationTimestamp": WEBHOOK_CREATED},
                "webhooks": [{"name": "mutation.azure-workload-identity.io", "admissionReviewVersions": ["v1", "v1beta1"],
                              "clientConfig": {"service": {"name": SERVICE, "namespace": SYSTEM, "path": "/mutate-v1-pod", "port": 443},
                                               "caBundle": b64((ca_bundle or self.serving_pki / "ca.crt").read_bytes())},
                              "failurePolicy": "Fail", "matchPolicy": "Equivalent", "namespaceSelector": selector,
                              "objectSelector": {"matchLabels": {USE: "true"}}, "reinvocationPolicy": "IfNeeded",
                              "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}],
                              "sideEffects": "None", "timeoutSeconds": 10}]}

    def endpoint_slice(self, ready=True):
        return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                "metadata": {"name": SERVICE + "-x7k2p", "namespace": SYSTEM, "labels": {"kubernetes.io/service-name": SERVICE}},
                "endpoints": [{"addresses": [f"10.244.0.{i}"], "conditions": {"ready": ready}} for i in (5, 6)],
                "ports": [{"port": 9443, "protocol": "TCP"}]}

    def install_webhook(self):
        labels = {"app": "workload-identity-webhook", "azure-workload-identity.io/system": "true"}
        self.put("namespaces", {"metadata": {"name": SYSTEM}})
        self.put("mutatingwebhookconfigurations", self.webhook_configuration())
        self.put("services", {"metadata": {"name": SERVICE, "namespace": SYSTEM},
                              "spec": {"selector": labels, "ports": [{"port": 443, "targetPort": 9443}]}})
        self.put("endpointslices", self.endpoint_slice())
        pki = self.serving_pki
        self.put("secrets", {"metadata": {"name": "azure-wi-webhook-server-cert", "namespace": SYSTEM}, "type": "Opaque",
                             "data": {name: b64((pki / name).read_bytes()) for name in ("ca.crt", "tls.crt", "tls.key")}})
        self.put("configmaps", {"metadata": {"name": "azure-wi-webhook-config", "namespace": SYSTEM},
                                "data": {"AZURE_ENVIRONMENT": "AzurePublicCloud", "AZURE_TENANT_ID": TENANT}})

    def install_workload(self, template=None, deployment_labels=None, pod=None):
        """Namespace production, ServiceAccount keyvault-reader, Deployment web → ReplicaSet → one mutated pod."""
        self.put("namespaces", {"metadata": {"name": NS}})
        self.service_account()
        template = template or pod_template()
        self.put("deployments", {"apiVersion": "apps/v1", "kind": "Deployment",
                                 "metadata": {"name": "web", "namespace": NS, "uid": "uid-deployment-web",
                                              **({"labels": deployment_labels} if deployment_labels else {})},
                                 "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}})
        self.put("replicasets", {"metadata": {"name": "web-5d8f7", "namespace": NS, "uid": "uid-rs-web",
                                              "labels": {"app": "web"}, "ownerReferences": [
                                                  {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                                   "uid": "uid-deployment-web", "controller": True}]},
                                 "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}})
        self.put("pods", pod or self.pod_of(template, mutated_as=CLIENT_ID))

    def pod_of(self, template, mutated_as=None, created=POD_CREATED, name="web-5d8f7-x2x9q", owner=("ReplicaSet", "web-5d8f7", "uid-rs-web")):
        pod = copy.deepcopy(template)
        pod["metadata"].update({"name": name, "namespace": NS, "creationTimestamp": created, "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": owner[2], "controller": True}]})
        return mutated(pod, client_id=mutated_as) if mutated_as is not None else pod

    # --- running doctor -------------------------------------------------------------------
    def doctor(self, *args, kubeconfig=None):
        """Runs `azwi-webhook doctor ARGS --kubeconfig K`; returns (exit status, stdout, stderr)."""
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        result = subprocess.run([str(self.binary), "doctor", *args, "--kubeconfig", str(kubeconfig or self.kubeconfig)],
                                capture_output=True, text=True, timeout=60, env=env)
        for token in self.control("GET", "tokens")["tokens"]:
            assert token not in result.stdout and token not in result.stderr, "doctor printed a token"
            assert token.split(".")[1] not in result.stdout + result.stderr, "doctor printed a token's payload"
        return result.returncode, result.stdout, result.stderr

    def report(self, target="deployment/web", *args, expect_exit=None):
        """Runs doctor with -o json; validates the output against docs/doctor.schema.json."""
        code, out, err = self.doctor(target, "-n", NS, "-o", "json", *args)
        assert code in (0, 1), (code, err)
        report = json.loads(out)
        jsonschema.Draft202012Validator(SCHEMA).validate(report)
        assert [c["id"] for c in report["checks"]] == CHECK_IDS
        failed = any(c["status"] == "fail" for c in report["checks"])
        assert code == (1 if failed else 0), (code, report)
        if expect_exit is not None:
            assert code == expect_exit, report
        report["by_id"] = {c["id"]: c for c in report["checks"]}
        return report


@pytest.fixture
def cluster(webhook_bin, apiserver_pki, serving_pki, tmp_path):
    c = Cluster(webhook_bin, apiserver_pki, serving_pki, tmp_path)
    yield c
    c.stop()
