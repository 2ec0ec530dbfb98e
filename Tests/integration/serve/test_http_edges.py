"""HTTP/1.1 edge cases on the webhook listener, over real TLS with raw sockets."""
import json
import socket
import ssl
import struct
import threading

from httpwire import is_closed, read_response, request_bytes


def post_review(review_bytes, path="/mutate-v1-pod"):
    return request_bytes("POST", path, review_bytes, {"Content-Type": "application/json"})


def test_pipelined_requests_answered_in_order(webhook, review_bytes):
    sock = webhook.tls_socket()
    stream = sock.makefile("rb")
    sock.sendall(post_review(review_bytes) + request_bytes("GET", "/nowhere") + post_review(review_bytes))
    statuses = [read_response(stream).status for _ in range(3)]
    assert statuses == [200, 404, 200]
    sock.close()


def test_chunked_body(webhook, review_bytes):
    sock = webhook.tls_socket()
    stream = sock.makefile("rb")
    chunks = [review_bytes[i:i + 700] for i in range(0, len(review_bytes), 700)]
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    sock.sendall(request_bytes("POST", "/mutate-v1-pod", body, {"Transfer-Encoding": "chunked"}))
    response = read_response(stream)
    assert response.status == 200
    assert json.loads(response.body)["response"]["allowed"] is True
    sock.close()


def test_expect_100_continue(webhook, review_bytes):
    sock = webhook.tls_socket()
    stream = sock.makefile("rb")
    head = request_bytes("POST", "/mutate-v1-pod", b"", {"Expect": "100-continue"}, content_length=False)
    sock.sendall(head.replace(b"\r\n\r\n", f"\r\nContent-Length: {len(review_bytes)}\r\n\r\n".encode(), 1))
    interim = read_response(stream)
    assert interim.status == 100
    sock.sendall(review_bytes)
    assert read_response(stream).status == 200
    sock.close()


def exchange(webhook, raw: bytes):
    sock = webhook.tls_socket()
    stream = sock.makefile("rb")
    sock.sendall(raw)
    response = read_response(stream)
    return sock, response


def test_status_codes_for_bad_requests(webhook):
    cases = [
        (request_bytes("GET", "/mutate-v1-pod", headers={"X-Big": "a" * 20000}), 431),
        (b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4194304\r\n\r\n", 413),
        (b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\n\r\n", 411),
        (b"THIS IS NOT HTTP\r\n\r\n", 400),
        (b"POST /mutate-v1-pod HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 400),
        (request_bytes("GET", "/other"), 404),
        (request_bytes("PUT", "/mutate-v1-pod", b"{}"), 405),
    ]
    for raw, expected in cases:
        sock, response = exchange(webhook, raw)
        assert response.status == expected, (raw[:60], response.status, response.body)
        sock.close()


def test_smuggling_attempts_rejected_and_connection_closed(webhook, review_bytes):
    smuggled = request_bytes("GET", "/smuggled")
    attempts = [
        b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n%s"
        % (5 + len(smuggled), smuggled),
        b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: %d\r\n\r\n%s"
        % (len(smuggled), smuggled),
        b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + smuggled,
    ]
    for raw in attempts:
        sock, response = exchange(webhook, raw)
        assert response.status == 400, raw
        assert is_closed(sock), "the connection must close after a framing error"
        sock.close()
    assert not any("smuggled" in line for line in webhook.lines)


def test_stalled_client_does_not_delay_another(webhook, review_bytes):
    stalled = webhook.tls_socket()
    stalled.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n{\"api")
    other = webhook.tls_socket(timeout=5)
    stream = other.makefile("rb")
    for _ in range(5):
        other.sendall(post_review(review_bytes))
        assert read_response(stream).status == 200
    other.close()
    stalled.close()


def test_200_idle_connections_while_others_are_served(webhook, review_bytes):
    idle = [webhook.tls_socket(timeout=15) for _ in range(200)]
    worker = webhook.tls_socket()
    stream = worker.makefile("rb")
    for _ in range(20):
        worker.sendall(post_review(review_bytes))
        assert read_response(stream).status == 200
    worker.close()
    assert webhook.metric('azwi_http_open_connections{listener="webhook"}') >= 200
    for sock in idle[::40]:
        sock.sendall(post_review(review_bytes))
        assert read_response(sock.makefile("rb")).status == 200
    for sock in idle:
        sock.close()


def test_abrupt_disconnects_mid_body_leave_the_server_serving(webhook, review_bytes):
    def disconnect_abruptly():
        sock = webhook.tls_socket()
        sock.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n" + review_bytes[:100])
        raw = sock.detach()
        reset = socket.socket(fileno=raw)
        reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        reset.close()

    threads = [threading.Thread(target=disconnect_abruptly) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    sock, response = exchange(webhook, post_review(review_bytes))
    assert response.status == 200
    sock.close()
    assert webhook.process.poll() is None


def test_max_connections_limit(start_webhook, review_bytes):
    webhook = start_webhook("--max-connections", "2")
    held = [webhook.tls_socket() for _ in range(2)]
    try:
        extra = webhook.tls_socket(timeout=5)
        extra.sendall(post_review(review_bytes))
        assert is_closed(extra), "a connection beyond --max-connections is closed"
    except (ssl.SSLError, ConnectionError, OSError):
        pass  # refused during the handshake: also closed
    assert webhook.metric('azwi_http_rejected_connections_total{listener="webhook"}') >= 1
    for sock in held:
        sock.sendall(post_review(review_bytes))
        assert read_response(sock.makefile("rb")).status == 200
        sock.close()


def test_header_and_idle_timeouts(start_webhook, review_bytes):
    webhook = start_webhook("--header-timeout", "0.5", "--idle-timeout", "0.5")
    slow = webhook.tls_socket(timeout=10)
    slow.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: local")
    response = read_response(slow.makefile("rb"))
    assert response.status == 408
    idle = webhook.tls_socket(timeout=10)
    idle.sendall(post_review(review_bytes))
    stream = idle.makefile("rb")
    assert read_response(stream).status == 200
    assert is_closed(idle, timeout=5), "an idle keep-alive connection closes after --idle-timeout"
