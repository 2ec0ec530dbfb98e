"""Pods and what acts on them, for the API-server stand-in (fake_apiserver.py imports this module).

Stdlib only, and written from kube-apiserver's documented behaviour, not from the webhook's code:

- Pods (and what fake_apiserver.py already serves of them, read from the same store): GET one; LIST cluster-wide or per namespace with a labelSelector (`k=v`, `k==v`, `k!=v`,
  `k`, `!k`, `k in (a,b)`, `k notin (a,b)`), limit/continue; WATCH from a resourceVersion with
  bookmarks and timeoutSeconds, filtered by the selector the way the watch cache filters (an
  object that starts matching arrives as ADDED, one that stops matching as DELETED with its old
  content), an ERROR 410 when the resourceVersion is older than the last compaction, cut by
  /_control/drop-watches like every other watch; CREATE (POST) through admission; DELETE.
- Admission on pod CREATE (namespace labels from the namespaces fake_apiserver.py stores, through
  /_control/objects/namespaces): every webhook of every stored MutatingWebhookConfiguration whose rules
  cover pods/CREATE and whose namespaceSelector and objectSelector select the pod is called at
  its clientConfig.url (verified with its caBundle, within timeoutSeconds) with an
  admission.k8s.io/v1 AdmissionReview; its JSON patch is applied; when the call fails,
  failurePolicy Ignore creates the pod as it was and Fail refuses it with 500.
- The Eviction subresource (policy/v1): 404 for a missing pod, 409 when deleteOptions.preconditions.uid
  differs, 429 TooManyRequests while a PodDisruptionBudget selecting the pod allows no
  disruption (minAvailable/maxUnavailable as integers, healthy = running and not being deleted),
  500 when several budgets select it; otherwise the pod is deleted.
- Workload controllers (ReplicaSet, and a Deployment's ReplicaSet, StatefulSet, DaemonSet, Job):
  a deleted or evicted pod they own is recreated from their template, through admission, a
  moment later (retried every second while admission refuses it), as a controller would.
- Events (core/v1): CREATE, checked as the API server checks them (involvedObject.namespace must
  be the Event's namespace, type Normal or Warning, a reason); LIST per namespace or
  cluster-wide with a fieldSelector (`involvedObject.name=…,reason=…`).
- Leases (coordination.k8s.io/v1): GET, CREATE (409 AlreadyExists), PUT (404 when missing, 409
  Conflict when metadata.resourceVersion is stale, 422 for a non-positive leaseDurationSeconds).

Controls (POST unless marked; no auth), under /_control/:
  pods  body: a Pod                                  store it as is, no admission (a pod created while
                                                     nothing checked it)
  pods/NS/NAME/terminate                             set deletionTimestamp, as a graceful delete does
  pods/NS/NAME/phase {"phase"}                       set status.phase
  workloads {"kind", "namespace", "name", "replicas", "template"}
                                                     create a controller and its pods (through admission)
  poddisruptionbudgets {"namespace", "name", "matchLabels", "minAvailable" | "maxUnavailable"}
  DELETE poddisruptionbudgets/NS/NAME
  GET pods[?namespace=NS]   GET events   GET evictions   GET leases/NS/NAME
"""
import base64
import copy
import http.client
import json
import random
import ssl
import string
import threading
import time
import urllib.parse
import uuid

LEASES = ("apis", "coordination.k8s.io", "v1")
CONTROLLED = ("ReplicaSet", "StatefulSet", "DaemonSet", "Job")


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def parse_label_selector(text):
    """A labelSelector query value as [(key, op, values)]; ValueError when malformed."""
    requirements = []
    text = text.strip()
    position = 0
    while position < len(text):
        # One requirement runs to the next comma outside parentheses.
        depth, end = 0, position
        while end < len(text) and (text[end] != "," or depth):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        term = text[position:end].strip()
        position = end + 1
        if not term:
            raise ValueError("empty requirement")
        for word, op in ((" notin ", "notin"), (" in ", "in")):
            if word in term:
                key, _, rest = term.partition(word)
                rest = rest.strip()
                if not (rest.startswith("(") and rest.endswith(")")):
                    raise ValueError("set requirement without parentheses: %r" % term)
                values = [v.strip() for v in rest[1:-1].split(",") if v.strip()]
                requirements.append((key.strip(), op, values))
                break
        else:
            if "!=" in term:
                key, _, value = term.partition("!=")
                requirements.append((key.strip(), "notin", [value.strip()]))
            elif "=" in term:
                key, _, value = term.partition("==" if "==" in term else "=")
                requirements.append((key.strip(), "in", [value.strip()]))
            elif term.startswith("!"):
                requirements.append((term[1:].strip(), "doesnotexist", []))
            else:
                requirements.append((term, "exists", []))
    return requirements


