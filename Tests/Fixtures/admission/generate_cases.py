"""Writes cases/*.yaml: the admission rule table, one case per rule of shared/spec/admission.md.

The expected pods are built here by hand from the spec (not by the Swift code), so the table is
an independent statement of what the webhook must do. Re-run after editing:
    python3 Tests/Fixtures/admission/generate_cases.py
"""
import copy
import json
import pathlib

import yaml

CASES = pathlib.Path(__file__).parent / "cases"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"   # the harness's default AZURE_TENANT_ID
CLIENT = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
OTHER_CLIENT = "0f0e0d0c-0b0a-4909-8807-060504030201"
PUBLIC = "https://login.microsoftonline.com/"
TOKEN_DIR = "/var/run/secrets/azure/tokens"
TOKEN_FILE = TOKEN_DIR + "/azure-identity-token"
AUDIENCE = "api://AzureADTokenExchange"
PROXY = "mcr.microsoft.com/oss/azure/workload-identity/proxy:v1.5.1"
PROXY_INIT = "mcr.microsoft.com/oss/azure/workload-identity/proxy-init:v1.5.1"
MOUNT = {"name": "azure-identity-token", "readOnly": True, "mountPath": TOKEN_DIR}


def sa(name="app-sa", namespace="default", **annotations):
    meta = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = {("azure.workload.identity/" + k.replace("_", "-")): v for k, v in annotations.items()}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}


SA = sa(client_id=CLIENT)


def pod(containers=None, init=None, annotations=None, labels=None, sa_name="app-sa", namespace="default", **spec):
    meta = {"name": "app", "labels": labels if labels is not None else {"azure.workload.identity/use": "true"}}
    if namespace is not None:
        meta["namespace"] = namespace
    if annotations:
        meta["annotations"] = annotations
    body = {}
    if sa_name is not None:
        body["serviceAccountName"] = sa_name
    if init is not None:
        body["initContainers"] = init
    body["containers"] = containers if containers is not None else [container("app")]
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": body}


def container(name, **fields):
    return {"name": name, "image": f"contoso.azurecr.io/{name}:1.0", **fields}


def env(client=CLIENT, tenant=TENANT, host=PUBLIC):
    out = []
    if client:
        out.append({"name": "AZURE_CLIENT_ID", "value": client})
    if tenant:
        out.append({"name": "AZURE_TENANT_ID", "value": tenant})
    out.append({"name": "AZURE_FEDERATED_TOKEN_FILE", "value": TOKEN_FILE})
    if host:
        out.append({"name": "AZURE_AUTHORITY_HOST", "value": host})
    return out


def volume(seconds=3600, audience=AUDIENCE):
    return {"name": "azure-identity-token", "projected": {"sources": [{"serviceAccountToken": {
        "path": "azure-identity-token", "expirationSeconds": seconds, "audience": audience}}]}}


def record(sa_name="app-sa", client=CLIENT, tenant=TENANT):
    return json.dumps({"serviceAccount": sa_name, "clientID": client, "tenantID": tenant}, separators=(",", ":"))


def injected(c, **kw):
    """A container as the webhook leaves it: our env appended, our mount appended."""
    c = copy.deepcopy(c)
    names = {e["name"] for e in c.get("env", [])}
    c["env"] = c.get("env", []) + [e for e in env(**kw) if e["name"] not in names]
    c["volumeMounts"] = c.get("volumeMounts", []) + [MOUNT]
    return c


def mutated(p, *, seconds=3600, audience=AUDIENCE, sa_name="app-sa", namespace="default", client=CLIENT,
            tenant=TENANT, host=PUBLIC, skip=(), record_annotation=True):
    """The standard mutation of every container and the volume (no proxy)."""
    p = copy.deepcopy(p)
    p["metadata"].setdefault("namespace", namespace)
    for key in ("initContainers", "containers"):
        if key in p["spec"]:
            p["spec"][key] = [c if c["name"] in skip else injected(c, client=client, tenant=tenant, host=host)
                              for c in p["spec"][key]]
    p["spec"]["volumes"] = p["spec"].get("volumes", []) + [volume(seconds, audience)]
    if record_annotation:
        p["metadata"].setdefault("annotations", {})["azure.workload.identity/injected"] = record(sa_name, client, tenant)
    return p


def proxy_init(port=8000, image=PROXY_INIT, mutate=True):
    c = {"name": "azwi-proxy-init", "image": image, "imagePullPolicy": "IfNotPresent",
         "securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}, "privileged": True,
                             "runAsNonRoot": False, "runAsUser": 0},
         "env": [{"name": "PROXY_PORT", "value": str(port)}], "resources": {}}
    if mutate:
        c["env"] += env()
        c["volumeMounts"] = [MOUNT]
    return c


def proxy(port=8000, level="info", native=False, image=PROXY, mutate=True):
    c = {"name": "azwi-proxy", "image": image, "imagePullPolicy": "IfNotPresent",
         "args": [f"--proxy-port={port}", f"--log-level={level}"], "ports": [{"containerPort": port}],
         "lifecycle": {"postStart": {"exec": {"command": ["/proxy", f"--proxy-port={port}", "--probe", f"--log-level={level}"]}}},
         "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "privileged": False,
                             "readOnlyRootFilesystem": True, "runAsNonRoot": True},
         "resources": {}}
    if native:
        c["restartPolicy"] = "Always"
    if mutate:
        c["env"] = env()
        c["volumeMounts"] = [MOUNT]
    return c


