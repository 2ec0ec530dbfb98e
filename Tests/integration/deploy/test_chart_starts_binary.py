"""The rendered Deployment's args and env start the image's azwi-webhook (scripts/build-release): it
gets ready, admits a pod over TLS on the --port the chart passes with the ConfigMap's tenant and
cloud, and serves metrics on --metrics-addr."""
import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
import time

import pytest

from chart_render import NAMESPACE, OPTIONS, container

SERVICE_ACCOUNTS = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: keyvault-reader
  namespace: production
  annotations:
    azure.workload.identity/client-id: 5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def replace_port(args, flag, port):
    """`--flag=[host]:N` or `--flag=N` becomes the same with `port`."""
    out = [a for a in args if not a.startswith(flag + "=")]
    [old] = [a for a in args if a.startswith(flag + "=")]
    value = old.split("=", 1)[1]
    new = f"{value.rsplit(':', 1)[0]}:{port}" if ":" in value else str(port)
    return out + [f"{flag}={new}"]


AUTHORITY = {"AzurePublicCloud": "https://login.microsoftonline.com/",
             "AzureUSGovernmentCloud": "https://login.microsoftonline.us/",
             "AzureStackCloud": "https://login.example.test/"}  # from the file extraEnv points at
RUNS = {  # name -> (sets, values files)
    "default": OPTIONS["default"],
    "upstream-example": OPTIONS["upstream-example"],
    "extras-azure-stack": (("azureEnvironment=AzureStackCloud",), OPTIONS["extras"][1]),
    "identity-binding": OPTIONS["identity-binding"],
    "identity-binding-ca-data": OPTIONS["identity-binding-ca-data"],
}


def http_status(port, path) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize("run", RUNS)
def test_rendered_args_and_env_start_the_binary(shipped_bin, objects, run, tmp_path, repo_root):
    sets, values = RUNS[run]
    objs = objects(*sets, values=values)
    c = container(objs)
    config = objs[("ConfigMap", "azure-wi-webhook-config")]["data"]

    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=azure-wi-webhook",
                    "-addext", f"subjectAltName=DNS:azure-wi-webhook-webhook-service.{NAMESPACE}.svc,IP:127.0.0.1",
                    "-keyout", certs / "tls.key", "-out", certs / "tls.crt"], check=True, capture_output=True, timeout=30)
    accounts = tmp_path / "serviceaccounts.yaml"
    accounts.write_text(SERVICE_ACCOUNTS)

    env = {"PATH": os.environ["PATH"], **config, "POD_NAMESPACE": NAMESPACE}
    for var in c["env"]:
        if "value" in var:
            env[var["name"]] = var["value"]
    if "AZURE_ENVIRONMENT_FILEPATH" in env:  # extras.yaml mounts a custom cloud's file there: make it here
        env["AZURE_ENVIRONMENT_FILEPATH"] = str(tmp_path / "environment.json")
        (tmp_path / "environment.json").write_text(json.dumps({"activeDirectoryEndpoint": AUTHORITY["AzureStackCloud"]}))

    port, metrics, health = free_port(), free_port(), free_port()
    args = replace_port(replace_port(c["args"], "--port", port), "--metrics-addr", metrics)
    # No cluster here: certificates from a directory, ServiceAccounts from a file.
    args += [f"--health-addr=:{health}", f"--webhook-cert-dir={certs}", f"--service-accounts={accounts}",
             "--disable-cert-rotation"]
    proc = subprocess.Popen([shipped_bin, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = http_status(health, "/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert status == 200, f"not ready (exit {proc.poll()}), args {args}"
        assert http_status(health, "/healthz") == 200
        assert http_status(metrics, "/metrics") == 200
        review = (repo_root / "examples" / "admission-review.json").read_bytes()
        tls = ssl.create_default_context(cafile=str(certs / "tls.crt"))
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=tls)
        conn.request("POST", "/mutate-v1-pod", review, {"Content-Type": "application/json"})
        reply = conn.getresponse()
        assert reply.status == 200
        response = json.loads(reply.read())["response"]
        conn.close()
        assert response["allowed"] is True
        patch = json.loads(base64.b64decode(response["patch"]))
        injected = {e["name"]: e["value"] for op in patch for e in
                    (op["value"] if isinstance(op["value"], list) else [op["value"]])
                    if isinstance(e, dict) and "name" in e and "value" in e}
        assert injected["AZURE_TENANT_ID"] == config["AZURE_TENANT_ID"]
        assert injected["AZURE_AUTHORITY_HOST"] == AUTHORITY[config["AZURE_ENVIRONMENT"]]
    finally:
        proc.terminate()
        try:
            output = proc.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0]
        print(output)
