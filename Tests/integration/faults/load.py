"""Admission load: keep-alive HTTPS clients that check every answer, in worker processes.

Each thread holds one connection and sends AdmissionReviews at a fixed pace (the total --rate
spread over the connections), with a fresh uid each time. Pacing rather than a closed loop keeps
the Python client out of saturation, so a request's latency is the server's plus the client's
scheduling noise, not time spent queueing inside the client (a saturated closed loop measures
only connections / client throughput). A request that could not start on time is counted as
"behind schedule", the sign that the client, not the server, was the limit. Each thread and reconnects every RECONNECT_EVERY requests so that new handshakes keep
meeting the rotating certificate. Every response is checked: HTTP/1.1 200 with a Content-Length
body that is an AdmissionReview echoing the uid, allowed, and a patch that, applied with
`jsonpatch` to the pod, gives exactly the pod a quiet request gave (the reference, itself checked
for the AZURE_* values). A patch string already checked is not applied again: equal bytes give an
equal pod, and applying every one would make the client, not the server, the bottleneck.

Times are `time.monotonic()` (CLOCK_MONOTONIC, the same in every process), so a request's
"fully sent" instant can be compared with the instant the orchestrator sent SIGTERM.
"""
import base64
import json
import random
import socket
import ssl
import sys
import threading
import time

import jsonpatch

RECONNECTS_AFTER = (50, 150)


class Garbled(Exception):
    """The response is not a well-formed HTTP/1.1 response carrying a correct AdmissionReview."""


class Closed(Exception):
    """The connection ended before any byte of a response arrived."""


