"""Steering the API-server stand-in (kube/fake_apiserver.py) through its /_control/ endpoints."""
import http.client
import json
import pathlib
import ssl


def control(port: int, ca_file: pathlib.Path, method: str, path: str, body=None, timeout: float = 30):
    """Sends one control request over TLS (trusting `ca_file`); returns the decoded JSON answer, or
    None for an empty one. A status of 300 or more fails the test with the answer."""
    context = ssl.create_default_context(cafile=str(ca_file))
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=timeout)
    try:
        connection.request(method, "/_control/" + path, body=json.dumps(body) if body is not None else None)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    assert response.status < 300, (method, path, response.status, data)
    return json.loads(data) if data else None
