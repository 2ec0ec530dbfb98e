"""A local HTTPS stand-in of the Microsoft Entra ID token endpoint, for the Azure SDK test.

It answers what a workload-identity client asks Entra ID for: the client-credentials grant with a
federated client assertion, `POST /{tenant}/oauth2/v2.0/token`. It checks what Entra ID checks
before it issues a token: the tenant in the path, the app's `client_id`, `grant_type`, the
`client_assertion_type`, a `.default` scope, and the assertion itself: equal to the service
account token kubelet wrote (the test says which one that is), not expired, and with the issuer,
subject and audience of the app's federated identity credential (the signature is not checked:
the test's "kubelet" signs nothing). A failed check gets Entra ID's error shape (`error`,
`error_description` with an AADSTS code), which the SDK raises. Every request is recorded, so a
test can also see that the client asked for nothing else (no discovery).
"""
import base64
import http.server
import json
import ssl
import threading
import time
import urllib.parse

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def jwt_claims(token: str) -> dict:
    """The payload of a compact JWS, decoded without verifying anything."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def unsigned_jwt(claims: dict) -> str:
    """A compact JWS shaped like a projected service account token (with a dummy signature)."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = {"alg": "RS256", "kid": "azwi-test"}
    return ".".join((part(json.dumps(header).encode()), part(json.dumps(claims).encode()), part(b"not-a-signature")))


class EntraStandIn:
    """The token endpoint on 127.0.0.1 (a port the OS picks), in a thread of the test process."""

    def __init__(self, pki_dir, tenant_id, client_id, issuer, subject, audience):
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.federated_credential = {"issuer": issuer, "subject": subject, "audience": audience}
        self.expected_assertion = None  # the token kubelet last wrote; set by the test
        self.requests = []  # (method, path, form or None, verdict)
        self.issued = 0
        self._lock = threading.Lock()
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                stand_in._record("GET", self.path, None, "not served")
                self._answer(404, {"error": "not_found", "error_description": f"the stand-in serves no GET {self.path}"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                status, answer, verdict = stand_in._token(self.path, self.headers.get("Content-Type", ""), body)
                self._answer(status, answer)
                stand_in._record("POST", self.path, urllib.parse.parse_qs(body), verdict)

            def _answer(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = self._tls_context(pki_dir).wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.ca_file = pki_dir / "ca.crt"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _tls_context(self, pki_dir) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(pki_dir / "tls.crt"), str(pki_dir / "tls.key"))
        return context

    def _record(self, method, path, form, verdict):
        with self._lock:
            self.requests.append((method, path, form, verdict))

    def token_requests(self):
        with self._lock:
            return [entry for entry in self.requests if entry[0] == "POST"]

    def _error(self, status, error, code, description):
        return status, {"error": error, "error_description": f"AADSTS{code}: {description}", "error_codes": [code]}, \
            f"{error}: {description}"

    def _token(self, path, content_type, body):
        if path != f"/{self.tenant_id}/oauth2/v2.0/token":
            return self._error(400, "invalid_request", 90002, f"no tenant token endpoint at {path}")
        if content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
            return self._error(400, "invalid_request", 900144, f"Content-Type {content_type!r} is not a form")
        form = {key: values for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        if any(len(values) != 1 for values in form.values()):
            return self._error(400, "invalid_request", 90014, "a parameter is repeated")
        form = {key: values[0] for key, values in form.items()}
        if form.get("grant_type") != "client_credentials":
            return self._error(400, "unsupported_grant_type", 70003, f"grant_type {form.get('grant_type')!r}")
        if form.get("client_id") != self.client_id:
            return self._error(400, "unauthorized_client", 700016, f"application {form.get('client_id')!r} not found in the tenant")
        if form.get("client_assertion_type") != JWT_BEARER:
            return self._error(400, "invalid_request", 90014, f"client_assertion_type {form.get('client_assertion_type')!r}")
        scope = form.get("scope", "")
        if len(scope.split()) != 1 or not scope.endswith("/.default"):
            return self._error(400, "invalid_scope", 1002012, f"scope {scope!r} is not one resource's /.default")
        assertion = form.get("client_assertion", "")
        if self.expected_assertion is None or assertion != self.expected_assertion:
            return self._error(401, "invalid_client", 700213, "the client assertion is not the service account token on disk")
        try:
            claims = jwt_claims(assertion)
        except (ValueError, IndexError):
            return self._error(401, "invalid_client", 50027, "the client assertion is not a JWT")
        audiences = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        fic = self.federated_credential
        if claims.get("iss") != fic["issuer"] or claims.get("sub") != fic["subject"] or fic["audience"] not in audiences:
            return self._error(401, "invalid_client", 700213,
                               f"no federated identity credential for iss={claims.get('iss')!r} sub={claims.get('sub')!r} "
                               f"aud={claims.get('aud')!r}")
        if claims.get("exp", 0) <= time.time():
            return self._error(401, "invalid_client", 700024, "the client assertion has expired")
        with self._lock:
            self.issued += 1
            access_token = f"stand-in-access-token-{self.issued}"
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access_token}, "issued"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