def read_response(sock, buffer):
    """Reads one response; returns (status, headers, body). `buffer` carries bytes between calls."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            if buffer:
                raise Garbled("truncated head: %r" % bytes(buffer[:80]))
            raise Closed()
        buffer += chunk
        if len(buffer) > 65536:
            raise Garbled("head too long")
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or parts[0] != b"HTTP/1.1" or not parts[1].isdigit():
        raise Garbled("status line %r" % lines[0][:80])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise Garbled("header line %r" % line[:80])
        headers[name.strip().lower()] = value.strip()
    if b"content-length" not in headers:
        raise Garbled("no Content-Length")
    length = int(headers[b"content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise Garbled("truncated body: %d of %d bytes" % (len(rest), length))
        rest += chunk
    buffer[:] = rest[length:]
    return int(parts[1]), headers, rest[:length]


class Variant:
    """One pod to admit, the reference result, and the patches already checked against it."""

    def __init__(self, name, review, reference):
        self.name = name
        self.review = review
        self.pod = review["request"]["object"]
        self.reference = reference   # the patched pod
        self.checked = set()
        prefix, _, suffix = json.dumps(review, separators=(",", ":")).partition('"UID"')
        self.prefix, self.suffix = prefix.encode(), suffix.encode()

    def request_bytes(self, uid):
        body = self.prefix + b'"' + uid + b'"' + self.suffix
        return (b"POST /mutate-v1-pod?timeout=10s HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)) + body

    def check(self, uid, status, body, lock):
        if status != 200:
            raise Garbled("status %d" % status)
        try:
            review = json.loads(body)
            response = review["response"]
        except (ValueError, KeyError, TypeError):
            raise Garbled("not an AdmissionReview: %r" % body[:80])
        if review.get("kind") != "AdmissionReview" or response.get("uid") != uid.decode():
            raise Garbled("uid %r, expected %r" % (response.get("uid"), uid))
        if response.get("allowed") is not True:
            raise Garbled("not allowed: %r" % response.get("status"))
        patch = response.get("patch")
        if response.get("patchType") != "JSONPatch" or patch is None:
            raise Garbled("no JSONPatch")
        with lock:
            if patch in self.checked:
                return
        patched = jsonpatch.apply_patch(self.pod, json.loads(base64.b64decode(patch)))
        if patched != self.reference:
            raise Garbled("the patch gives a different pod")
        with lock:
            self.checked.add(patch)


def template(review, uid_placeholder="UID"):
    review = json.loads(json.dumps(review))
    review["request"]["uid"] = uid_placeholder
    return review


class Client(threading.Thread):
    """One connection's closed loop; results stay in the thread until the process reports them."""

    def __init__(self, index, port, context, variants, control, lock, interval):
        super().__init__(daemon=True)
        self.interval = interval     # seconds between this connection's requests
        self.index, self.port, self.context = index, port, context
        self.variants, self.control, self.lock = variants, control, lock
        self.latencies = []          # seconds, requests started before the main phase ended
        self.outcomes = {}           # kind -> count
        self.samples = []            # a few failures, for the report
        self.serials = set()         # certificate serials seen on new connections
        self.behind_schedule = 0

    def count(self, kind, detail=None):
        self.outcomes[kind] = self.outcomes.get(kind, 0) + 1
        if detail and len(self.samples) < 5:
            self.samples.append("%s: %s" % (kind, detail))

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = self.context.wrap_socket(raw, server_hostname="localhost")
        self.serials.add(int(sock.getpeercert()["serialNumber"], 16))
        return sock

    def run(self):
        rng = random.Random(self.index)
        sock, buffer, used, sequence, reconnect_after = None, bytearray(), 0, 0, 0
        next_at = time.monotonic() + rng.random() * self.interval
        while not self.control.stopped():
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            elif now > next_at + self.interval:
                self.behind_schedule += 1
                next_at = now
            next_at += self.interval
            after_sigterm = self.control.sigterm_at() is not None
            if sock is None:
                try:
                    sock, buffer, used = self.connect(), bytearray(), 0
                    reconnect_after = rng.randrange(*RECONNECTS_AFTER)
                except (OSError, ssl.SSLError) as error:
                    if after_sigterm:
                        return   # the listener is closed: this client is done
                    self.count("connect-failed", repr(error))
                    time.sleep(0.1)
                    continue
            variant = self.variants[rng.randrange(len(self.variants))]
            sequence += 1
            uid = b"%08x-0000-4000-8000-%012x" % (self.index, sequence)
            sent_at = None
            started = time.monotonic()
            try:
                sock.sendall(variant.request_bytes(uid))
                sent_at = time.monotonic()
                status, headers, body = read_response(sock, buffer)
                finished = time.monotonic()
                variant.check(uid, status, body, self.lock)
            except Closed:
                self.failed_or_closed(sent_at, "closed-before-response", None)
                sock = self.drop(sock)
                continue
            except (OSError, ssl.SSLError) as error:
                self.failed_or_closed(sent_at, "connection-error", repr(error))
                sock = self.drop(sock)
                continue
            except Garbled as error:
                self.count("garbled", str(error))
                sock = self.drop(sock)
                continue
            if self.control.in_main_phase(started):
                self.latencies.append(finished - started)
                self.count("ok")
            else:
                self.count("ok-during-shutdown")
            used += 1
            if headers.get(b"connection", b"").lower() == b"close" or used >= reconnect_after:
                sock = self.drop(sock)

    def failed_or_closed(self, sent_at, kind, detail):
        """A close is a failure unless the request was sent after SIGTERM (or never fully sent)."""
        sigterm_at = self.control.sigterm_at()
        if sigterm_at is not None and (sent_at is None or sent_at >= sigterm_at):
            self.count("closed-after-sigterm")
        elif sigterm_at is not None:
            self.count("unanswered-sent-before-sigterm", "%s %s" % (kind, detail or ""))
        else:
            self.count(kind, detail)

    @staticmethod
    def drop(sock):
        try:
            sock.close()
        except OSError:
            pass
        return None


class Control:
    """The orchestrator's clock marks, shared with the worker processes."""

    def __init__(self, main_end, sigterm_at, stop):
        self._main_end, self._sigterm_at, self._stop = main_end, sigterm_at, stop

    def in_main_phase(self, started):
        return self._main_end.value == 0 or started < self._main_end.value

    def sigterm_at(self):
        value = self._sigterm_at.value
        return value if value else None

    def stopped(self):
        return self._stop.value != 0


def worker(index, threads, interval, port, ca_path, variant_specs, main_end, sigterm_at, stop, results):
    """A load process: `threads` clients; puts one result dict on `results` when `stop` is set."""
    sys.setswitchinterval(0.001)   # a thread whose response arrived waits less for the GIL
    context = ssl.create_default_context(cafile=ca_path)
    variants = [Variant(name, template(review), reference) for name, review, reference in variant_specs]
    control = Control(main_end, sigterm_at, stop)
    lock = threading.Lock()
    clients = [Client(index * 1000 + i, port, context, variants, control, lock, interval) for i in range(threads)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    outcomes, samples, latencies, serials, behind = {}, [], [], set(), 0
    for client in clients:
        for kind, n in client.outcomes.items():
            outcomes[kind] = outcomes.get(kind, 0) + n
        samples += client.samples
        latencies += client.latencies
        serials |= client.serials
        behind += client.behind_schedule
    results.put({"outcomes": outcomes, "samples": samples[:10], "latencies": latencies, "serials": sorted(serials),
                 "behind_schedule": behind})
