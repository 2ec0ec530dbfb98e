#!/usr/bin/env python3
"""A stand-in for kube-apiserver's ServiceAccount API, for tests and benchmarks.

Standalone and stdlib-only (http.server + ssl). It behaves like the real API server where a
client can tell: resourceVersion on every object and list, LIST pagination with limit/continue,
chunked WATCH streams of newline-delimited JSON events (ADDED/MODIFIED/DELETED/BOOKMARK), an
ERROR event carrying a 410 Status when the resourceVersion is too old, timeoutSeconds ending a
stream, 401 for a bad bearer token, client-certificate authentication, GET /version.

API discovery (what `kubectl api-resources` reads): GET /apis (APIGroupList), /apis/GROUP (APIGroup),
/apis/GROUP/VERSION (APIResourceList), and a 404 NotFound Status for a group or version the
cluster does not serve. The cluster serves admissionregistration.k8s.io/v1 and certificates.k8s.io/v1
(CertificateSigningRequests); with --cluster-trust-bundles also certificates.k8s.io/v1beta1
clustertrustbundles (the ClusterTrustBundle feature of 1.33+, off by default in a real cluster).

Secrets and MutatingWebhookConfigurations (what built-in certificate rotation uses): GET one,
PUT (update; 409 Conflict with a Status when metadata.resourceVersion is stale), PATCH with
application/json-patch+json (test/add/replace/remove; 422 when a `test` fails), and WATCH of the
collection with a metadata.name field selector (starting with an ADDED of the current object,
as the real server does without a resourceVersion). Every write bumps the resourceVersion.

What `azwi-webhook doctor` reads is served the same way (GET one, LIST with an equality
labelSelector): pods, namespaces (labelled kubernetes.io/metadata.name, as the real server
does), Services, ConfigMaps, EndpointSlices, Deployments, ReplicaSets, StatefulSets,
DaemonSets, Jobs and CronJobs; owner references are whatever the test stores. The TokenRequest
API (POST .../serviceaccounts/NAME/token) issues real RS256 JWTs (iss, sub, aud, exp, iat, nbf)
signed with the openssl command line, and /.well-known/openid-configuration and
/openid/v1/jwks publish the issuer and the key. The token's iss and the discovery issuer can
be set apart to model a misconfigured cluster.

Usage:
  fake_apiserver.py --port 0 --cert server.pem --key server-key.pem [--client-ca ca.pem]
                    [--token TOKEN] [--serviceaccounts-file sas.json | --generate N]
                    [--minor 32+] [--bookmark-interval SECONDS] [--cluster-trust-bundles] [--issuer URL]

The first stdout line is the bound port. Tests steer it through /_control/... (no auth):
  POST   /_control/serviceaccounts            body: a ServiceAccount object (create or update)
  DELETE /_control/serviceaccounts/NS/NAME
  POST   /_control/drop-watches               cut every open watch mid-stream (no final chunk)
  POST   /_control/end-watches                end every open watch cleanly
  POST   /_control/bookmark                   send a BOOKMARK on every open watch now
  POST   /_control/compact                    expire every resourceVersion up to now (410s)
  POST   /_control/faults    {"status": 500, "count": N} or {"status": 500, "seconds": S}
  POST   /_control/latency   {"seconds": S}   delay every API response
  POST   /_control/token     {"token": "..."} rotate the expected bearer token
  POST   /_control/version   {"major": "1", "minor": "31"}
  POST   /_control/apis      {"group": G, "versions": {"v1": ["RESOURCE", ...], ...}}  what discovery
                                              shows of group G (versions in priority order; {} = not served)
  POST   /_control/objects/RESOURCE           body: an object of a RESOURCE served above
                                              (create or overwrite, as another writer would)
  GET    /_control/objects/RESOURCE/NS/NAME   the stored object (NS "-" when cluster-scoped)
  POST   /_control/reset-cabundle  {"name": N, "value": V}  set every webhook's caBundle to V
  POST   /_control/forbid  {"resource": R, "verb": V}  answer 403 (RBAC) to every API request on
                                              R (a plural such as "pods", "serviceaccounts/token", or
                                              a URL path such as "/.well-known/openid-configuration"),
                                              or only to verb V (get, list, watch, create, update, patch)
  POST   /_control/issuer  {"token": T, "discovery": D}  the iss of new tokens, the discovery issuer
  GET    /_control/signing-key                {"pem": the public key tokens are signed with}
  GET    /_control/tokens                     {"tokens": every token issued so far}
  GET    /_control/counters                   request counts by kind (e.g. "update:secrets",
                                              "conflict:secrets", "patch:mutatingwebhookconfigurations"),
                                              and the recent requests
  POST   /_control/reset-counters

Pods, namespaces, Events, Leases, PodDisruptionBudgets, the Eviction API, admission on pod
creation and workload controllers live in fake_pods.py (its docstring lists them and their
controls); --generate-pods N stores N labelled, mutated pods for benchmarks.
"""
import argparse
import base64
import bisect
import json
import hashlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fake_pods

