"""Serving certificate rotation from the certificate directory, as a mounted Secret changes."""
import os
import time

from httpwire import read_response, request_bytes


def serial_seen_by_new_client(webhook) -> int:
    sock = webhook.tls_socket()
    try:
        return int(sock.getpeercert()["serialNumber"], 16)
    finally:
        sock.close()


def wait_for_serial(webhook, serial, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if serial_seen_by_new_client(webhook) == serial:
            return
        time.sleep(0.05)
    raise AssertionError(f"new clients never saw certificate serial {serial}")


def post_on(sock, stream, review_bytes):
    sock.sendall(request_bytes("POST", "/mutate-v1-pod", review_bytes))
    return read_response(stream).status


def test_rotation_by_replacing_files_keeps_open_connections(start_webhook, cert_dir, certificate_authority, review_bytes):
    webhook = start_webhook()
    first_serial = serial_seen_by_new_client(webhook)
    kept = webhook.tls_socket()
    kept_stream = kept.makefile("rb")
    assert post_on(kept, kept_stream, review_bytes) == 200

    certificate_authority.issue(cert_dir)
    new_serial = certificate_authority.serial + 1000
    assert new_serial != first_serial
    wait_for_serial(webhook, new_serial)

    assert post_on(kept, kept_stream, review_bytes) == 200, "a connection opened before the reload keeps working"
    assert int(kept.getpeercert()["serialNumber"], 16) == first_serial
    kept.close()
    webhook.wait_for_log(lambda e: e.get("msg") == "reloaded the serving certificate", 5)
    assert webhook.metric('azwi_certificate_reloads_total{result="success"}') >= 1


def test_rotation_by_kubernetes_data_symlink_swap(start_webhook, tmp_path, certificate_authority, review_bytes):
    mount = tmp_path / "mount"
    mount.mkdir()
    certificate_authority.issue(mount / "..2026_11_23_10_00_00.000000001")
    os.symlink("..2026_11_23_10_00_00.000000001", mount / "..data")
    for name in ("tls.crt", "tls.key"):
        os.symlink(f"..data/{name}", mount / name)
    webhook = start_webhook(cert_dir=mount)
    assert serial_seen_by_new_client(webhook) == 1000 + certificate_authority.serial

    certificate_authority.issue(mount / "..2026_11_23_11_00_00.000000002")
    os.symlink("..2026_11_23_11_00_00.000000002", mount / "..data_tmp")
    os.rename(mount / "..data_tmp", mount / "..data")
    wait_for_serial(webhook, 1000 + certificate_authority.serial)

    sock = webhook.tls_socket()
    assert post_on(sock, sock.makefile("rb"), review_bytes) == 200
    sock.close()


def test_bad_pair_is_refused_and_old_certificate_kept(start_webhook, cert_dir, certificate_authority, tmp_path):
    webhook = start_webhook()
    serial = serial_seen_by_new_client(webhook)
    other = certificate_authority.issue(tmp_path / "other")
    (cert_dir / "tls.key").write_bytes((other / "tls.key").read_bytes())
    webhook.wait_for_log(lambda e: e.get("msg", "").startswith("kept the previous serving certificate"), 10)
    assert webhook.metric('azwi_certificate_reloads_total{result="failure"}') >= 1
    assert serial_seen_by_new_client(webhook) == serial
    assert webhook.get_plain(webhook.health_port, "/readyz")[0] == 200

    failures = webhook.metric('azwi_certificate_reloads_total{result="failure"}')
    (cert_dir / "tls.crt").write_bytes(b"not a certificate")
    (cert_dir / "tls.key").write_bytes(b"not a key")
    deadline = time.monotonic() + 10
    while webhook.metric('azwi_certificate_reloads_total{result="failure"}') <= failures:
        assert time.monotonic() < deadline, "the garbage pair was never tried"
        time.sleep(0.05)
    assert serial_seen_by_new_client(webhook) == serial
    assert webhook.process.poll() is None