def review(p, api="admission.k8s.io/v1", operation="CREATE", resource="pods", sub=None, namespace="default", dry_run=False):
    req = {"uid": "3b4f6a2e-1c9d-4e8f-a7b6-5d4c3b2a1908",
           "kind": {"group": "", "version": "v1", "kind": "Pod" if resource == "pods" else "Deployment"},
           "resource": {"group": "" if resource == "pods" else "apps", "version": "v1", "resource": resource},
           "namespace": namespace, "operation": operation, "userInfo": {"username": "admin"},
           "object": p, "oldObject": None, "dryRun": dry_run}
    if sub:
        req["subResource"] = sub
    return {"apiVersion": api, "kind": "AdmissionReview", "request": req}


DENY_PROXY_SIDECAR = {"azure.workload.identity/inject-proxy-sidecar": "true"}
cases = {}


def case(name, *, expect, **fields):
    cases[name] = {**fields, "expect": expect}


# --- Request and response --------------------------------------------------------------------
P = pod()
case("basic-pod", pod=P, serviceAccount=SA, expect={"pod": mutated(P)})
case("review-v1", review=review(P), serviceAccount=SA, expect={"pod": mutated(P)})
case("review-v1beta1", review=review(P, api="admission.k8s.io/v1beta1"), serviceAccount=SA, expect={"pod": mutated(P)})
case("review-dry-run", review=review(P, dry_run=True), serviceAccount=SA, expect={"pod": mutated(P)})
case("update-is-unchanged", review=review(P, operation="UPDATE"), serviceAccount=SA, expect={"unchanged": True})
case("delete-is-unchanged", review=review(P, operation="DELETE"), serviceAccount=SA, expect={"unchanged": True})
case("not-a-pod-is-unchanged", review=review({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                                              "spec": {"containers": "not even a list"}}, resource="deployments"),
     serviceAccount=SA, expect={"unchanged": True})
case("pod-subresource-is-unchanged", review=review(P, sub="status"), serviceAccount=SA, expect={"unchanged": True})
MIRROR = pod(annotations={"kubernetes.io/config.mirror": "3c1a0b7d9e8f"})
case("mirror-pod-is-unchanged", pod=MIRROR, serviceAccount=SA, expect={"unchanged": True})
UNLABELLED = pod(labels={})
case("no-label-is-mutated-by-default", pod=UNLABELLED, serviceAccount=SA, expect={"pod": mutated(UNLABELLED)})
case("require-label-unlabelled-is-unchanged", pod=UNLABELLED, serviceAccount=SA, args=["--require-label"], expect={"unchanged": True})
FALSE_LABEL = pod(labels={"azure.workload.identity/use": "false"})
case("require-label-false-is-unchanged", pod=FALSE_LABEL, serviceAccount=SA, args=["--require-label"], expect={"unchanged": True})
case("require-label-labelled-is-mutated", pod=P, serviceAccount=SA, args=["--require-label"], expect={"pod": mutated(P)})
case("invalid-pod-containers-not-array", review=review({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"},
                                                        "spec": {"containers": {"name": "app"}}}),
     serviceAccount=SA, expect={"denied": "invalid pod: spec.containers must be an array"})

# --- Inputs: namespace and ServiceAccount -----------------------------------------------------
NO_NS = pod(namespace=None)
case("namespace-added-when-absent", pod=NO_NS, namespace="team-a", serviceAccount=sa(namespace="team-a", client_id=CLIENT),
     expect={"pod": mutated(NO_NS, namespace="team-a")})
case("service-account-not-found", pod=P, expect={"denied": 'serviceaccounts "app-sa" not found'})
DEFAULT_SA = pod(sa_name=None)
case("default-service-account-used", pod=DEFAULT_SA, serviceAccount=sa("default", client_id=CLIENT),
     expect={"pod": mutated(DEFAULT_SA, sa_name="default")})
case("default-service-account-not-found", pod=DEFAULT_SA, serviceAccount=SA, expect={"denied": 'serviceaccounts "default" not found'})
case("no-client-id-warns", pod=P, serviceAccount=sa(), expect={
    "pod": mutated(P, client=""),
    "warnings": ["AZURE_CLIENT_ID not injected: ServiceAccount default/app-sa has no azure.workload.identity/client-id annotation"]})
case("service-account-tenant-wins", pod=P, serviceAccount=sa(client_id=CLIENT, tenant_id="11111111-2222-4333-8444-555555555555"),
     expect={"pod": mutated(P, tenant="11111111-2222-4333-8444-555555555555")})
case("service-account-empty-tenant-not-injected", pod=P, serviceAccount=sa(client_id=CLIENT, tenant_id=""),
     expect={"pod": mutated(P, tenant="")})

