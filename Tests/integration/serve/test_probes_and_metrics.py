"""The health and metrics listeners: probes, readiness, and the Prometheus exposition."""
import json
import subprocess

from httpwire import read_response, request_bytes

UPSTREAM_BUCKETS = [
    "0.001", "0.002", "0.003", "0.004", "0.005", "0.006", "0.007", "0.008", "0.009", "0.01", "0.02", "0.03",
    "0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8",
    "0.9", "1.0", "1.5", "2.0", "2.5", "3.0", "+Inf",
]


def test_healthz_and_readyz(webhook):
    assert webhook.get_plain(webhook.health_port, "/healthz") == (200, "ok\n")
    assert webhook.get_plain(webhook.health_port, "/readyz") == (200, "ok\n")
    assert webhook.get_plain(webhook.health_port, "/metrics")[0] == 404
    assert webhook.get_plain(webhook.health_port, "/readyz", method="POST")[0] == 405


def test_probes_answer_while_the_webhook_listener_is_busy(webhook, review_bytes):
    stalled = [webhook.tls_socket() for _ in range(20)]
    for sock in stalled:
        sock.sendall(b"POST /mutate-v1-pod HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9000\r\n\r\n{")
    assert webhook.get_plain(webhook.health_port, "/readyz") == (200, "ok\n")
    for sock in stalled:
        sock.close()


def test_metrics_endpoint(webhook, review_bytes):
    sock = webhook.tls_socket()
    stream = sock.makefile("rb")
    sock.sendall(request_bytes("POST", "/mutate-v1-pod", review_bytes))
    assert read_response(stream).status == 200
    sock.sendall(request_bytes("GET", "/nowhere"))
    assert read_response(stream).status == 404
    sock.close()
    subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{webhook.port}", "-tls1_2"],
                   input=b"", capture_output=True, timeout=20)

    text = webhook.metrics()
    assert "# TYPE azwi_mutation_request histogram" in text
    buckets = [line.split('le="')[1].split('"')[0] for line in text.splitlines()
               if line.startswith('azwi_mutation_request_bucket{namespace="production"')]
    assert buckets == UPSTREAM_BUCKETS
    assert webhook.metric('azwi_mutation_request_count{namespace="production"}') == 1
    assert webhook.metric('azwi_admissions_total{decision="mutated",reason="mutated"}') == 1
    assert webhook.metric('azwi_http_requests_total{listener="webhook",code="200"}') == 1
    assert webhook.metric('azwi_http_requests_total{listener="webhook",code="404"}') == 1
    assert webhook.metric('azwi_tls_handshake_failures_total{listener="webhook"}') >= 1
    assert 'azwi_http_open_connections{listener="webhook"}' in text
    expiry = webhook.metric("azwi_serving_certificate_expiry_seconds")
    assert 0 < expiry <= 86400
    assert webhook.metric('azwi_certificate_reloads_total{result="success"}') == 0
    assert webhook.get_plain(webhook.metrics_port, "/other")[0] == 404



def test_build_info_in_the_first_log_line_and_the_metrics(webhook, webhook_bin):
    version = json.loads(subprocess.run([webhook_bin, "--version"], check=True, capture_output=True,
                                        text=True, timeout=30).stdout)
    first = webhook.logs()[0]
    assert first["msg"] == "starting azwi-webhook"
    assert {key: first[key] for key in ("version", "commit", "buildDate", "swiftVersion", "platform")} == {
        "version": version["buildVersion"], "commit": version["gitCommit"], "buildDate": version["buildDate"],
        "swiftVersion": version["swiftVersion"], "platform": version["platform"]}
    text = webhook.metrics()
    assert "# TYPE azwi_build_info gauge" in text and "# HELP azwi_build_info " in text
    sample = (f'azwi_build_info{{version="{version["buildVersion"]}",commit="{version["gitCommit"]}",'
              f'swift="{version["swiftVersion"]}"}}')
    assert webhook.metric(sample) == 1
