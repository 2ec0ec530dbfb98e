"""`/metrics` as Prometheus's own linter and an alerting rule see it.

`promtool check metrics` (Debian's `prometheus` package) must report nothing, on a fresh server and
after admissions of every kind of decision. A series is exported only where it means something:
no CA series without a cluster (`azwi_ca_bundle_verifies`: a cluster's caBundle;
`azwi_ca_certificate_expiry_seconds`: built-in rotation's CA), and no TLS handshake failures for
the plain-HTTP health and metrics listeners.
"""
import base64
import http.client
import json
import shutil
import subprocess
import time

import jsonpatch

CA_SERIES = ("azwi_ca_bundle_verifies", "azwi_ca_certificate_expiry_seconds")


def promtool_check(text: str):
    """`promtool check metrics` on `text`: (exit code, what it reported)."""
    assert shutil.which("promtool"), "promtool is missing: apt-get install prometheus (Debian), as .ci/run does"
    result = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    return result.returncode, (result.stdout + result.stderr).decode()


def series(text: str, name: str) -> dict:
    """The samples of metric `name` (exactly that name, no _bucket/_sum siblings): labels -> value."""
    found = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        sample, _, value = line.rpartition(" ")
        metric, _, labels = sample.partition("{")
        if metric == name:
            found["{" + labels if labels else ""] = float(value)
    return found


def post(webhook, body: bytes):
    connection = webhook.https()
    try:
        connection.request("POST", "/mutate-v1-pod", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def admit_every_kind(webhook, review_bytes):
    """One admission of each decision the webhook makes, and one malformed review."""
    review = json.loads(review_bytes)
    unknown_account = json.loads(review_bytes)
    unknown_account["request"]["object"]["spec"]["serviceAccountName"] = "nobody"
    status, body = post(webhook, json.dumps(review).encode())
    assert status == 200 and json.loads(body)["response"]["patchType"] == "JSONPatch"
    patch = json.loads(base64.b64decode(json.loads(body)["response"]["patch"]))
    review["request"]["object"] = jsonpatch.apply_patch(review["request"]["object"], patch)
    status, body = post(webhook, json.dumps(review).encode())  # already mutated: left unchanged
    assert status == 200 and json.loads(body)["response"]["allowed"] is True and "patch" not in json.loads(body)["response"]
    status, body = post(webhook, json.dumps(unknown_account).encode())
    assert status == 200 and json.loads(body)["response"]["allowed"] is False
    status, _ = post(webhook, b'{"request": {"uid": ')
    assert status == 400


def test_fresh_metrics_pass_promtool(webhook):
    """A server that has served nothing yet: promtool reports nothing."""
    code, report = promtool_check(webhook.metrics())
    assert (code, report) == (0, ""), report


def test_metrics_after_every_kind_of_admission_pass_promtool(webhook, review_bytes):
    """After a mutated, an unchanged, a denied and a malformed (400) admission, a 404 and a failed
    TLS handshake: every series is there, and promtool still reports nothing."""
    admit_every_kind(webhook, review_bytes)
    assert webhook.get_plain(webhook.health_port, "/readyz")[0] == 200
    subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{webhook.port}", "-tls1_2"],
                   input=b"", capture_output=True, timeout=20)
    text = webhook.metrics()
    decisions = {labels.split('decision="')[1].split('"')[0] for labels in series(text, "azwi_admissions_total")}
    assert decisions == {"mutated", "unchanged", "denied"}, text
    codes = series(text, "azwi_http_requests_total")
    assert codes.get('{listener="webhook",code="200"}') == 3 and codes.get('{listener="webhook",code="400"}') == 1, codes
    code, report = promtool_check(text)
    assert (code, report) == (0, ""), report


def assert_no_ca_series(text):
    exported = {name: series(text, name) for name in CA_SERIES if series(text, name)}
    assert exported == {}, f"exported without a cluster: {exported}"


def test_no_ca_series_without_a_cluster(webhook, review_bytes):
    """`--service-accounts` from a file, no API server: there is no caBundle to verify and no
    built-in rotation, so neither CA series exists (a `== 0` alert would fire on a healthy server)."""
    assert_no_ca_series(webhook.metrics())
    admit_every_kind(webhook, review_bytes)
    assert_no_ca_series(webhook.metrics())


def test_no_ca_series_in_dev_mode(dev_webhook):
    """`--dev`: no cluster, a throw-away certificate; no CA series, and promtool reports nothing."""
    text = dev_webhook.metrics()
    assert_no_ca_series(text)
    code, report = promtool_check(text)
    assert (code, report) == (0, ""), report


def eventually(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_handshake_failures_only_for_the_tls_listener(webhook):
    """`azwi_tls_handshake_failures_total` counts the webhook listener's failed handshakes and has
    no series for the plain-HTTP health and metrics listeners, which have no handshake."""
    raw = http.client.HTTPConnection("127.0.0.1", webhook.port, timeout=10)  # plain HTTP to the TLS port
    try:
        raw.request("GET", "/mutate-v1-pod")
        raw.getresponse()
    except (ConnectionError, http.client.HTTPException, OSError):
        pass
    finally:
        raw.close()
    for port in (webhook.health_port, webhook.metrics_port):
        webhook.get_plain(port, "/healthz")
    assert eventually(lambda: series(webhook.metrics(), "azwi_tls_handshake_failures_total")
                      .get('{listener="webhook"}', 0) >= 1), webhook.metrics()
    labelled = series(webhook.metrics(), "azwi_tls_handshake_failures_total")
    assert set(labelled) == {'{listener="webhook"}'}, labelled