HISTORY_LIMIT = 20000

# Resources besides ServiceAccounts: plural -> (API path prefix, namespaced, kind).
RESOURCES = {
    "secrets": (("api", "v1"), True, "Secret"),
    "configmaps": (("api", "v1"), True, "ConfigMap"),
    "pods": (("api", "v1"), True, "Pod"),
    "services": (("api", "v1"), True, "Service"),
    "namespaces": (("api", "v1"), False, "Namespace"),
    "endpointslices": (("apis", "discovery.k8s.io", "v1"), True, "EndpointSlice"),
    "deployments": (("apis", "apps", "v1"), True, "Deployment"),
    "replicasets": (("apis", "apps", "v1"), True, "ReplicaSet"),
    "statefulsets": (("apis", "apps", "v1"), True, "StatefulSet"),
    "daemonsets": (("apis", "apps", "v1"), True, "DaemonSet"),
    "jobs": (("apis", "batch", "v1"), True, "Job"),
    "cronjobs": (("apis", "batch", "v1"), True, "CronJob"),
    "mutatingwebhookconfigurations": (("apis", "admissionregistration.k8s.io", "v1"), False,
                                      "MutatingWebhookConfiguration"),
}
DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/openid/v1/jwks"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """An RSA key made with the openssl command line on first use (kept in memory, handed to
    openssl through a pipe), and RS256 JWTs signed with it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key = None

    def _openssl(self, *args, input=None, key=None):
        fds = ()
        if key is not None:
            read, write = os.pipe()
            os.write(write, key)
            os.close(write)
            fds = (read,)
            args = [a.replace("KEY", "/dev/fd/%d" % read) for a in args]
        try:
            return subprocess.run(["openssl", *args], input=input, check=True, capture_output=True,
                                  timeout=60, pass_fds=fds).stdout
        finally:
            for fd in fds:
                os.close(fd)

    def _key(self):
        with self.lock:
            if self.key is None:
                key = self._openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
                self.public_pem = self._openssl("pkey", "-pubout", input=key).decode()
                modulus = self._openssl("rsa", "-noout", "-modulus", input=key).decode()
                self.modulus = bytes.fromhex(modulus.strip().split("=", 1)[1])
                self.kid = hashlib.sha256(self.public_pem.encode()).hexdigest()[:32]
                self.key = key
            return self.key

    def sign(self, claims):
        key = self._key()
        header = b64url(json.dumps({"alg": "RS256", "kid": self.kid}, separators=(",", ":")).encode())
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = (header + "." + payload).encode()
        signature = self._openssl("dgst", "-sha256", "-sign", "KEY", input=signing_input, key=key)
        return header + "." + payload + "." + b64url(signature)

    def jwks(self):
        self._key()
        return {"keys": [{"use": "sig", "kty": "RSA", "kid": self.kid, "alg": "RS256",
                          "n": b64url(self.modulus), "e": "AQAB"}]}

    def public_key(self):
        self._key()
        return self.public_pem


