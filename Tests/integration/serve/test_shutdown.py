"""Graceful shutdown on SIGTERM: not ready at once, in-flight requests finish, exit within the limit."""
import signal
import socket
import time

from httpwire import is_closed, read_response, request_bytes


def wait_until(predicate, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(message)


def test_sigterm_finishes_in_flight_requests(start_webhook, review_bytes):
    webhook = start_webhook("--shutdown-timeout", "8")
    idle = webhook.tls_socket()
    idle_stream = idle.makefile("rb")
    idle.sendall(request_bytes("POST", "/mutate-v1-pod", review_bytes))
    assert read_response(idle_stream).status == 200

    in_flight = []
    for _ in range(3):
        sock = webhook.tls_socket()
        head = b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % len(review_bytes)
        sock.sendall(head + review_bytes[:200])
        in_flight.append(sock)
    time.sleep(0.5)  # let the server read the heads; the requests are now in flight

    signalled = time.monotonic()
    webhook.process.send_signal(signal.SIGTERM)

    def not_ready():
        try:
            status, body = webhook.get_plain(webhook.health_port, "/readyz")
        except OSError:
            return False
        return status == 503 and "shutting down" in body

    wait_until(not_ready, 5, "readiness did not turn false after SIGTERM")
    assert is_closed(idle), "idle keep-alive connections close on shutdown"

    def refused():
        try:
            socket.create_connection(("127.0.0.1", webhook.port), timeout=1).close()
            return False
        except OSError:
            return True

    wait_until(refused, 5, "the webhook listener still accepts after SIGTERM")

    for sock in in_flight:
        sock.sendall(review_bytes[200:])
        response = read_response(sock.makefile("rb"))
        assert response.status == 200
        assert response.header("connection") == "close"
        sock.close()

    assert webhook.process.wait(timeout=10) == 0
    assert time.monotonic() - signalled < 8, "the process exits once drained, before the drain limit"
    assert any(entry.get("msg") == "webhook listener drained" for entry in webhook.logs())


def test_stuck_client_does_not_hold_the_process_past_the_limit(start_webhook):
    webhook = start_webhook("--shutdown-timeout", "1")
    stuck = webhook.tls_socket()
    stuck.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n{")
    time.sleep(0.2)
    signalled = time.monotonic()
    webhook.process.send_signal(signal.SIGTERM)
    assert webhook.process.wait(timeout=10) == 0
    assert time.monotonic() - signalled < 4
    assert any(entry.get("msg") == "shutdown timeout reached with connections still open" for entry in webhook.logs())
    stuck.close()


def test_sigint_also_stops_gracefully(webhook):
    webhook.process.send_signal(signal.SIGINT)
    assert webhook.process.wait(timeout=10) == 0
    assert any(entry.get("signal") == "SIGINT" for entry in webhook.logs())
