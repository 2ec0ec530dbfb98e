"""A tiny HTTP/1.1 response reader over a raw (TLS) socket, for the wire-level edge-case tests.

http.client hides what these tests look at (pipelined responses sharing one buffer, interim
100 responses, the connection being closed), so responses are read by hand here.
"""
import socket


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())


def read_response(stream) -> Response:
    """Reads one response from a buffered binary file made with `sock.makefile("rb")`."""
    status_line = stream.readline(65536)
    if not status_line:
        raise ConnectionError("connection closed before a response")
    parts = status_line.decode("latin-1").split(" ", 2)
    assert parts[0] == "HTTP/1.1", status_line
    status = int(parts[1])
    headers = {}
    while True:
        line = stream.readline(65536)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = stream.read(length) if length else b""
    return Response(status, headers, body)


def request_bytes(method, path, body=b"", headers=None, content_length=True) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost"]
    if content_length and method in ("POST", "PUT") and not any(k.lower() == "transfer-encoding" for k in (headers or {})):
        lines.append(f"Content-Length: {len(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def is_closed(sock, timeout=5.0) -> bool:
    """Whether the peer closed the connection (EOF or reset) within `timeout`."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    except OSError:
        return True
