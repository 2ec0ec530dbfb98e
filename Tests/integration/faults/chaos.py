"""Hostile clients for the fault run: idle connections held open, and clients that send garbage.

Run in a process of its own so that its Python work does not sit in the admission clients' GIL.

Idle (slowloris) connections come in three kinds, reopened as soon as the server closes one, so
the count stays up all run: TCP that never starts TLS (ends at the handshake timeout), TLS that
never sends a request (an idle keep-alive connection), and TLS that dribbles a request head one
byte every two seconds (ends at the header timeout with 408).

Garbage clients loop over six kinds: random bytes, plaintext HTTP to the TLS port, a ClientHello
cut short, an oversized request head (the server must answer 431), random bytes after a good
handshake (400 or a close), and a body that stops mid-way before the client hangs up. Whatever
the server sends back must be either nothing or a well-formed HTTP/1.1 status line (or a TLS
alert, for bytes that are not TLS). Garbage stops once SIGTERM is sent.
"""
import os
import random
import selectors
import socket
import ssl
import threading
import time

IDLE_KINDS = ("tcp-no-tls", "tls-idle", "tls-dribble")
GARBAGE_KINDS = ("random-bytes", "plaintext-http", "truncated-clienthello", "oversized-head",
                 "garbage-after-handshake", "body-stops-midway")
DRIBBLE = b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 4096