def status_object(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


# Discovery details of the resources the stand-in can list: name -> (kind, namespaced, shortNames).
API_RESOURCES = {
    "mutatingwebhookconfigurations": ("MutatingWebhookConfiguration", False, []),
    "validatingwebhookconfigurations": ("ValidatingWebhookConfiguration", False, []),
    "certificatesigningrequests": ("CertificateSigningRequest", False, ["csr"]),
    "clustertrustbundles": ("ClusterTrustBundle", False, []),
}
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def default_api_groups(cluster_trust_bundles):
    """Group -> {version: [resource names]}, versions in the server's priority order."""
    certificates = {"v1": ["certificatesigningrequests", "certificatesigningrequests/approval",
                           "certificatesigningrequests/status"]}
    if cluster_trust_bundles:
        certificates["v1beta1"] = ["clustertrustbundles"]
    return {"admissionregistration.k8s.io": {"v1": ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"]},
            "certificates.k8s.io": certificates}


def api_resource(name):
    """An APIResource entry as kube-apiserver writes it (a subresource gets its parent's kind)."""
    parent, _, subresource = name.partition("/")
    kind, namespaced, short_names = API_RESOURCES.get(parent, (parent.rstrip("s").capitalize(), True, []))
    if subresource:
        return {"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "patch", "update"]}
    entry = {"name": name, "singularName": name[:-1], "namespaced": namespaced, "kind": kind, "verbs": ALL_VERBS}
    if short_names:
        entry["shortNames"] = short_names
    return entry


def api_group(name, versions):
    entries = [{"groupVersion": "%s/%s" % (name, version), "version": version} for version in versions]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": name, "versions": entries, "preferredVersion": entries[0]}


class State:
    """Every ServiceAccount, the event history, faults and counters, behind one condition."""

    def __init__(self, token, major, minor, cluster_trust_bundles=False,
                 issuer="https://kubernetes.default.svc.cluster.local"):
        self.cond = threading.Condition()
        self.objects = {}          # (namespace, name) -> object
        self._sorted_keys = None   # cache of sorted(self.objects), dropped on every change
        self.rv = 1000
        self.history = []          # (rv, type, object), oldest first
        self.compacted = 0         # watches from a resourceVersion below this get 410
        self.token = token
        self.version = {"major": major, "minor": minor}
        self.fault = None          # {"status", "count" | "until"}
        self.latency = 0.0
        self.watch_generation = 0  # bumped to drop every open watch
        self.end_generation = 0    # bumped to end every open watch cleanly
        self.bookmark_generation = 0
        self.counters = {}
        self.recent = []
        # Every other resource: resource -> (namespace, name) -> object.
        self.extra = {resource: {} for resource in RESOURCES}
        self.extra_history = []    # (rv, type, resource, object)
        self.forbidden = []        # (resource, verb or None)
        self.api_groups = default_api_groups(cluster_trust_bundles)
        self.token_issuer = issuer
        self.discovery_issuer = issuer
        self.tokens = []

    def is_forbidden(self, resource, verb):
        return any(r == resource and v in (None, verb) for r, v in self.forbidden)

    def put_extra(self, resource, obj):
        meta = obj.setdefault("metadata", {})
        if resource == "namespaces":
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
        key = (meta.get("namespace", ""), meta["name"])
        kind = "MODIFIED" if key in self.extra[resource] else "ADDED"
        if kind == "ADDED":
            meta.setdefault("uid", "uid-%s-%s-%d" % (resource, key[1], self.rv))
            meta.setdefault("creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        obj.setdefault("kind", RESOURCES[resource][2])
        meta["resourceVersion"] = str(self.next_rv())
        self.extra[resource][key] = obj
        self.extra_history.append((int(meta["resourceVersion"]), kind, resource, json.loads(json.dumps(obj))))
        self.cond.notify_all()
        return obj

    def next_rv(self):
        self.rv += 1
        return self.rv

    def sorted_keys(self):
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.objects)
        return self._sorted_keys

    def count(self, kind):
        self.counters[kind] = self.counters.get(kind, 0) + 1

    def put(self, obj, record=True):
        meta = obj.setdefault("metadata", {})
        key = (meta.get("namespace", "default"), meta["name"])
        meta["namespace"] = key[0]
        kind = "MODIFIED" if key in self.objects else "ADDED"
        if kind == "ADDED":
            meta.setdefault("uid", "uid-%s-%s-%d" % (key[0], key[1], self.rv))
            meta.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
        obj.setdefault("kind", "ServiceAccount")
        obj.setdefault("apiVersion", "v1")
        meta["resourceVersion"] = str(self.next_rv())
        if key not in self.objects:
            self._sorted_keys = None
        self.objects[key] = obj
        if record:
            self.record(kind, obj)
        return obj

    def delete(self, namespace, name):
        obj = self.objects.pop((namespace, name), None)
        if obj is None:
            return None
        self._sorted_keys = None
        obj = json.loads(json.dumps(obj))
        obj["metadata"]["resourceVersion"] = str(self.next_rv())
        self.record("DELETED", obj)
        return obj

    def record(self, kind, obj):
        self.history.append((int(obj["metadata"]["resourceVersion"]), kind, obj))
        if len(self.history) > HISTORY_LIMIT:
            dropped = self.history[: len(self.history) - HISTORY_LIMIT]
            self.history = self.history[len(dropped):]
            self.compacted = max(self.compacted, dropped[-1][0])
        self.cond.notify_all()


def generated_serviceaccount(index, namespaces):
    namespace = "namespace-%d" % (index % namespaces)
    obj = {"metadata": {"name": "serviceaccount-%d" % index, "namespace": namespace,
                        "labels": {"app.kubernetes.io/name": "app-%d" % index},
                        "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                                        '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa-%d"}}' % index},
                        "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                                           "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
                                           "fieldsV1": {"f:metadata": {"f:labels": {}}}}]},
           "secrets": [{"name": "serviceaccount-%d-token" % index}]}
    if index % 10 == 0:
        obj["metadata"]["annotations"]["azure.workload.identity/client-id"] = "00000000-0000-0000-0000-%012d" % index
        obj["metadata"]["annotations"]["azure.workload.identity/tenant-id"] = "11111111-1111-1111-1111-111111111111"
    return obj


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apiserver/1"

    # --- plumbing ---------------------------------------------------------------------------
    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake-apiserver: " + (fmt % args) + "\n")

    def send_json(self, code, obj, headers=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_status(self, code, reason, message):
        self.send_json(code, status_object(code, reason, message))

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else {}

    def authenticated(self):
        state = self.server.state
        if self.server.client_ca and self.connection.getpeercert():
            return True
        auth = self.headers.get("Authorization", "")
        with state.cond:
            expected = state.token
        if expected is not None:
            return auth == "Bearer " + expected
        return not self.server.client_ca

    # --- dispatch ---------------------------------------------------------------------------
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        if parts[:1] == ["_control"]:
            return self.control(method, parts[1:])
        state = self.server.state
        with state.cond:
            state.count("requests")
            state.recent.append({"method": method, "path": url.path, "query": query,
                                 "user-agent": self.headers.get("User-Agent"),
                                 "accept": self.headers.get("Accept")})
            del state.recent[:-200]
            latency = state.latency
        if latency:
            time.sleep(latency)
        if not self.authenticated():
            with state.cond:
                state.count("unauthorized")
            return self.send_status(401, "Unauthorized", "Unauthorized")
        if self.injected_fault():
            return
        if url.path in (DISCOVERY, JWKS) and method == "GET":
            return self.openid(url.path)
        if (method == "POST" and len(parts) == 7 and parts[:3] == ["api", "v1", "namespaces"]
                and parts[4] == "serviceaccounts" and parts[6] == "token"):
            return self.token_request(parts[3], parts[5])
        if self.server.pods.serve(self, method, parts, query):
            return
        extra = self.extra_route(parts)
        if extra is not None:
            return self.extra_api(method, query, *extra)
        if method != "GET":
            return self.send_status(405, "MethodNotAllowed", "only GET is served")
        if parts[:3] == ["api", "v1", "namespaces"] and len(parts) in (5, 6) and parts[4] == "serviceaccounts":
            verb = "get" if len(parts) == 6 else ("watch" if query.get("watch") in ("1", "true") else "list")
            if self.refuse("serviceaccounts", verb, parts[5] if len(parts) == 6 else ""):
                return
        if parts == ["version"]:
            with state.cond:
                state.count("version")
                version = dict(state.version)
            version.update({"gitVersion": "v%s.%s.0" % (version["major"], version["minor"].rstrip("+")),
                            "platform": "linux/amd64"})
            return self.send_json(200, version)
        if parts[:1] == ["apis"] and len(parts) <= 3:
            return self.discovery(parts[1:])
        if parts == ["api", "v1", "serviceaccounts"]:
            return self.collection(None, query)
        if len(parts) == 5 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "serviceaccounts":
            return self.collection(parts[3], query)
        if len(parts) == 6 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "serviceaccounts":
            return self.get_one(parts[3], parts[5])
        self.send_status(404, "NotFound", "the server could not find the requested resource")

    def list_position(self, state, query):
        """(resourceVersion, last key served) a LIST page continues from: the list's start without
        a `continue` token. None after answering 400 for a bad token or 410 for one older than the
        last compaction, as kube-apiserver does. Called with state.cond held."""
        token = query.get("continue")
        if not token:
            return state.rv, None
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
            position = decoded["rv"], tuple(decoded["start"])
        except (ValueError, KeyError, TypeError):
            self.send_status(400, "BadRequest", "invalid continue token")
            return None
        if position[0] < state.compacted:
            self.send_status(410, "Expired", "The provided continue parameter is too old "
                             "to display a consistent list result.")
            return None
        return position

    def extra_route(self, parts):
        """(resource, namespace, name or None) for a path of one of RESOURCES."""
        for resource, (prefix, namespaced, _) in RESOURCES.items():
            if tuple(parts[:len(prefix)]) != prefix:
                continue
            rest = parts[len(prefix):]
            if namespaced and len(rest) in (3, 4) and rest[0] == "namespaces" and rest[2] == resource:
                return resource, rest[1], rest[3] if len(rest) == 4 else None
            if not namespaced and len(rest) in (1, 2) and rest[0] == resource:
                return resource, "", rest[1] if len(rest) == 2 else None
        return None

    def refuse(self, resource, verb, name):
        """Answers 403 like RBAC and returns True when the stand-in is told to forbid this."""
        state = self.server.state
        with state.cond:
            forbidden = state.is_forbidden(resource, verb)
            if forbidden:
                state.count("forbidden:" + resource)
        if forbidden:
            self.send_status(403, "Forbidden", '%s "%s" is forbidden: User "system:serviceaccount:azure-workload-identity-system:azure-wi-webhook-admin" cannot %s resource "%s"'
                             % (resource, name or "", verb, resource))
        return forbidden

    def extra_api(self, method, query, resource, namespace, name):
        state = self.server.state
        watching = method == "GET" and query.get("watch") in ("1", "true")
        verb = {"PUT": "update", "PATCH": "patch", "POST": "create", "DELETE": "delete"}.get(
            method, "get" if name is not None else ("watch" if watching else "list"))
        if self.refuse(resource, verb, name):
            return
        if name is None:
            if watching:
                return self.watch_extra(resource, namespace, query)
            if method == "GET":
                return self.list_extra(resource, namespace, query)
            return self.send_status(405, "MethodNotAllowed", "only list and watch are served on this collection")
        body = self.read_body() if method in ("PUT", "PATCH") else None
        with state.cond:
            current = state.extra[resource].get((namespace, name))
            if current is None:
                state.count("notfound:" + resource)
                return self.send_status(404, "NotFound", '%s "%s" not found' % (resource, name))
            if method == "GET":
                state.count("get:" + resource)
                return self.send_json(200, current)
            if method == "PUT":
                sent_rv = (body.get("metadata") or {}).get("resourceVersion")
                if sent_rv is None:
                    state.count("blind-update:" + resource)
                elif sent_rv != current["metadata"]["resourceVersion"]:
                    state.count("conflict:" + resource)
                    return self.conflict(resource, name)
                body.setdefault("metadata", {})
                body["metadata"]["name"], body["metadata"]["namespace"] = name, namespace
                state.count("update:" + resource)
                return self.send_json(200, state.put_extra(resource, body))
            if method == "PATCH":
                if self.headers.get("Content-Type") != "application/json-patch+json":
                    return self.send_status(415, "UnsupportedMediaType", "only application/json-patch+json is served")
                try:
                    patched = apply_json_patch(json.loads(json.dumps(current)), body)
                except PatchTestFailed as failure:
                    state.count("failed-test:" + resource)
                    return self.send_status(422, "Invalid", str(failure))
                except (KeyError, IndexError, ValueError, TypeError) as error:
                    return self.send_status(422, "Invalid", "the patch does not apply: %r" % (error,))
                if patched["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
                    state.count("conflict:" + resource)
                    return self.conflict(resource, name)
                state.count("patch:" + resource)
                return self.send_json(200, state.put_extra(resource, patched))
        self.send_status(405, "MethodNotAllowed", "method not served")

    def list_extra(self, resource, namespace, query):
        wanted = {}
        for term in filter(None, query.get("labelSelector", "").split(",")):
            key, sep, value = term.partition("=")
            if not sep or "!" in key or value.startswith("="):
                return self.send_status(400, "BadRequest", "this stand-in serves equality label selectors only")
            wanted[key] = value
        state = self.server.state
        with state.cond:
            state.count("list:" + resource)
            items = [o for (ns, _), o in sorted(state.extra[resource].items())
                     if (not RESOURCES[resource][1] or ns == namespace)
                     and all((o["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())]
            body = {"kind": RESOURCES[resource][2] + "List", "apiVersion": "/".join(RESOURCES[resource][0][1:]),
                    "metadata": {"resourceVersion": str(state.rv)}, "items": items}
        self.send_json(200, body)

    def openid(self, path):
        if self.refuse(path, "get", ""):
            return
        if path == JWKS:
            return self.send_json(200, self.server.signer.jwks())
        with self.server.state.cond:
            issuer = self.server.state.discovery_issuer
        self.send_json(200, {"issuer": issuer, "jwks_uri": issuer.rstrip("/") + JWKS,
                             "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                             "id_token_signing_alg_values_supported": ["RS256"]})

    def token_request(self, namespace, name):
        """The TokenRequest API: a JWT for the ServiceAccount, as kube-apiserver signs it."""
        if self.refuse("serviceaccounts/token", "create", name):
            return
        body = self.read_body()
        state = self.server.state
        with state.cond:
            account = state.objects.get((namespace, name))
            issuer = state.token_issuer
        if account is None:
            return self.send_status(404, "NotFound", 'serviceaccounts "%s" not found' % name)
        spec = body.get("spec") or {}
        audiences = spec.get("audiences") or [issuer]
        lifetime = max(600, int(spec.get("expirationSeconds") or 3600))
        now = int(time.time())
        claims = {"aud": audiences, "exp": now + lifetime, "iat": now, "nbf": now, "iss": issuer,
                  "sub": "system:serviceaccount:%s:%s" % (namespace, name),
                  "kubernetes.io": {"namespace": namespace,
                                    "serviceaccount": {"name": name, "uid": account["metadata"]["uid"]}}}
        token = self.server.signer.sign(claims)
        with state.cond:
            state.count("create:serviceaccounts/token")
            state.tokens.append(token)
        self.send_json(201, {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                             "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
                             "spec": {"audiences": audiences, "expirationSeconds": lifetime, "boundObjectRef": None},
                             "status": {"token": token, "expirationTimestamp":
                                        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + lifetime))}})

    def conflict(self, resource, name):
        self.send_status(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                         "please apply your changes to the latest version and try again" % (resource, name))

    def watch_extra(self, resource, namespace, query):
        state = self.server.state
        selector = query.get("fieldSelector", "")
        if not selector.startswith("metadata.name="):
            return self.send_status(400, "BadRequest", "this stand-in watches one object: fieldSelector=metadata.name=NAME")
        name = selector[len("metadata.name="):]
        timeout = float(query.get("timeoutSeconds") or 1800)
        with state.cond:
            state.count("watch:" + resource)
            generation, end_generation = state.watch_generation, state.end_generation
            current = state.extra[resource].get((namespace, name))
            initial = [("ADDED", json.loads(json.dumps(current)))] if current else []
            since = state.rv
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for kind, obj in initial:
            self.write_event(kind, obj)
        self.wfile.flush()
        deadline = time.monotonic() + timeout
        while True:
            with state.cond:
                while True:
                    if state.watch_generation != generation:
                        return self.drop()
                    pending = [(rv, kind, obj) for rv, kind, res, obj in state.extra_history
                               if rv > since and res == resource and obj["metadata"]["name"] == name
                               and obj["metadata"].get("namespace", "") == namespace]
                    now = time.monotonic()
                    if pending or state.end_generation != end_generation or now >= deadline:
                        break
                    state.cond.wait(deadline - now)
                ended = state.end_generation != end_generation
            for rv, kind, obj in pending:
                self.write_event(kind, obj)
                since = rv
            if ended or (not pending and time.monotonic() >= deadline):
                return self.finish_stream()

    def injected_fault(self):
        state = self.server.state
        with state.cond:
            fault = state.fault
            if fault is None:
                return False
            if "count" in fault:
                fault["count"] -= 1
                if fault["count"] < 0:
                    state.fault = None
                    return False
            elif time.monotonic() >= fault["until"]:
                state.fault = None
                return False
            state.count("faults")
            code = fault["status"]
        self.send_status(code, "InternalError", "injected fault")
        return True

    # --- the API ----------------------------------------------------------------------------
    def discovery(self, parts):
        """GET /apis, /apis/GROUP, /apis/GROUP/VERSION."""
        state = self.server.state
        with state.cond:
            state.count("discovery")
            groups = json.loads(json.dumps(state.api_groups))
        if not parts:
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                        "groups": [api_group(g, v) for g, v in groups.items()]})
        versions = groups.get(parts[0])
        if not versions or (len(parts) == 2 and parts[1] not in versions):
            return self.send_status(404, "NotFound", "the server could not find the requested resource")
        if len(parts) == 1:
            return self.send_json(200, api_group(parts[0], versions))
        self.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "/".join(parts),
                             "resources": [api_resource(name) for name in versions[parts[1]]]})

    def get_one(self, namespace, name):
        state = self.server.state
        with state.cond:
            state.count("get")
            state.count("get:%s/%s" % (namespace, name))
            obj = state.objects.get((namespace, name))
            body = json.dumps(obj, separators=(",", ":")).encode() if obj else None
        if body is None:
            return self.send_status(404, "NotFound", 'serviceaccounts "%s" not found' % name)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def collection(self, namespace, query):
        if query.get("watch") in ("1", "true"):
            return self.watch(namespace, query)
        state = self.server.state
        limit = int(query.get("limit") or 0)
        with state.cond:
            state.count("list")
            position = self.list_position(state, query)
            if position is None:
                return
            list_rv, start = position
            keys = state.sorted_keys()
            if namespace is not None:
                keys = keys[bisect.bisect_left(keys, (namespace,)):bisect.bisect_left(keys, (namespace + "\0",))]
            if start is not None:
                keys = keys[bisect.bisect_right(keys, start):]
            page = keys[:limit] if limit > 0 else keys
            items = [state.objects[k] for k in page]
            metadata = {"resourceVersion": str(list_rv)}
            if limit > 0 and len(keys) > limit:
                metadata["continue"] = base64.urlsafe_b64encode(
                    json.dumps({"rv": list_rv, "start": list(page[-1])}).encode()).decode()
                metadata["remainingItemCount"] = len(keys) - limit
            body = json.dumps({"kind": "ServiceAccountList", "apiVersion": "v1", "metadata": metadata,
                               "items": [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")}
                                         for o in items]}, separators=(",", ":")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def write_event(self, kind, obj):
        self.write_chunk(json.dumps({"type": kind, "object": obj}, separators=(",", ":")).encode() + b"\n")

    def watch(self, namespace, query):
        state = self.server.state
        timeout = float(query.get("timeoutSeconds") or 1800)
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")
        interval = self.server.bookmark_interval
        with state.cond:
            state.count("watch")
            rv_text = query.get("resourceVersion") or "0"
            try:
                since = int(rv_text)
            except ValueError:
                return self.send_status(400, "BadRequest", "invalid resourceVersion %r" % rv_text)
            generation, end_generation = state.watch_generation, state.end_generation
            bookmark_generation = state.bookmark_generation
            if since == 0:
                initial = [("ADDED", o) for k, o in sorted(state.objects.items())
                           if namespace is None or k[0] == namespace]
                since = state.rv
            else:
                initial = []
            expired = since < state.compacted
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        if expired:
            self.write_event("ERROR", status_object(
                410, "Expired", "too old resource version: %d (%d)" % (since, state.compacted)))
            return self.finish_stream()
        for kind, obj in initial:
            self.write_event(kind, obj)
        deadline = time.monotonic() + timeout
        next_bookmark = time.monotonic() + interval
        while True:
            with state.cond:
                while True:
                    if state.watch_generation != generation:
                        return self.drop()
                    if state.end_generation != end_generation:
                        break
                    pending = [(rv, kind, obj) for rv, kind, obj in state.history
                               if rv > since and (namespace is None or obj["metadata"]["namespace"] == namespace)]
                    now = time.monotonic()
                    send_bookmark = bookmarks and (now >= next_bookmark
                                                   or state.bookmark_generation != bookmark_generation)
                    if pending or send_bookmark or now >= deadline:
                        break
                    state.cond.wait(min(deadline, next_bookmark) - now if bookmarks else deadline - now)
                current_rv = state.rv
                bookmark_generation = state.bookmark_generation
                ended = state.end_generation != end_generation
            if ended or (not pending and time.monotonic() >= deadline):
                return self.finish_stream()
            for rv, kind, obj in pending:
                self.write_event(kind, obj)
                since = rv
            if send_bookmark:
                since = max(since, current_rv)
                self.write_event("BOOKMARK", {"kind": "ServiceAccount", "apiVersion": "v1",
                                              "metadata": {"resourceVersion": str(since)}})
                next_bookmark = time.monotonic() + interval

    def finish_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def drop(self):
        """Cut the stream with no final chunk, like a proxy or apiserver restart would."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- the control interface -------------------------------------------------------------
    def control(self, method, parts):
        state = self.server.state
        body = self.read_body() if method == "POST" else {}
        if self.server.pods.control(self, method, parts, body):
            return
        with state.cond:
            if method == "POST" and parts == ["serviceaccounts"]:
                obj = state.put(body)
                return self.send_json(200, obj)
            if method == "DELETE" and len(parts) == 3 and parts[0] == "serviceaccounts":
                obj = state.delete(parts[1], parts[2])
                return self.send_json(200 if obj else 404, obj or status_object(404, "NotFound", "no such object"))
            if method == "POST" and parts == ["drop-watches"]:
                state.watch_generation += 1
                state.cond.notify_all()
            elif method == "POST" and parts == ["end-watches"]:
                state.end_generation += 1
                state.cond.notify_all()
            elif method == "POST" and parts == ["bookmark"]:
                state.bookmark_generation += 1
                state.cond.notify_all()
            elif method == "POST" and parts == ["compact"]:
                state.compacted = state.next_rv()
                state.history = []
            elif method == "POST" and parts == ["faults"]:
                fault = {"status": int(body.get("status", 500))}
                if "seconds" in body:
                    fault["until"] = time.monotonic() + float(body["seconds"])
                else:
                    fault["count"] = int(body.get("count", 1))
                state.fault = fault
            elif method == "POST" and parts == ["latency"]:
                state.latency = float(body.get("seconds", 0))
            elif method == "POST" and parts == ["token"]:
                state.token = body.get("token")
            elif method == "POST" and parts == ["version"]:
                state.version = {"major": str(body["major"]), "minor": str(body["minor"])}
            elif method == "POST" and len(parts) == 2 and parts[0] == "objects" and parts[1] in state.extra:
                return self.send_json(200, state.put_extra(parts[1], body))
            elif method == "GET" and len(parts) == 4 and parts[0] == "objects" and parts[1] in state.extra:
                obj = state.extra[parts[1]].get(("" if parts[2] == "-" else parts[2], parts[3]))
                return self.send_json(200 if obj else 404, obj or status_object(404, "NotFound", "no such object"))
            elif method == "POST" and parts == ["reset-cabundle"]:
                obj = json.loads(json.dumps(state.extra["mutatingwebhookconfigurations"][("", body["name"])]))
                for webhook in obj.get("webhooks", []):
                    webhook.setdefault("clientConfig", {})["caBundle"] = body.get("value", "")
                return self.send_json(200, state.put_extra("mutatingwebhookconfigurations", obj))
            elif method == "POST" and parts == ["apis"]:
                versions = {str(v): [str(r) for r in names] for v, names in (body.get("versions") or {}).items()}
                if versions:
                    state.api_groups[body["group"]] = versions
                else:
                    state.api_groups.pop(body["group"], None)
            elif method == "POST" and parts == ["forbid"]:
                state.forbidden.append((body["resource"], body.get("verb")))
            elif method == "POST" and parts == ["issuer"]:
                state.token_issuer = body.get("token", state.token_issuer)
                state.discovery_issuer = body.get("discovery", state.discovery_issuer)
            elif method == "GET" and parts == ["signing-key"]:
                return self.send_json(200, {"pem": self.server.signer.public_key()})
            elif method == "GET" and parts == ["tokens"]:
                return self.send_json(200, {"tokens": list(state.tokens)})
            elif method == "GET" and parts == ["counters"]:
                return self.send_json(200, {"counters": dict(state.counters), "recent": list(state.recent),
                                            "resourceVersion": str(state.rv), "objects": len(state.objects)})
            elif method == "POST" and parts == ["reset-counters"]:
                state.counters = {}
                state.recent = []
            else:
                return self.send_status(404, "NotFound", "unknown control endpoint")
        self.send_json(200, {"ok": True})


class PatchTestFailed(Exception):
    pass


def apply_json_patch(doc, ops):
    """RFC 6902 test/add/replace/remove on JSON pointers (what the webhook sends)."""
    for op in ops:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in op["path"].split("/")[1:]]
        parent = doc
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        index = (len(parent) if last == "-" else int(last)) if isinstance(parent, list) else last
        if op["op"] == "test":
            if parent[index] != op["value"]:
                raise PatchTestFailed("testing value %s failed" % op["path"])
        elif op["op"] == "add":
            if isinstance(parent, list):
                parent.insert(index, op["value"])
            else:
                parent[index] = op["value"]
        elif op["op"] == "replace":
            parent[index]  # must exist
            parent[index] = op["value"]
        elif op["op"] == "remove":
            del parent[index]
        else:
            raise ValueError("unsupported op %r" % op["op"])
    return doc


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Refused handshakes (wrong CA, wrong host) and clients hanging up mid-stream are
        # expected in these tests; one line instead of a traceback.
        if self.verbose:
            sys.stderr.write("fake-apiserver: connection error: %r\n" % (sys.exc_info()[1],))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca")
    parser.add_argument("--token")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--serviceaccounts-file", help="JSON: a list of ServiceAccounts or a ServiceAccountList")
    source.add_argument("--generate", type=int, default=0, help="generate N ServiceAccounts")
    parser.add_argument("--namespaces", type=int, default=0, help="namespaces for --generate (default N/50)")
    parser.add_argument("--major", default="1")
    parser.add_argument("--minor", default="32")
    parser.add_argument("--bookmark-interval", type=float, default=60.0)
    parser.add_argument("--cluster-trust-bundles", action="store_true",
                        help="serve certificates.k8s.io/v1beta1 clustertrustbundles in API discovery")
    parser.add_argument("--issuer", default="https://kubernetes.default.svc.cluster.local",
                        help="the iss of issued tokens and the discovery document's issuer")
    parser.add_argument("--generate-pods", type=int, default=0, help="generate N labelled pods (fake_pods.py)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    # A parent may have spawned us with SIGTERM blocked (test runners do); stay stoppable.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    state = State(args.token, args.major, args.minor, args.cluster_trust_bundles, args.issuer)
    if args.serviceaccounts_file:
        with open(args.serviceaccounts_file) as f:
            loaded = json.load(f)
        for obj in loaded["items"] if isinstance(loaded, dict) else loaded:
            state.put(obj, record=False)
    namespaces = args.namespaces or max(1, args.generate // 50)
    for index in range(args.generate):
        state.put(generated_serviceaccount(index, namespaces), record=False)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.load_verify_locations(args.client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL
    server = Server((args.host, args.port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.state = state
    server.signer = Signer()
    server.pods = fake_pods.PodsAPI(state, status_object, apply_json_patch, args.bookmark_interval)
    server.pods.generate(args.generate_pods, args.namespaces or max(1, args.generate_pods // 50))
    server.client_ca = args.client_ca
    server.bookmark_interval = args.bookmark_interval
    server.verbose = args.verbose
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