def selector_matches(requirements, labels):
    labels = labels or {}
    for key, op, values in requirements:
        present = key in labels
        if op == "in" and not (present and labels[key] in values):
            return False
        if op == "notin" and present and labels[key] in values:
            return False
        if op == "exists" and not present:
            return False
        if op == "doesnotexist" and present:
            return False
    return True


def label_selector_object_matches(selector, labels):
    """A LabelSelector object (matchLabels, matchExpressions) against labels; None selects everything."""
    selector = selector or {}
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, op, values = expression["key"], expression["operator"], expression.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def field_value(obj, path):
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def random_suffix(length=5):
    return "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(length))


class PodsAPI:
    """The resources above, stored in the stand-in's State (its condition, resourceVersion and
    watch generations are shared, so /_control/drop-watches and /_control/compact apply here too)."""

    def __init__(self, state, status_object, apply_json_patch, bookmark_interval):
        self.state = state
        self.status_object = status_object
        self.apply_json_patch = apply_json_patch
        self.bookmark_interval = bookmark_interval
        for resource in ("pods", "events", "leases", "poddisruptionbudgets"):
            state.extra.setdefault(resource, {})
        self.history = []          # (rv, type, object, previous object or None) of pods
        self.controllers = {}      # (namespace, kind, name) -> {"template", "kind", "name", "ordinal"}
        self.evictions = []        # {"namespace", "name", "code", "time"}

    # --- plumbing --------------------------------------------------------------------------
    def route(self, parts):
        """(resource, namespace, name, subresource) for a path this module serves, else None."""
        if parts[:2] == ["api", "v1"]:
            rest = parts[2:]
            if rest in (["pods"], ["events"]):
                return rest[0], None, None, None
            if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] in ("pods", "events"):
                if len(rest) == 3:
                    return rest[2], rest[1], None, None
                if len(rest) == 4:
                    return rest[2], rest[1], rest[3], None
                if len(rest) == 5 and rest[2] == "pods" and rest[4] == "eviction":
                    return "pods", rest[1], rest[3], "eviction"
        if tuple(parts[:3]) == LEASES and len(parts) in (6, 7) and parts[3] == "namespaces" and parts[5] == "leases":
            return "leases", parts[4], parts[6] if len(parts) == 7 else None, None
        return None

    def serve(self, handler, method, parts, query):
        """Answers the request if it is for this module; returns whether it did."""
        route = self.route(parts)
        if route is None:
            return False
        resource, namespace, name, subresource = route
        watching = method == "GET" and query.get("watch") in ("1", "true")
        verb = {"PUT": "update", "POST": "create", "DELETE": "delete"}.get(
            method, "get" if name is not None else ("watch" if watching else "list"))
        if subresource == "eviction":
            resource, verb = "pods/eviction", "create"
        if handler.refuse(resource, verb, name):
            return True
        if resource == "pods/eviction":
            self.evict(handler, namespace, name, handler.read_body())
        elif resource == "pods":
            if watching:
                self.watch_pods(handler, namespace, query)
            elif method == "GET":
                self.get_pods(handler, namespace, name, query)
            elif method == "POST" and name is None:
                self.create_pod(handler, namespace, handler.read_body())
            elif method == "DELETE" and name is not None:
                self.delete_pod(handler, namespace, name)
            else:
                handler.send_status(405, "MethodNotAllowed", "method not served on pods")
        elif resource == "events":
            if method == "POST" and namespace is not None and name is None:
                self.create_event(handler, namespace, handler.read_body())
            elif method == "GET" and name is None:
                self.list_events(handler, namespace, query)
            else:
                handler.send_status(405, "MethodNotAllowed", "method not served on events")
        else:
            self.lease(handler, method, namespace, name)
        return True

    # --- namespaces (stored and served by fake_apiserver.py) -----------------------------------
    def namespace_labels(self, name):
        obj = self.state.extra["namespaces"].get(("", name))
        return (obj["metadata"].get("labels") or {}) if obj else {"kubernetes.io/metadata.name": name}

    # --- pods: storage ----------------------------------------------------------------------
    def store_pod(self, pod, record=True):
        """Stores a new or changed pod with the next resourceVersion (caller holds state.cond)."""
        state = self.state
        meta = pod.setdefault("metadata", {})
        key = (meta["namespace"], meta["name"])
        previous = state.extra["pods"].get(key)
        if previous is None:
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_rfc3339())
        pod.setdefault("apiVersion", "v1")
        pod.setdefault("kind", "Pod")
        meta["resourceVersion"] = str(state.next_rv())
        state.extra["pods"][key] = pod
        if record:
            self.history.append((int(meta["resourceVersion"]), "MODIFIED" if previous else "ADDED",
                                 copy.deepcopy(pod), previous and copy.deepcopy(previous)))
            state.cond.notify_all()
        return pod

    def remove_pod(self, namespace, name):
        """Deletes a pod (caller holds state.cond); returns it, or None."""
        state = self.state
        pod = state.extra["pods"].pop((namespace, name), None)
        if pod is None:
            return None
        gone = copy.deepcopy(pod)
        gone["metadata"]["resourceVersion"] = str(state.next_rv())
        self.history.append((int(gone["metadata"]["resourceVersion"]), "DELETED", gone, None))
        state.cond.notify_all()
        owner = next((o for o in pod["metadata"].get("ownerReferences") or [] if o.get("controller")), None)
        if owner and (namespace, owner["kind"], owner["name"]) in self.controllers:
            threading.Thread(target=self.replace_pod, args=(namespace, owner, pod), daemon=True).start()
        return gone

    # --- pods: the API ----------------------------------------------------------------------
    def get_pods(self, handler, namespace, name, query):
        state = self.state
        if name is not None:
            with state.cond:
                state.count("get:pods")
                pod = state.extra["pods"].get((namespace, name))
            if pod is None:
                return handler.send_status(404, "NotFound", 'pods "%s" not found' % name)
            return handler.send_json(200, pod)
        try:
            selector = parse_label_selector(query.get("labelSelector", ""))
        except ValueError as error:
            return handler.send_status(400, "BadRequest", "unable to parse requirement: %s" % error)
        limit = int(query.get("limit") or 0)
        with state.cond:
            state.count("list:pods")
            position = handler.list_position(state, query)
            if position is None:
                return
            list_rv, start = position
            keys = sorted(k for k, pod in state.extra["pods"].items()
                          if (namespace is None or k[0] == namespace) and (start is None or k > start)
                          and selector_matches(selector, pod["metadata"].get("labels")))
            page = keys[:limit] if limit > 0 else keys
            metadata = {"resourceVersion": str(list_rv)}
            if limit > 0 and len(keys) > limit:
                metadata["continue"] = base64.urlsafe_b64encode(
                    json.dumps({"rv": list_rv, "start": list(page[-1])}).encode()).decode()
                metadata["remainingItemCount"] = len(keys) - limit
            body = json.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": metadata,
                               "items": [state.extra["pods"][k] for k in page]}, separators=(",", ":")).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def watch_pods(self, handler, namespace, query):
        state = self.state
        try:
            selector = parse_label_selector(query.get("labelSelector", ""))
        except ValueError as error:
            return handler.send_status(400, "BadRequest", "unable to parse requirement: %s" % error)
        timeout = float(query.get("timeoutSeconds") or 1800)
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")

        def visible(pod):
            return pod is not None and (namespace is None or pod["metadata"]["namespace"] == namespace) \
                and selector_matches(selector, pod["metadata"].get("labels"))

        with state.cond:
            state.count("watch:pods")
            try:
                since = int(query.get("resourceVersion") or "0")
            except ValueError:
                return handler.send_status(400, "BadRequest", "invalid resourceVersion")
            generation, end_generation = state.watch_generation, state.end_generation
            bookmark_generation = state.bookmark_generation
            initial = []
            if since == 0:
                initial = [("ADDED", p) for _, p in sorted(state.extra["pods"].items()) if visible(p)]
                since = state.rv
            expired = since < state.compacted
            compacted = state.compacted
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.flush()
        if expired:
            handler.write_event("ERROR", self.status_object(410, "Expired", "too old resource version: %d (%d)" % (since, compacted)))
            return handler.finish_stream()
        for kind, pod in initial:
            handler.write_event(kind, pod)
        deadline = time.monotonic() + timeout
        next_bookmark = time.monotonic() + self.bookmark_interval
        while True:
            with state.cond:
                while True:
                    if state.watch_generation != generation:
                        return handler.drop()
                    ended = state.end_generation != end_generation
                    pending = [entry for entry in self.history if entry[0] > since]
                    now = time.monotonic()
                    send_bookmark = bookmarks and (now >= next_bookmark or state.bookmark_generation != bookmark_generation)
                    if ended or pending or send_bookmark or now >= deadline:
                        break
                    state.cond.wait(min(deadline, next_bookmark) - now if bookmarks else deadline - now)
                current_rv = state.rv
                bookmark_generation = state.bookmark_generation
            if ended or (not pending and time.monotonic() >= deadline):
                return handler.finish_stream()
            for rv, kind, pod, previous in pending:
                since = rv
                now_visible, was_visible = visible(pod), visible(previous)
                if kind == "MODIFIED" and now_visible and not was_visible:
                    handler.write_event("ADDED", pod)
                elif kind == "MODIFIED" and was_visible and not now_visible:
                    old = copy.deepcopy(previous)
                    old["metadata"]["resourceVersion"] = str(rv)
                    handler.write_event("DELETED", old)
                elif now_visible:
                    handler.write_event(kind, pod)
            if send_bookmark:
                since = max(since, current_rv)
                handler.write_event("BOOKMARK", {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": str(since)}})
                next_bookmark = time.monotonic() + self.bookmark_interval

    def create_pod(self, handler, namespace, pod):
        pod.setdefault("metadata", {})["namespace"] = namespace
        code, result = self.admit_and_store(pod)
        handler.send_json(code, result)

    def delete_pod(self, handler, namespace, name):
        with self.state.cond:
            self.state.count("delete:pods")
            gone = self.remove_pod(namespace, name)
        if gone is None:
            return handler.send_status(404, "NotFound", 'pods "%s" not found' % name)
        handler.send_json(200, gone)

    # --- admission --------------------------------------------------------------------------
    def admit_and_store(self, pod):
        """Runs the pod through the mutating webhooks, then stores it: (HTTP code, pod or Status)."""
        meta = pod["metadata"]
        namespace = meta["namespace"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + random_suffix()
        state = self.state
        with state.cond:
            if (namespace, meta["name"]) in state.extra["pods"]:
                return 409, self.status_object(409, "AlreadyExists", 'pods "%s" already exists' % meta["name"])
            configurations = [copy.deepcopy(o) for o in state.extra["mutatingwebhookconfigurations"].values()]
            namespace_labels = dict(self.namespace_labels(namespace))
        for configuration in configurations:
            for webhook in configuration.get("webhooks") or []:
                if not self.webhook_applies(webhook, namespace_labels, meta.get("labels")):
                    continue
                try:
                    pod = self.call_webhook(webhook, pod)
                except Denied as denial:
                    return denial.code, self.status_object(denial.code, "BadRequest", str(denial))
                except Exception as error:  # the call failed: failurePolicy decides
                    with state.cond:
                        state.count("admission-failed")
                    if webhook.get("failurePolicy", "Fail") == "Ignore":
                        continue
                    return 500, self.status_object(500, "InternalError", 'Internal error occurred: failed calling webhook "%s": %s'
                                                   % (webhook.get("name"), error))
        pod.setdefault("status", {}).setdefault("phase", "Running")
        with state.cond:
            state.count("create:pods")
            return 201, copy.deepcopy(self.store_pod(pod))

    @staticmethod
    def webhook_applies(webhook, namespace_labels, pod_labels):
        covers = any(("pods" in (rule.get("resources") or []) or "*" in (rule.get("resources") or []))
                     and ("CREATE" in (rule.get("operations") or []) or "*" in (rule.get("operations") or []))
                     for rule in webhook.get("rules") or [])
        return covers and label_selector_object_matches(webhook.get("namespaceSelector"), namespace_labels) \
            and label_selector_object_matches(webhook.get("objectSelector"), pod_labels)

    def call_webhook(self, webhook, pod):
        config = webhook.get("clientConfig") or {}
        url = config.get("url")
        if not url:
            raise ConnectionError("no clientConfig.url: the stand-in cannot reach a Service")
        parsed = urllib.parse.urlsplit(url)
        context = ssl.create_default_context(cadata=base64.b64decode(config.get("caBundle", "")).decode() or None)
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                  "request": {"uid": str(uuid.uuid4()), "kind": {"group": "", "version": "v1", "kind": "Pod"},
                              "resource": {"group": "", "version": "v1", "resource": "pods"},
                              "operation": "CREATE", "namespace": pod["metadata"]["namespace"],
                              "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
                              "object": pod, "dryRun": False}}
        connection = http.client.HTTPSConnection(parsed.hostname, parsed.port or 443, context=context,
                                                 timeout=float(webhook.get("timeoutSeconds") or 10))
        try:
            connection.request("POST", parsed.path or "/", body=json.dumps(review),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise ConnectionError("webhook answered HTTP %d" % response.status)
        answer = json.loads(body)["response"]
        if not answer.get("allowed"):
            status = answer.get("status") or {}
            raise Denied(status.get("code") or 400, 'admission webhook "%s" denied the request: %s'
                         % (webhook.get("name"), status.get("message", "")))
        if answer.get("patch"):
            pod = self.apply_json_patch(copy.deepcopy(pod), json.loads(base64.b64decode(answer["patch"])))
        return pod

    # --- controllers ------------------------------------------------------------------------
    def create_workload(self, body):
        kind, namespace, name = body["kind"], body["namespace"], body["name"]
        owner_kind, owner_name = (("ReplicaSet", "%s-%s" % (name, random_suffix(10)))
                                  if kind == "Deployment" else (kind, name))
        owner = {"apiVersion": "batch/v1" if owner_kind == "Job" else "apps/v1", "kind": owner_kind,
                 "name": owner_name, "uid": str(uuid.uuid4()), "controller": True, "blockOwnerDeletion": True}
        with self.state.cond:
            self.controllers[(namespace, owner_kind, owner_name)] = {"template": copy.deepcopy(body["template"]),
                                                                     "owner": owner, "ordinal": 0}
        created = []
        for _ in range(int(body.get("replicas", 1))):
            code, result = self.admit_and_store(self.pod_from_template(namespace, owner))
            created.append(result)
        return {"owner": owner, "pods": created}

    def pod_from_template(self, namespace, owner, name=None):
        with self.state.cond:
            controller = self.controllers[(namespace, owner["kind"], owner["name"])]
            template = copy.deepcopy(controller["template"])
            if name is None and owner["kind"] == "StatefulSet":
                name = "%s-%d" % (owner["name"], controller["ordinal"])
                controller["ordinal"] += 1
        meta = template.setdefault("metadata", {})
        meta["namespace"] = namespace
        if name:
            meta["name"] = name
        else:
            meta["generateName"] = owner["name"] + "-"
        meta["ownerReferences"] = [{k: v for k, v in owner.items()}]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template.get("spec", {})}

    def replace_pod(self, namespace, owner, deleted):
        """The controller's reaction to a deleted pod: a new one from the template, retried while refused."""
        name = deleted["metadata"]["name"] if owner["kind"] == "StatefulSet" else None
        while True:
            time.sleep(0.1)
            code, _ = self.admit_and_store(self.pod_from_template(namespace, owner, name))
            if code == 201:
                return
            time.sleep(0.9)

    # --- evictions --------------------------------------------------------------------------
    def evict(self, handler, namespace, name, body):
        state = self.state
        with state.cond:
            state.count("eviction")
            pod = state.extra["pods"].get((namespace, name))
            code, status = self.eviction_answer(namespace, name, pod, body)
            self.evictions.append({"namespace": namespace, "name": name, "code": code, "time": time.time(),
                                   "uid": pod and pod["metadata"]["uid"]})
            if code == 201:
                self.remove_pod(namespace, name)
        handler.send_json(code, status)

    def eviction_answer(self, namespace, name, pod, body):
        """(code, Status) for evicting `pod` now (caller holds state.cond)."""
        if pod is None:
            return 404, self.status_object(404, "NotFound", 'pods "%s" not found' % name)
        wanted = ((body.get("deleteOptions") or {}).get("preconditions") or {}).get("uid")
        if wanted and wanted != pod["metadata"]["uid"]:
            return 409, self.status_object(409, "Conflict", "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                                           % (wanted, pod["metadata"]["uid"]))
        success = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
        if pod["metadata"].get("deletionTimestamp"):
            return 201, success
        budgets = [b for (ns, _), b in self.state.extra["poddisruptionbudgets"].items()
                   if ns == namespace and label_selector_object_matches(b["spec"].get("selector"), pod["metadata"].get("labels"))]
        if len(budgets) > 1:
            return 500, self.status_object(500, "InternalError", "This pod has more than one PodDisruptionBudget, "
                                           "which the eviction subresource does not support.")
        if budgets:
            budget = budgets[0]
            selected = [p for (ns, _), p in self.state.extra["pods"].items()
                        if ns == namespace and label_selector_object_matches(budget["spec"].get("selector"), p["metadata"].get("labels"))]
            healthy = sum(1 for p in selected if (p.get("status") or {}).get("phase") == "Running"
                          and not p["metadata"].get("deletionTimestamp"))
            spec = budget["spec"]
            allowed = healthy - int(spec["minAvailable"]) if "minAvailable" in spec \
                else int(spec.get("maxUnavailable", 0)) - (len(selected) - healthy)
            if allowed <= 0:
                status = self.status_object(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.")
                status["details"] = {"causes": [{"reason": "DisruptionBudget", "message":
                                                 "The disruption budget %s needs %s healthy pods and has %d currently"
                                                 % (budget["metadata"]["name"], spec.get("minAvailable", "?"), healthy)}]}
                return 429, status
        return 201, success

    # --- events -----------------------------------------------------------------------------
    def create_event(self, handler, namespace, event):
        state = self.state
        meta = event.setdefault("metadata", {})
        involved = event.get("involvedObject") or {}
        problems = []
        if meta.get("namespace", namespace) != namespace:
            problems.append("metadata.namespace: does not match the namespace of the request")
        if involved.get("namespace", "") != namespace:
            problems.append("involvedObject.namespace: Invalid value: %r: does not match event.namespace" % involved.get("namespace"))
        if not meta.get("name") and not meta.get("generateName"):
            problems.append("metadata.name: Required value: name or generateName is required")
        if event.get("type") not in ("Normal", "Warning"):
            problems.append("type: Unsupported value: %r" % event.get("type"))
        if not event.get("reason"):
            problems.append("reason: Required value")
        if problems:
            return handler.send_status(422, "Invalid", "Event is invalid: " + "; ".join(problems))
        with state.cond:
            meta["namespace"] = namespace
            if not meta.get("name"):
                meta["name"] = meta["generateName"] + random_suffix()
            if ("", namespace + "/" + meta["name"]) in state.extra["events"]:
                return handler.send_status(409, "AlreadyExists", 'events "%s" already exists' % meta["name"])
            meta["uid"] = str(uuid.uuid4())
            meta["resourceVersion"] = str(state.next_rv())
            meta["creationTimestamp"] = now_rfc3339()
            state.extra["events"][("", namespace + "/" + meta["name"])] = event
            state.count("create:events")
        handler.send_json(201, event)

    def list_events(self, handler, namespace, query):
        wanted = [term.partition("=")[::2] for term in query.get("fieldSelector", "").split(",") if term]
        state = self.state
        with state.cond:
            state.count("list:events")
            items = [e for _, e in sorted(state.extra["events"].items())
                     if (namespace is None or e["metadata"]["namespace"] == namespace)
                     and all(str(field_value(e, path)) == value for path, value in wanted)]
            body = {"kind": "EventList", "apiVersion": "v1", "metadata": {"resourceVersion": str(state.rv)}, "items": items}
        handler.send_json(200, body)

    # --- leases -----------------------------------------------------------------------------
    def lease(self, handler, method, namespace, name):
        state = self.state
        body = handler.read_body() if method in ("POST", "PUT") else None
        if body is not None:
            duration = (body.get("spec") or {}).get("leaseDurationSeconds")
            if duration is not None and int(duration) <= 0:
                return handler.send_status(422, "Invalid", "Lease is invalid: spec.leaseDurationSeconds: Invalid value: %s: must be greater than 0" % duration)
        with state.cond:
            store = state.extra["leases"]
            if method == "POST" and name is None:
                name = (body.get("metadata") or {}).get("name")
                if (namespace, name) in store:
                    state.count("conflict:leases")
                    return handler.send_status(409, "AlreadyExists", 'leases.coordination.k8s.io "%s" already exists' % name)
                body["metadata"].update({"namespace": namespace, "uid": str(uuid.uuid4()),
                                         "resourceVersion": str(state.next_rv()), "creationTimestamp": now_rfc3339()})
                store[(namespace, name)] = body
                state.count("create:leases")
                return handler.send_json(201, body)
            if name is None:
                return handler.send_status(405, "MethodNotAllowed", "only create is served on the collection")
            current = store.get((namespace, name))
            if current is None:
                state.count("notfound:leases")
                return handler.send_status(404, "NotFound", 'leases.coordination.k8s.io "%s" not found' % name)
            if method == "GET":
                state.count("get:leases")
                return handler.send_json(200, current)
            if method == "PUT":
                sent = (body.get("metadata") or {}).get("resourceVersion")
                if sent is not None and sent != current["metadata"]["resourceVersion"]:
                    state.count("conflict:leases")
                    return handler.send_status(409, "Conflict", 'Operation cannot be fulfilled on leases.coordination.k8s.io "%s": '
                                               "the object has been modified; please apply your changes to the latest version and try again" % name)
                body["metadata"] = dict(current["metadata"], resourceVersion=str(state.next_rv()))
                store[(namespace, name)] = body
                state.count("update:leases")
                return handler.send_json(200, body)
        handler.send_status(405, "MethodNotAllowed", "method not served on leases")

    # --- the control interface ---------------------------------------------------------------
    def control(self, handler, method, parts, body):
        """Answers /_control/... requests for this module; returns whether it did."""
        state = self.state
        if method == "POST" and parts == ["pods"]:
            with state.cond:
                body.setdefault("status", {}).setdefault("phase", "Running")
                handler.send_json(200, self.store_pod(body))
        elif method == "GET" and parts == ["pods"]:
            namespace = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query).get("namespace", [None])[0]
            with state.cond:
                pods = [p for (ns, _), p in sorted(state.extra["pods"].items()) if namespace in (None, ns)]
                handler.send_json(200, {"items": pods})
        elif method == "POST" and len(parts) == 4 and parts[0] == "pods" and parts[3] in ("terminate", "phase"):
            with state.cond:
                pod = state.extra["pods"].get((parts[1], parts[2]))
                if pod is None:
                    return handler.send_status(404, "NotFound", "no such pod") or True
                pod = copy.deepcopy(pod)
                if parts[3] == "terminate":
                    pod["metadata"]["deletionTimestamp"] = now_rfc3339()
                    pod["metadata"]["deletionGracePeriodSeconds"] = 30
                else:
                    pod.setdefault("status", {})["phase"] = body["phase"]
                handler.send_json(200, self.store_pod(pod))
        elif method == "POST" and parts == ["workloads"]:
            handler.send_json(200, self.create_workload(body))
        elif method == "POST" and parts == ["poddisruptionbudgets"]:
            spec = {"selector": {"matchLabels": body.get("matchLabels") or {}}}
            for field in ("minAvailable", "maxUnavailable"):
                if field in body:
                    spec[field] = body[field]
            budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                      "metadata": {"name": body["name"], "namespace": body["namespace"]}, "spec": spec}
            with state.cond:
                state.extra["poddisruptionbudgets"][(body["namespace"], body["name"])] = budget
            handler.send_json(200, budget)
        elif method == "DELETE" and len(parts) == 3 and parts[0] == "poddisruptionbudgets":
            with state.cond:
                state.extra["poddisruptionbudgets"].pop((parts[1], parts[2]), None)
            handler.send_json(200, {"ok": True})
        elif method == "GET" and parts == ["events"]:
            with state.cond:
                handler.send_json(200, {"items": [e for _, e in sorted(state.extra["events"].items())]})
        elif method == "GET" and parts == ["evictions"]:
            with state.cond:
                handler.send_json(200, {"items": list(self.evictions)})
        elif method == "GET" and len(parts) == 3 and parts[0] == "leases":
            with state.cond:
                lease = state.extra["leases"].get((parts[1], parts[2]))
            handler.send_json(200 if lease else 404, lease or self.status_object(404, "NotFound", "no such lease"))
        else:
            return False
        return True

    # --- generated pods (benchmarks) -----------------------------------------------------------
    def generate(self, count, namespaces):
        """`count` labelled pods as a Deployment's ReplicaSet makes them, already mutated, spread over
        `namespaces` namespaces, stored without watch history."""
        with self.state.cond:
            for index in range(count):
                namespace = "namespace-%d" % (index % namespaces)
                if ("", namespace) not in self.state.extra["namespaces"]:
                    self.state.put_extra("namespaces", {"metadata": {"name": namespace}})
                self.store_pod(generated_pod(index, namespace), record=False)


class Denied(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def generated_pod(index, namespace):
    """A realistic mutated pod (about 4 KB of JSON): labels, owner, two containers, the injected
    env and volume, managed fields, status."""
    app = "app-%d" % (index // 10)
    replica_set = "%s-7d9f8b6c5d" % app
    token_env = [{"name": "AZURE_CLIENT_ID", "value": "00000000-0000-0000-0000-%012d" % index},
                 {"name": "AZURE_TENANT_ID", "value": "11111111-1111-1111-1111-111111111111"},
                 {"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"},
                 {"name": "AZURE_AUTHORITY_HOST", "value": "https://login.microsoftonline.com/"}]
    mount = {"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens", "readOnly": True}

    def container(name, image):
        return {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
                "env": [{"name": "LOG_LEVEL", "value": "info"}] + token_env,
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                "volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                  "readOnly": True}, mount],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}

    return {
        "metadata": {
            "name": "%s-%s" % (replica_set, "".join(random.choice(string.ascii_lowercase) for _ in range(5))),
            "namespace": namespace,
            "labels": {"app": app, "azure.workload.identity/use": "true", "pod-template-hash": "7d9f8b6c5d"},
            "annotations": {"azure.workload.identity/injected": json.dumps({"serviceAccount": app, "clientID": "x"})},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": replica_set,
                                 "uid": str(uuid.uuid4()), "controller": True, "blockOwnerDeletion": True}],
            "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                               "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:containers": {}}}}],
        },
        "spec": {
            "serviceAccountName": app,
            "containers": [container("app", "registry.example/app:1.2.3"), container("sidecar", "registry.example/sidecar:4.5")],
            "volumes": [{"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
                        {"name": "azure-identity-token", "projected": {"sources": [{"serviceAccountToken": {
                            "path": "azure-identity-token", "expirationSeconds": 3600, "audience": "api://AzureADTokenExchange"}}]}}],
            "nodeName": "node-%d" % (index % 50), "restartPolicy": "Always", "schedulerName": "default-scheduler",
        },
        "status": {"phase": "Running", "podIP": "10.0.%d.%d" % (index // 250 % 250, index % 250),
                   "conditions": [{"type": t, "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}
                                  for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
                   "containerStatuses": [{"name": n, "ready": True, "restartCount": 0, "image": "x", "imageID": "y",
                                          "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}
                                         for n in ("app", "sidecar")]},
    }