# --- Token lifetime ---------------------------------------------------------------------------
EXP_POD = pod(annotations={"azure.workload.identity/service-account-token-expiration": "7200"})
case("token-expiration-from-pod", pod=EXP_POD, serviceAccount=SA, expect={"pod": mutated(EXP_POD, seconds=7200)})
case("token-expiration-from-service-account", pod=P,
     serviceAccount=sa(client_id=CLIENT, service_account_token_expiration="86400"), expect={"pod": mutated(P, seconds=86400)})
case("token-expiration-pod-wins-over-service-account", pod=EXP_POD,
     serviceAccount=sa(client_id=CLIENT, service_account_token_expiration="86400"), expect={"pod": mutated(EXP_POD, seconds=7200)})
EMPTY_EXP = pod(annotations={"azure.workload.identity/service-account-token-expiration": ""})
case("token-expiration-empty-pod-falls-back", pod=EMPTY_EXP,
     serviceAccount=sa(client_id=CLIENT, service_account_token_expiration="5000"), expect={"pod": mutated(EMPTY_EXP, seconds=5000)})
for value in ("3599", "86401", "0", "-3600"):
    case(f"token-expiration-out-of-range-{value.replace('-', 'minus')}",
         pod=pod(annotations={"azure.workload.identity/service-account-token-expiration": value}), serviceAccount=SA,
         expect={"denied": f"token expiration {value} not valid. Expected value to be between 3600 and 86400"})
case("token-expiration-service-account-out-of-range", pod=P,
     serviceAccount=sa(client_id=CLIENT, service_account_token_expiration="100"),
     expect={"denied": "token expiration 100 not valid. Expected value to be between 3600 and 86400"})
case("token-expiration-not-an-integer", pod=pod(annotations={"azure.workload.identity/service-account-token-expiration": "1h"}),
     serviceAccount=SA, expect={"denied": 'token expiration "1h" not valid. Expected an integer between 3600 and 86400'})
case("token-expiration-boundaries", pod=pod(annotations={"azure.workload.identity/service-account-token-expiration": "3600"}),
     serviceAccount=SA, expect={"pod": mutated(pod(annotations={"azure.workload.identity/service-account-token-expiration": "3600"}))})

# --- Cloud, audience, authority host ---------------------------------------------------------
case("cloud-china", pod=P, serviceAccount=SA, env={"AZURE_ENVIRONMENT": "AzureChinaCloud"},
     expect={"pod": mutated(P, host="https://login.chinacloudapi.cn/")})
case("cloud-us-government-case-insensitive", pod=P, serviceAccount=SA, env={"AZURE_ENVIRONMENT": "azureusgovernment"},
     expect={"pod": mutated(P, host="https://login.microsoftonline.us/")})
case("authority-host-override", pod=P, serviceAccount=SA, args=["--authority-host=https://login.contoso.test/"],
     expect={"pod": mutated(P, host="https://login.contoso.test/")})
case("audience-flag", pod=P, serviceAccount=SA, args=["--audience=api://contoso-exchange"],
     expect={"pod": mutated(P, audience="api://contoso-exchange")})

# --- Containers: skip, include, env, mounts --------------------------------------------------
TWO = pod(containers=[container("app"), container("sidecar")], init=[container("setup")],
          annotations={"azure.workload.identity/skip-containers": " sidecar ; setup;"})
case("skip-containers-trimmed", pod=TWO, serviceAccount=SA, expect={"pod": mutated(TWO, skip=("sidecar", "setup"))})
SKIP_UNKNOWN = pod(annotations={"azure.workload.identity/skip-containers": "app;ghost"})
case("skip-containers-unknown-name-warns", pod=SKIP_UNKNOWN, serviceAccount=SA, expect={
    "pod": mutated(SKIP_UNKNOWN, skip=("app",)),
    "warnings": ['azure.workload.identity/skip-containers names "ghost", which matches no container']})
INCLUDE = pod(containers=[container("app"), container("sidecar"), container("metrics")], init=[container("setup")],
              annotations={"azure.workload.identity/include-containers": "app; metrics",
                           "azure.workload.identity/skip-containers": "metrics"})
case("include-containers-with-skip", pod=INCLUDE, serviceAccount=SA,
     expect={"pod": mutated(INCLUDE, skip=("sidecar", "metrics", "setup"))})
INIT = pod(init=[container("migrate", command=["/migrate"])])
case("init-containers-mutated", pod=INIT, serviceAccount=SA, expect={"pod": mutated(INIT)})
USER_ENV = pod(containers=[container("app", env=[{"name": "AZURE_CLIENT_ID", "value": OTHER_CLIENT},
                                                 {"name": "LOG_LEVEL", "value": "debug"}])])
case("user-env-never-overridden-and-warned", pod=USER_ENV, serviceAccount=SA, expect={
    "pod": mutated(USER_ENV),
    "warnings": ['container "app" sets AZURE_CLIENT_ID itself; the workload identity value is not injected']})
VALUE_FROM = pod(containers=[container("app", env=[{"name": "AZURE_TENANT_ID", "valueFrom": {
    "configMapKeyRef": {"name": "identity", "key": "tenant"}}}])])