def client_hello(context):
    """The bytes of a real ClientHello, taken from an in-memory handshake."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


class IdleHolder(threading.Thread):
    """Keeps `count` idle connections open, in one thread with a selector."""

    def __init__(self, port, context, count, stop):
        super().__init__(daemon=True)
        self.port, self.context, self.count, self.stop = port, context, count, stop
        self.opened = 0
        self.closed_by_server = {kind: 0 for kind in IDLE_KINDS}
        self.open_failures = 0

    def open(self, kind):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock = raw if kind == "tcp-no-tls" else self.context.wrap_socket(raw, server_hostname="localhost")
        sock.setblocking(False)
        self.opened += 1
        return sock

    def run(self):
        selector = selectors.DefaultSelector()
        held = {}   # sock -> [kind, bytes of DRIBBLE sent]
        next_dribble = time.monotonic() + 2
        while not self.stop.is_set():
            for index in range(self.count - len(held)):
                kind = IDLE_KINDS[(self.opened + index) % len(IDLE_KINDS)]
                try:
                    sock = self.open(kind)
                except (OSError, ssl.SSLError):
                    self.open_failures += 1
                    break
                held[sock] = [kind, 0]
                selector.register(sock, selectors.EVENT_READ)
            for key, _ in selector.select(timeout=0.5):
                sock = key.fileobj
                try:
                    data = sock.recv(65536)
                except (ssl.SSLWantReadError, BlockingIOError):
                    continue
                except (OSError, ssl.SSLError):
                    data = b""
                if not data:   # a 408 was read before this, or the server closed an idle connection
                    self.closed_by_server[held[sock][0]] += 1
                    selector.unregister(sock)
                    sock.close()
                    del held[sock]
            if time.monotonic() >= next_dribble:
                next_dribble += 2
                for sock, state in list(held.items()):
                    if state[0] == "tls-dribble" and state[1] < len(DRIBBLE):
                        try:
                            sock.send(DRIBBLE[state[1]:state[1] + 1])
                            state[1] += 1
                        except (OSError, ssl.SSLError):
                            pass
        for sock in held:
            sock.close()


class GarbageClient(threading.Thread):
    """Sends one kind of garbage after another, with a short pause between attempts."""

    def __init__(self, index, port, context, hello, stop, sigterm_at):
        super().__init__(daemon=True)
        self.index, self.port, self.context, self.hello, self.stop = index, port, context, hello, stop
        self.sigterm_at = sigterm_at   # once set, the listener may be gone: attempts are not judged
        self.rng = random.Random(index)
        self.attempts = {kind: 0 for kind in GARBAGE_KINDS}
        self.answers = {}            # "kind status" -> count
        self.bad = []                # replies that were not HTTP/1.1 (or a wrong status)

    def run(self):
        turn = self.index
        while not self.stop.is_set():
            kind = GARBAGE_KINDS[turn % len(GARBAGE_KINDS)]
            turn += 1
            if self.sigterm_at.value:
                self.stop.wait(0.1)
                continue
            self.attempts[kind] += 1
            try:
                reply = getattr(self, kind.replace("-", "_"))()
            except (OSError, ssl.SSLError, ValueError):
                reply = b""   # refused, reset or handshake failure: all fine for garbage
            self.judge(kind, reply)
            self.stop.wait(0.25 + self.rng.random() * 0.5)   # about 1.5 attempts a second per client

    def judge(self, kind, reply):
        if not reply:
            key = "%s closed" % kind
        elif reply.startswith(b"HTTP/1.1 ") and reply[9:12].isdigit():
            key = "%s %s" % (kind, reply[9:12].decode())
            if kind == "oversized-head" and reply[9:12] != b"431":
                self.bad.append("%s: %r" % (kind, reply[:60]))
        elif kind in ("random-bytes", "plaintext-http", "truncated-clienthello"):
            key = "%s tls-alert" % kind   # a TLS alert record is the right answer to non-TLS bytes
            if reply[:1] != b"\x15":
                self.bad.append("%s: %r" % (kind, reply[:60]))
        else:
            key = "%s garbled" % kind
            self.bad.append("%s: %r" % (kind, reply[:60]))
        self.answers[key] = self.answers.get(key, 0) + 1

    def raw(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def tls(self):
        return self.context.wrap_socket(self.raw(), server_hostname="localhost")

    @staticmethod
    def read_some(sock):
        sock.settimeout(5)
        try:
            return sock.recv(4096)
        except (socket.timeout, ssl.SSLError, OSError):
            return b""
        finally:
            sock.close()

    def random_bytes(self):
        sock = self.raw()
        sock.sendall(os.urandom(self.rng.randrange(1, 32768)))
        return self.read_some(sock)

    def plaintext_http(self):
        sock = self.raw()
        sock.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}")
        return self.read_some(sock)

    def truncated_clienthello(self):
        sock = self.raw()
        sock.sendall(self.hello[: self.rng.randrange(1, len(self.hello))])
        sock.shutdown(socket.SHUT_WR)
        return self.read_some(sock)

    def oversized_head(self):
        sock = self.tls()
        sock.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"b" * 40000 + b"\r\n\r\n")
        return self.read_some(sock)

    def garbage_after_handshake(self):
        sock = self.tls()
        sock.sendall(os.urandom(self.rng.randrange(1, 4096)).replace(b"\n", b"?") + b"\r\n\r\n")
        return self.read_some(sock)

    def body_stops_midway(self):
        sock = self.tls()
        sock.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 5000\r\n\r\n" + b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",')
        time.sleep(self.rng.random() * 0.2)
        sock.close()
        return b""


def run(port, ca_path, idle, garbage, sigterm_at, stop_event, results):
    """The chaos process: `idle` held connections and `garbage` clients until `stop_event` is set."""
    context = ssl.create_default_context(cafile=ca_path)
    stop = threading.Event()
    holder = IdleHolder(port, context, idle, stop)
    hello = client_hello(context)
    clients = [GarbageClient(i, port, context, hello, stop, sigterm_at) for i in range(garbage)]
    holder.start()
    for client in clients:
        client.start()
    stop_event.wait()
    stop.set()
    holder.join(timeout=10)
    for client in clients:
        client.join(timeout=10)
    attempts, answers, bad = {}, {}, []
    for client in clients:
        for kind, n in client.attempts.items():
            attempts[kind] = attempts.get(kind, 0) + n
        for key, n in client.answers.items():
            answers[key] = answers.get(key, 0) + n
        bad += client.bad
    results.put({"idle_opened": holder.opened,
                 "idle_closed_by_server": holder.closed_by_server, "idle_open_failures": holder.open_failures,
                 "garbage_attempts": attempts, "garbage_answers": answers, "garbage_bad": bad[:10],
                 "garbage_bad_count": len(bad)})
