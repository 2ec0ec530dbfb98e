"""The webhook listener as curl and openssl s_client see it: TLS versions, ALPN, keep-alive, gzip."""
import json
import socket
import subprocess

import pytest


def s_client(webhook, *args):
    """Runs openssl s_client against the webhook; returns (exit code, combined output)."""
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{webhook.port}", "-servername", "localhost",
         "-CAfile", str(webhook.ca.cert), "-verify_return_error", *args],
        input=b"", capture_output=True, timeout=20)
    return result.returncode, (result.stdout + result.stderr).decode("utf-8", "replace")


def curl(webhook, *args, data=None):
    result = subprocess.run(
        ["curl", "-sS", "--max-time", "15", "--cacert", str(webhook.ca.cert), *args],
        input=data, capture_output=True, timeout=30)
    return result


def url(webhook, path="/mutate-v1-pod"):
    return f"https://127.0.0.1:{webhook.port}{path}"


@pytest.mark.parametrize("version_flag", ["-tls1", "-tls1_1"])
def test_tls_10_and_11_refused(start_webhook, version_flag):
    webhook = start_webhook("--tls-min-version", "1.2")
    code, output = s_client(webhook, version_flag, "-cipher", "DEFAULT@SECLEVEL=0")
    assert code != 0, output
    assert "alert protocol version" in output, output
    assert "no peer certificate available" in output


def test_tls_12_and_13_accepted_with_min_12(start_webhook):
    webhook = start_webhook("--tls-min-version", "1.2")
    for flag, name in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
        code, output = s_client(webhook, flag)
        assert code == 0, output
        assert f"Protocol  : {name}" in output or f"New, {name}" in output, output
        assert "Verify return code: 0 (ok)" in output


@pytest.mark.parametrize("cipher,accepted", [
    ("ECDHE-ECDSA-AES128-GCM-SHA256", True),
    ("ECDHE-ECDSA-CHACHA20-POLY1305", True),
    ("ECDHE-ECDSA-AES128-SHA", False),  # CBC
    ("AES128-GCM-SHA256", False),  # no forward secrecy
])
def test_tls_12_offers_only_forward_secret_aead_suites(start_webhook, cipher, accepted):
    webhook = start_webhook("--tls-min-version", "1.2")
    code, output = s_client(webhook, "-tls1_2", "-cipher", cipher)
    assert (code == 0) == accepted, output
    if accepted:
        assert f"Cipher is {cipher}" in output, output


def test_default_minimum_is_tls_13(webhook):
    code, output = s_client(webhook, "-tls1_2")
    assert code != 0, output
    code, output = s_client(webhook, "-tls1_3")
    assert code == 0, output


def test_alpn_h2_offer_selects_http11(webhook):
    code, output = s_client(webhook, "-alpn", "h2,http/1.1")
    assert code == 0, output
    assert "ALPN protocol: http/1.1" in output


def test_curl_http2_falls_back_to_http11(webhook, review_bytes):
    result = curl(webhook, "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                  "-H", "Content-Type: application/json", "--data-binary", "@-", url(webhook), data=review_bytes)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == "1.1 200"


def test_curl_keeps_one_connection_for_several_requests(webhook, review_bytes, tmp_path):
    body = tmp_path / "review.json"
    body.write_bytes(review_bytes)
    args = []
    for index in range(4):
        if index:
            args.append("--next")
        args += ["--cacert", str(webhook.ca.cert), "-H", "Content-Type: application/json",
                 "--data-binary", f"@{body}", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n", url(webhook)]
    result = curl(webhook, *args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().split()
    assert lines == ["200", "1", "200", "0", "200", "0", "200", "0"], lines


def test_curl_compressed_gets_an_admission_answer_uncompressed(webhook, review_bytes, tmp_path):
    # gzipMinimumBytes (64 KiB) is above any admission answer: compressing ~3.6 KB cost more CPU
    # than it saved (issue 17); bodies over it are gzipped (HTTPServerTests).
    headers = tmp_path / "headers.txt"
    result = curl(webhook, "--compressed", "-D", str(headers), "-H", "Content-Type: application/json",
                  "--data-binary", "@-", url(webhook), data=review_bytes)
    assert result.returncode == 0, result.stderr
    assert "content-encoding" not in headers.read_text().lower()
    answer = json.loads(result.stdout)
    assert answer["response"]["allowed"] is True


def test_webhook_port_listens_on_ipv6_and_ipv4(webhook):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this host")
    try:
        sock = socket.create_connection(("::1", webhook.port), timeout=5)
    except OSError as error:
        pytest.skip(f"IPv6 loopback unavailable: {error}")
    sock.close()
    socket.create_connection(("127.0.0.1", webhook.port), timeout=5).close()
