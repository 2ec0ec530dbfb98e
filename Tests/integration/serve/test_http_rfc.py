"""What the RFCs require of any HTTP/1.1 server over TLS, as a raw client, Python's ssl and
`openssl s_client` see it (the cases of issue 12):
- RFC 9112 §3.2.2: an absolute-form request target is accepted and routed by its path;
- RFC 7301 §3.2: a client whose ALPN offer holds no protocol the server speaks gets the fatal
  `no_application_protocol` alert (120); offers with `http/1.1`, and no offer, are served;
- a wrong method is answered 405 whatever its framing: `PUT` without a body like `DELETE`.
"""
import json
import socket
import ssl
import subprocess

import pytest
from httpwire import is_closed, read_response, request_bytes


def exchange(sock, raw: bytes):
    sock.sendall(raw)
    return read_response(sock.makefile("rb"))


def review_answer(response):
    assert response.status == 200, (response.status, response.body)
    return json.loads(response.body)["response"]


@pytest.mark.parametrize("target", [
    "https://localhost:{port}/mutate-v1-pod",
    "https://localhost:{port}/mutate-v1-pod?timeout=10s",
    "https://127.0.0.1/mutate-v1-pod",
])
def test_absolute_form_target_gets_the_admission_answer(webhook, review_bytes, target):
    """`POST https://host/mutate-v1-pod HTTP/1.1` is answered as `POST /mutate-v1-pod` is."""
    sock = webhook.tls_socket()
    origin = review_answer(exchange(sock, request_bytes("POST", "/mutate-v1-pod", review_bytes)))
    absolute = exchange(sock, request_bytes("POST", target.format(port=webhook.port), review_bytes))
    assert review_answer(absolute) == origin
    sock.close()


def test_absolute_form_is_routed_by_its_path(webhook):
    """The absolute form's path decides, as the origin form's does: 404 elsewhere, 405 for GET."""
    sock = webhook.tls_socket()
    base = f"https://localhost:{webhook.port}"
    assert exchange(sock, request_bytes("GET", base + "/nowhere")).status == 404
    wrong_method = exchange(sock, request_bytes("GET", base + "/mutate-v1-pod"))
    assert (wrong_method.status, wrong_method.header("allow")) == (405, "POST")
    sock.close()


@pytest.mark.parametrize("listener,path,expected", [("health", "/readyz", 200), ("metrics", "/metrics", 200)])
def test_absolute_form_on_the_plain_listeners(webhook, listener, path, expected):
    """The health and metrics listeners accept `GET http://host:port/path HTTP/1.1` too."""
    port = webhook.health_port if listener == "health" else webhook.metrics_port
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert exchange(sock, request_bytes("GET", f"http://127.0.0.1:{port}{path}")).status == expected
    sock.close()


def alpn_context(webhook, protocols, tls12=False):
    context = webhook.ca.client_context()
    if protocols is not None:
        context.set_alpn_protocols(protocols)
    if tls12:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


@pytest.mark.parametrize("protocols", [["h2"], ["h2", "spdy/3.1"]])
@pytest.mark.parametrize("tls12", [False, True], ids=["tls13", "tls12"])
def test_alpn_offer_without_http11_gets_no_application_protocol_alert(start_webhook, protocols, tls12):
    """A client offering only protocols the server does not speak (`h2`) gets the fatal alert
    no_application_protocol (120) instead of a connection with no protocol."""
    webhook = start_webhook("--tls-min-version", "1.2")
    raw = socket.create_connection(("127.0.0.1", webhook.port), timeout=10)
    try:
        sock = alpn_context(webhook, protocols, tls12).wrap_socket(raw, server_hostname="localhost")
    except ssl.SSLError as error:
        # Python 3.11 names no reason for this alert (OpenSSL 3's 0A000460); the message does.
        assert "no application protocol" in str(error).lower().replace("_", " "), error
    else:
        chosen = sock.selected_alpn_protocol()
        sock.close()
        pytest.fail(f"the handshake completed with ALPN {chosen!r}; RFC 7301 §3.2 wants the no_application_protocol alert")
    finally:
        raw.close()


def test_s_client_alpn_h2_gets_no_application_protocol_alert(webhook):
    """`openssl s_client -alpn h2` fails with alert 120."""
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{webhook.port}", "-servername", "localhost",
         "-CAfile", str(webhook.ca.cert), "-alpn", "h2"], input=b"", capture_output=True, timeout=20)
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    summary = "\n".join(line for line in output.splitlines() if "ALPN" in line or "alert" in line or "error" in line)
    assert result.returncode != 0, summary
    assert "no application protocol" in output and "alert number 120" in output, summary


@pytest.mark.parametrize("protocols,selected", [(["http/1.1"], "http/1.1"), (["h2", "http/1.1"], "http/1.1"), (None, None)])
def test_alpn_offers_with_http11_or_none_are_served(webhook, review_bytes, protocols, selected):
    """Offering `http/1.1` (alone or after `h2`) selects it; offering nothing selects nothing; both
    get the admission answer."""
    raw = socket.create_connection(("127.0.0.1", webhook.port), timeout=10)
    sock = alpn_context(webhook, protocols).wrap_socket(raw, server_hostname="localhost")
    assert sock.selected_alpn_protocol() == selected
    review_answer(exchange(sock, request_bytes("POST", "/mutate-v1-pod", review_bytes)))
    sock.close()


def wrong_method_shape(webhook, review_bytes, raw_request):
    """The response to `raw_request`, and whether the connection then still serves an admission."""
    sock = webhook.tls_socket()
    stream = sock.makefile("rb")
    sock.sendall(raw_request)
    response = read_response(stream)
    sock.sendall(request_bytes("POST", "/mutate-v1-pod", review_bytes))
    try:
        still_serves = read_response(stream).status == 200
    except (ConnectionError, ssl.SSLError, OSError):
        still_serves = False
    sock.close()
    return response, still_serves


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_wrong_method_without_a_body_gets_405_like_delete(webhook, review_bytes, method):
    """`PUT /mutate-v1-pod` without Content-Length or Transfer-Encoding (a request with no body,
    RFC 9112 §6.3) gets what `DELETE` gets: 405 with `Allow: POST`, and the connection stays usable;
    not 411, which would ask the client for a body the method cannot use."""
    reference, reference_serves = wrong_method_shape(
        webhook, review_bytes, b"DELETE /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert (reference.status, reference.header("allow"), reference_serves) == (405, "POST", True)
    response, serves = wrong_method_shape(
        webhook, review_bytes, f"{method} /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert response.status == 405, (response.status, response.body)
    assert response.header("allow") == reference.header("allow")
    assert response.header("content-type") == reference.header("content-type")
    assert method in response.body.decode()
    assert serves == reference_serves


def test_put_with_a_body_still_gets_405(webhook, review_bytes):
    """The framed form keeps its answer, and a body that was sent is read past."""
    response, serves = wrong_method_shape(webhook, review_bytes, request_bytes("PUT", "/mutate-v1-pod", review_bytes))
    assert (response.status, response.header("allow"), serves) == (405, "POST", True)