case("user-env-value-from-kept", pod=VALUE_FROM, serviceAccount=SA, expect={
    "pod": mutated(VALUE_FROM),
    "warnings": ['container "app" sets AZURE_TENANT_ID itself; the workload identity value is not injected']})
ENV_FROM = pod(containers=[container("app", envFrom=[{"configMapRef": {"name": "settings"}}])])
case("env-from-warns", pod=ENV_FROM, serviceAccount=SA, expect={
    "pod": mutated(ENV_FROM),
    "warnings": ['container "app" uses envFrom; its env entries, including the injected AZURE_* ones, take precedence']})
OLD_MOUNT = pod(containers=[container("app", volumeMounts=[{"name": "data", "mountPath": "/data"},
                                                          {"name": "azure-identity-token", "mountPath": "/old"}])],
                volumes=[{"name": "data", "emptyDir": {}}])
expected_old_mount = mutated(OLD_MOUNT)
expected_old_mount["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}, MOUNT]
case("mount-of-our-name-replaced", pod=OLD_MOUNT, serviceAccount=SA, expect={"pod": expected_old_mount})
CONFLICT = pod(containers=[container("app", volumeMounts=[{"name": "creds", "mountPath": TOKEN_DIR}])],
               volumes=[{"name": "creds", "secret": {"secretName": "creds"}}])
case("mount-path-conflict-denied", pod=CONFLICT, serviceAccount=SA, expect={
    "denied": 'container "app" mounts volume "creds" at /var/run/secrets/azure/tokens, where the azure-identity-token volume must be mounted'})
case("mount-path-conflict-in-skipped-container-ignored",
     pod=pod(containers=[container("app"), container("legacy", volumeMounts=[{"name": "creds", "mountPath": TOKEN_DIR}])],
             volumes=[{"name": "creds", "secret": {"secretName": "creds"}}],
             annotations={"azure.workload.identity/skip-containers": "legacy"}),
     serviceAccount=SA,
     expect={"pod": mutated(pod(containers=[container("app"), container("legacy", volumeMounts=[{"name": "creds", "mountPath": TOKEN_DIR}])],
                                volumes=[{"name": "creds", "secret": {"secretName": "creds"}}],
                                annotations={"azure.workload.identity/skip-containers": "legacy"}), skip=("legacy",))})

# --- Volume ----------------------------------------------------------------------------------
OLD_VOLUME = pod(volumes=[{"name": "azure-identity-token", "projected": {"sources": [{"serviceAccountToken": {
    "path": "azure-identity-token", "expirationSeconds": 86400, "audience": "old"}}], "defaultMode": 256}},
    {"name": "cache", "emptyDir": {}}])
expected_old_volume = mutated(OLD_VOLUME)
expected_old_volume["spec"]["volumes"] = [volume(), {"name": "cache", "emptyDir": {}}]
case("projected-volume-of-our-name-replaced", pod=OLD_VOLUME, serviceAccount=SA, expect={"pod": expected_old_volume})
case("volume-of-our-name-other-kind-denied",
     pod=pod(volumes=[{"name": "azure-identity-token", "secret": {"secretName": "token"}}]), serviceAccount=SA,
     expect={"denied": 'volume "azure-identity-token" already exists as a secret volume; the name is reserved for the workload identity token'})

# --- Proxy ------------------------------------------------------------------------------------
PROXIED = pod(annotations=DENY_PROXY_SIDECAR)


def with_proxy(p, native=False, port=8000, level="info", **kw):
    out = mutated(p, **kw)
    c_proxy = proxy(port=port, level=level, native=native)
    out["spec"]["initContainers"] = ([c_proxy] if native else []) + out["spec"].get("initContainers", []) + [proxy_init(port=port)]
    if not native:
        out["spec"]["containers"] = [c_proxy] + out["spec"]["containers"]
    return out


case("proxy-sidecar", pod=PROXIED, serviceAccount=SA, expect={"pod": with_proxy(PROXIED)})
case("proxy-sidecar-native", pod=PROXIED, serviceAccount=SA, args=["--native-sidecars"], expect={"pod": with_proxy(PROXIED, native=True)})
PROXIED_INIT = pod(annotations={"azure.workload.identity/inject-proxy-sidecar": "TRUE"}, init=[container("setup")])
case("proxy-sidecar-native-with-init-containers", pod=PROXIED_INIT, serviceAccount=SA, args=["--native-sidecars"],
     expect={"pod": with_proxy(PROXIED_INIT, native=True)})
case("proxy-sidecar-with-init-containers", pod=PROXIED_INIT, serviceAccount=SA, expect={"pod": with_proxy(PROXIED_INIT)})
PORT = pod(annotations={**DENY_PROXY_SIDECAR, "azure.workload.identity/proxy-sidecar-port": "9000"})
case("proxy-sidecar-port-and-log-level", pod=PORT, serviceAccount=SA, args=["--log-level=debug"],
     expect={"pod": with_proxy(PORT, port=9000, level="debug")})
IMAGES = PROXIED
expected_images = with_proxy(IMAGES)
expected_images["spec"]["containers"][0]["image"] = "registry.contoso.test/proxy:v9"
expected_images["spec"]["initContainers"][-1]["image"] = "registry.contoso.test/proxy-init:v9"
case("proxy-images-from-environment", pod=IMAGES, serviceAccount=SA,
     env={"PROXY_IMAGE": "registry.contoso.test/proxy:v9", "PROXY_INIT_IMAGE": "registry.contoso.test/proxy-init:v9"},
     expect={"pod": expected_images})
for value in ("0", "65536", "http"):
    case(f"proxy-sidecar-port-invalid-{value}", pod=pod(annotations={**DENY_PROXY_SIDECAR, "azure.workload.identity/proxy-sidecar-port": value}),
         serviceAccount=SA, expect={"denied": f'annotation azure.workload.identity/proxy-sidecar-port is "{value}": expected a port number between 1 and 65535'})
FALSE_PROXY = pod(annotations={"azure.workload.identity/inject-proxy-sidecar": "False"})
case("proxy-sidecar-false-not-injected", pod=FALSE_PROXY, serviceAccount=SA, expect={"pod": mutated(FALSE_PROXY)})
case("proxy-sidecar-not-a-boolean-denied", pod=pod(annotations={"azure.workload.identity/inject-proxy-sidecar": "yes"}),
     serviceAccount=SA, expect={"denied": 'annotation azure.workload.identity/inject-proxy-sidecar is "yes": expected "true" or "false"'})
case("proxy-sidecar-host-network-denied", pod=pod(annotations=DENY_PROXY_SIDECAR, hostNetwork=True), serviceAccount=SA,
     expect={"denied": "hostNetwork is set to true, cannot inject proxy sidecar"})
HOST_NET = pod(hostNetwork=True)
case("host-network-without-proxy-mutated", pod=HOST_NET, serviceAccount=SA, expect={"pod": mutated(HOST_NET)})
HAS_PROXY = pod(annotations=DENY_PROXY_SIDECAR, containers=[container("azwi-proxy"), container("app")])
expected_has_proxy = mutated(HAS_PROXY)
expected_has_proxy["spec"]["initContainers"] = [proxy_init()]
case("proxy-sidecar-already-present-not-duplicated", pod=HAS_PROXY, serviceAccount=SA, expect={"pod": expected_has_proxy})
UPGRADED = with_proxy(PROXIED)
case("proxy-sidecar-in-containers-not-duplicated-as-native", pod=UPGRADED, serviceAccount=SA, args=["--native-sidecars"],
     expect={"unchanged": True})
SKIP_PROXY = pod(annotations={**DENY_PROXY_SIDECAR, "azure.workload.identity/skip-containers": "azwi-proxy;azwi-proxy-init"})
expected_skip_proxy = mutated(SKIP_PROXY)
expected_skip_proxy["spec"]["containers"] = [proxy(mutate=False)] + expected_skip_proxy["spec"]["containers"]
expected_skip_proxy["spec"]["initContainers"] = [proxy_init(mutate=False)]
case("proxy-containers-skipped", pod=SKIP_PROXY, serviceAccount=SA, expect={"pod": expected_skip_proxy})

# --- Reinvocation -----------------------------------------------------------------------------
DONE = mutated(P, sa_name="old-sa", client=OTHER_CLIENT)
DONE["spec"]["serviceAccountName"] = "app-sa"
expected_done = copy.deepcopy(DONE)
expected_done["spec"]["containers"][0]["env"][0]["value"] = CLIENT
expected_done["metadata"]["annotations"]["azure.workload.identity/injected"] = record()
case("reinvocation-service-account-changed", pod=DONE, serviceAccount=SA, expect={"pod": expected_done})
USER_SET = copy.deepcopy(DONE)
USER_SET["spec"]["containers"].append(injected(container("worker", env=[{"name": "AZURE_CLIENT_ID", "value": "user-chosen"}])))
expected_user_set = copy.deepcopy(USER_SET)
expected_user_set["spec"]["containers"][0]["env"][0]["value"] = CLIENT
expected_user_set["metadata"]["annotations"]["azure.workload.identity/injected"] = record()
case("reinvocation-user-values-untouched", pod=USER_SET, serviceAccount=SA, expect={
    "pod": expected_user_set,
    "warnings": ['container "worker" sets AZURE_CLIENT_ID itself; the workload identity value is not injected']})
NO_CLIENT_NOW = copy.deepcopy(DONE)
expected_no_client = copy.deepcopy(DONE)
expected_no_client["spec"]["containers"][0]["env"][0]["value"] = ""
expected_no_client["metadata"]["annotations"]["azure.workload.identity/injected"] = record(client="")
case("reinvocation-new-service-account-without-client-id", pod=NO_CLIENT_NOW, serviceAccount=sa(), expect={
    "pod": expected_no_client,
    "warnings": ["AZURE_CLIENT_ID not injected: ServiceAccount default/app-sa has no azure.workload.identity/client-id annotation"]})
case("already-mutated-is-unchanged", pod=mutated(P), serviceAccount=SA, expect={"unchanged": True})

# --- Patch: unknown fields, escaping, unicode -------------------------------------------------
FUTURE = pod(init=[container("log-agent", restartPolicy="Always", futureField={"mode": "x", "list": [1, 2.5, None, True]})],
             containers=[container("app", resizePolicy=[{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
                                   futureContainerField="kept")],
             futureSpecField={"nested": {"deep": ["a", {"b": "c"}]}},
             annotations={"team.contoso.test/owner~path": "ünïcødé ✓ \"quoted\" \\ back"})
case("unknown-fields-survive", pod=FUTURE, serviceAccount=SA, futureFields=True, expect={"pod": mutated(FUTURE)})
SIDE = pod(init=[container("istio-proxy", restartPolicy="Always")])
case("native-sidecar-init-container-kept", pod=SIDE, serviceAccount=SA, expect={"pod": mutated(SIDE)})
EMPTY_LISTS = pod(containers=[container("app", env=[], volumeMounts=[])], volumes=[], annotations={})
case("empty-lists-and-maps-extended", pod=EMPTY_LISTS, serviceAccount=SA, expect={"pod": mutated(EMPTY_LISTS)})

# --- Identity bindings: the custom token endpoint (upstream 1.6) -------------------------------
BINDING_KEY = "azure.workload.identity/use-identity-binding"
BINDING_AUDIENCE = "api://AKSIdentityBinding"
BINDING_ARGS = ["--custom-token-endpoint-annotation-suffix", "identity-binding",
                "--custom-token-endpoint-audience", BINDING_AUDIENCE]
PROXY_URL = "https://aks-token-proxy.kube-system.svc:443"
SNI = "token-proxy.aks.local"
CA_FILE = TOKEN_DIR + "/ca-cert/ca.crt"
CA_PEM = """-----BEGIN CERTIFICATE-----
MIIBijCCAS+gAwIBAgIUBLMaz9KgONz29cB55KsVbR2CgS0wCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOdG9rZW4tcHJveHktY2EwIBcNMjYxMjAxMDE1MjQxWhgPMjEy
NjExMDcwMTUyNDFaMBkxFzAVBgNVBAMMDnRva2VuLXByb3h5LWNhMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEXd2ONMo7crmcqkWZAjaG0RqrrVjBt3LFVcOuRbWX
QkbATOdu5nSjRxHPzvDLB5MwVmrQ2p7CO2gJapYIfktSDKNTMFEwHQYDVR0OBBYE
FEwgDT2ZOfed8a0YMrVvl8nAxpHeMB8GA1UdIwQYMBaAFEwgDT2ZOfed8a0YMrVv
l8nAxpHeMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPmZPN5m
T1xBytKVbMs0bRCs4TdV6UA98GxxxMzsVRlfAiEAky0F6Ki0vh4yLBoarSrC8U3+
wcr1/8rmK7D9XXOowlc=
-----END CERTIFICATE-----
"""
CONFIGMAP_ENV = {"AZURE_KUBERNETES_TOKEN_PROXY": PROXY_URL, "AZURE_KUBERNETES_SNI_NAME": SNI,
                 "AZURE_KUBERNETES_CA_CONFIGMAP_NAME": "token-proxy-ca"}
SIGNER = "contoso.com/token-proxy"
BINDING_VERSIONS = ["1.29.0", "1.34.0"]
CONFIGMAP_SOURCE = {"configMap": {"name": "token-proxy-ca", "items": [{"key": "ca.crt", "path": "ca-cert/ca.crt"}],
                                  "optional": False}}


def ctb_source(selector=None):
    source = {"signerName": SIGNER, "path": "ca-cert/ca.crt", "optional": False}
    if selector is not None:
        source["labelSelector"] = selector
    return {"clusterTrustBundle": source}


def binding_env(proxy_url=PROXY_URL, sni=SNI, ca_file=True, ca_data=None):
    out = [{"name": "AZURE_KUBERNETES_TOKEN_PROXY", "value": proxy_url}]
    if sni:
        out.append({"name": "AZURE_KUBERNETES_SNI_NAME", "value": sni})
    if ca_file:
        out.append({"name": "AZURE_KUBERNETES_CA_FILE", "value": CA_FILE})
    if ca_data:
        out.append({"name": "AZURE_KUBERNETES_CA_DATA", "value": ca_data})
    return out


def bound(p, *, ca_source=CONFIGMAP_SOURCE, skip=(), **binding):
    """The mutation of an opted-in pod: the usual one, the binding's env after the four, the
    proxy's audience on the token and the CA source after it."""
    p = mutated(p, audience=BINDING_AUDIENCE, skip=skip)
    for c in p["spec"]["containers"]:
        if c["name"] not in skip:
            names = {e["name"] for e in c["env"]}
            c["env"] += [e for e in binding_env(**binding) if e["name"] not in names]
    if ca_source:
        p["spec"]["volumes"][-1]["projected"]["sources"].append(ca_source)
    return p


def binding_case(name, *, env=CONFIGMAP_ENV, args=BINDING_ARGS, **fields):
    case(f"identity-binding-{name}", env=env, args=args, kubernetesVersions=BINDING_VERSIONS, **fields)


OPTED = pod(annotations={BINDING_KEY: "true"})
binding_case("configmap-ca", pod=OPTED, serviceAccount=SA, expect={"pod": bound(OPTED)})
OPTED_UPPER = pod(annotations={BINDING_KEY: "TRUE"})
binding_case("annotation-upper-case-true", pod=OPTED_UPPER, serviceAccount=SA, expect={"pod": bound(OPTED_UPPER)})
SELECTOR = {"matchLabels": {"team": "platform", "app": "token-proxy"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["ca", "root"]}]}
CTB_ENV = {"AZURE_KUBERNETES_TOKEN_PROXY": PROXY_URL, "AZURE_KUBERNETES_SNI_NAME": SNI,
           "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME": SIGNER}
binding_case("cluster-trust-bundle-ca", pod=OPTED, serviceAccount=SA, env=CTB_ENV,
             expect={"pod": bound(OPTED, ca_source=ctb_source())})
binding_case("cluster-trust-bundle-ca-with-label-selector", pod=OPTED, serviceAccount=SA,
             env={**CTB_ENV, "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR": json.dumps(SELECTOR, indent=1)},
             expect={"pod": bound(OPTED, ca_source=ctb_source(SELECTOR))})
binding_case("ca-data-without-ca-file", pod=OPTED, serviceAccount=SA,
             env={"AZURE_KUBERNETES_TOKEN_PROXY": PROXY_URL, "AZURE_KUBERNETES_SNI_NAME": SNI, "AZURE_KUBERNETES_CA_DATA": CA_PEM},
             expect={"pod": bound(OPTED, ca_source=None, ca_file=False, ca_data=CA_PEM)})
binding_case("no-ca-source", pod=OPTED, serviceAccount=SA, env={"AZURE_KUBERNETES_TOKEN_PROXY": PROXY_URL},
             expect={"pod": bound(OPTED, ca_source=None, ca_file=False, sni=None)})
YES = pod(annotations={BINDING_KEY: "yes"})
binding_case("annotation-yes-warns-and-is-not-bound", pod=YES, serviceAccount=SA, expect={
    "pod": mutated(YES),
    "warnings": [f'{BINDING_KEY} is "yes": expected "true" or "false"; no identity binding used']})
NO = pod(annotations={BINDING_KEY: "false"})
binding_case("annotation-false-is-not-bound", pod=NO, serviceAccount=SA, expect={"pod": mutated(NO)})
OTHER = pod(annotations={"azure.workload.identity/use-other-binding": "true"})
binding_case("other-suffix-warns-and-is-not-bound", pod=OTHER, serviceAccount=SA, expect={
    "pod": mutated(OTHER),
    "warnings": ["azure.workload.identity/use-other-binding: no such identity binding is served here; the pod gets its usual identity"]})
binding_case("feature-off-warns-and-is-not-bound", pod=OPTED, serviceAccount=SA, args=[], expect={
    "pod": mutated(OPTED),
    "warnings": [f"{BINDING_KEY}: no such identity binding is served here; the pod gets its usual identity"]})
USER_PROXY = pod(annotations={BINDING_KEY: "true"},
                 containers=[container("app", env=[{"name": "AZURE_KUBERNETES_TOKEN_PROXY", "value": "https://mine.example"}])])
binding_case("user-set-env-kept", pod=USER_PROXY, serviceAccount=SA, expect={
    "pod": bound(USER_PROXY),
    "warnings": ['container "app" sets AZURE_KUBERNETES_TOKEN_PROXY itself; the workload identity value is not injected']})
SKIP_BOUND = pod(annotations={BINDING_KEY: "true", "azure.workload.identity/skip-containers": "sidecar"},
                 containers=[container("app"), container("sidecar")])
binding_case("skip-containers", pod=SKIP_BOUND, serviceAccount=SA, expect={"pod": bound(SKIP_BOUND, skip=("sidecar",))})
binding_case("already-mutated-is-unchanged", pod=bound(OPTED), serviceAccount=SA, expect={"unchanged": True})
DIFFERING = pod(annotations={BINDING_KEY: "true"}, volumes=[volume()])
expected_differing = bound(pod(annotations={BINDING_KEY: "true"}))
binding_case("differing-volume-replaced", pod=DIFFERING, serviceAccount=SA, expect={"pod": expected_differing})
BOUND_CTB = bound(OPTED, ca_source=ctb_source())
binding_case("other-ca-source-volume-replaced", pod=BOUND_CTB, serviceAccount=SA, expect={"pod": bound(OPTED)})
binding_case("config-prefixed-variables-win", pod=OPTED, serviceAccount=SA,
             env={**CONFIGMAP_ENV, "CONFIG_AZURE_KUBERNETES_TOKEN_PROXY": "https://config-proxy.kube-system.svc",
                  "CONFIG_AZURE_KUBERNETES_SNI_NAME": "config.aks.local"},
             expect={"pod": bound(OPTED, proxy_url="https://config-proxy.kube-system.svc", sni="config.aks.local")})
def without_client(p):
    p = copy.deepcopy(p)
    for c in p["spec"]["containers"]:
        c["env"] = [e for e in c["env"] if e["name"] != "AZURE_CLIENT_ID"]
    p["metadata"]["annotations"]["azure.workload.identity/injected"] = record(client="")
    return p


binding_case("no-client-id-warns", pod=OPTED, serviceAccount=sa(), expect={
    "pod": without_client(bound(OPTED)),
    "warnings": ["identity binding not usable: ServiceAccount default/app-sa has no azure.workload.identity/client-id annotation"]})

# Start-up errors: `mutate` refuses to run, naming the flag or variable, as `serve` refuses to start.
START_ERRORS = {
    "suffix-without-audience": ([BINDING_ARGS[0], "identity-binding"], CONFIGMAP_ENV,
                                "custom token endpoint audience cannot be empty when annotation suffix is set"),
    "audience-without-suffix": ([BINDING_ARGS[2], BINDING_AUDIENCE], CONFIGMAP_ENV,
                                "custom token endpoint annotation suffix cannot be empty when audience is set"),
    "audience-is-the-default": ([BINDING_ARGS[0], "identity-binding", BINDING_ARGS[2], "API://AzureADTokenExchange"], CONFIGMAP_ENV,
                                'custom token endpoint audience cannot be equal to default audience "api://AzureADTokenExchange"'),
    "key-with-a-slash": ([BINDING_ARGS[0], "bad/suffix", BINDING_ARGS[2], BINDING_AUDIENCE], CONFIGMAP_ENV,
                         'custom token endpoint annotation key "azure.workload.identity/use-bad/suffix" is not valid: a qualified name '
                         "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                         "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                         "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
                         "(e.g. 'example.com/MyName')"),
    "key-ending-badly": ([BINDING_ARGS[0], "binding_", BINDING_ARGS[2], BINDING_AUDIENCE], CONFIGMAP_ENV,
                         'custom token endpoint annotation key "azure.workload.identity/use-binding_" is not valid: name part '
                         "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                         "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                         "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
    "key-too-long": ([BINDING_ARGS[0], "x" * 60, BINDING_ARGS[2], BINDING_AUDIENCE], CONFIGMAP_ENV,
                     f'custom token endpoint annotation key "azure.workload.identity/use-{"x" * 60}" is not valid: '
                     "name part must be no more than 63 characters"),
    "no-token-proxy": (BINDING_ARGS, {"AZURE_KUBERNETES_CA_CONFIGMAP_NAME": "token-proxy-ca"},
                       "AZURE_KUBERNETES_TOKEN_PROXY must be set when the custom token endpoint is on"),
    "token-proxy-not-https": (BINDING_ARGS, {**CONFIGMAP_ENV, "AZURE_KUBERNETES_TOKEN_PROXY": "http://proxy.kube-system.svc"},
                              'AZURE_KUBERNETES_TOKEN_PROXY "http://proxy.kube-system.svc" is not valid: it must be an https:// URL'),
    "two-ca-sources": (BINDING_ARGS, {**CONFIGMAP_ENV, "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME": SIGNER},
                       "only one of AZURE_KUBERNETES_CA_DATA, AZURE_KUBERNETES_CA_CONFIGMAP_NAME or AZURE_KUBERNETES_CA_CTB_SIGNER_NAME can be set"),
    "two-ca-sources-with-the-feature-off": ([], {"AZURE_KUBERNETES_CA_DATA": CA_PEM, "AZURE_KUBERNETES_CA_CONFIGMAP_NAME": "ca"},
                                            "only one of AZURE_KUBERNETES_CA_DATA, AZURE_KUBERNETES_CA_CONFIGMAP_NAME or AZURE_KUBERNETES_CA_CTB_SIGNER_NAME can be set"),
    "label-selector-without-signer": (BINDING_ARGS, {**CONFIGMAP_ENV, "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR": '{"matchLabels":{"a":"b"}}'},
                                      "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME needs to be set when AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR is set"),
    "label-selector-not-json": (BINDING_ARGS, {**CTB_ENV, "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR": "not-a-json"},
                                "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR is not a valid LabelSelector: "),
    "label-selector-bad-operator": (BINDING_ARGS, {**CTB_ENV, "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR":
                                                   '{"matchExpressions":[{"key":"a","operator":"Equals","values":["b"]}]}'},
                                    'AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR is not a valid LabelSelector: matchExpressions operator "Equals" '
                                    "is not In, NotIn, Exists or DoesNotExist"),
    "ca-data-not-a-certificate": (BINDING_ARGS, {"AZURE_KUBERNETES_TOKEN_PROXY": PROXY_URL, "AZURE_KUBERNETES_CA_DATA": "not a PEM"},
                                  "AZURE_KUBERNETES_CA_DATA holds no PEM certificate"),
}
for name, (args, variables, message) in START_ERRORS.items():
    case(f"identity-binding-start-error-{name}", pod=OPTED, serviceAccount=SA, env=variables, args=args,
         expect={"startError": message})

CASES.mkdir(exist_ok=True)
for old in CASES.glob("*.yaml"):
    old.unlink()
for name, body in cases.items():
    (CASES / f"{name}.yaml").write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120))
print(f"wrote {len(cases)} cases")
