"""Leak check: N admissions over TLS against `serve --kubeconfig`, then SIGTERM.

Two checks, because each misses what the other sees:
  * RSS: measured after the first 10 % of the admissions (caches, arenas and thread stacks are
    warm by then) and again at the end; the growth must stay under --max-growth-kib. This catches
    memory that is still referenced but piles up (a cache that never evicts, a list per request).
  * LeakSanitizer: with an AddressSanitizer build (AZWI_WEBHOOK_BIN), LSan runs when the process
    exits after SIGTERM and reports every unreachable block; any report fails the check. This
    catches a lost OpenSSL object or buffer however small. RSS means nothing there (ASan's
    quarantine holds freed memory), so scripts/sanitizers passes --no-rss for that run and
    judges RSS on the plain debug build.
Connections are re-opened every 100 admissions, so handshakes and connection threads are part of
what is measured, and the API-server stand-in drops the ServiceAccount watch every 1,000.
"""
import argparse
import pathlib
import ssl
import socket
import sys
import tempfile
import threading
import time
import json
import shutil

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from load import Garbled, Variant, read_response, template  # noqa: E402
from run import CLIENT_A, quiet_reference, variants  # noqa: E402
from stack import PKI, APIServer, CertificateMount, Webhook, account, webhook_binary  # noqa: E402

CONNECTIONS = 8
PER_CONNECTION = 100


def admit(port, context, variant, count, offset, errors):
    """`count` admissions on connections of PER_CONNECTION requests each."""
    lock = threading.Lock()
    done = 0
    while done < count:
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock = context.wrap_socket(raw, server_hostname="localhost")
        buffer = bytearray()
        for _ in range(min(PER_CONNECTION, count - done)):
            uid = b"%08x-0000-4000-8000-%012x" % (offset, done)
            sock.sendall(variant.request_bytes(uid))
            try:
                status, _, body = read_response(sock, buffer)
                variant.check(uid, status, body, lock)
            except Garbled as error:
                errors.append(str(error))
            done += 1
        sock.close()


def batch(webhook, context, variant, total, errors, apiserver):
    """`total` admissions over CONNECTIONS threads, with a watch drop every 1,000."""
    per_thread = total // CONNECTIONS
    threads = [threading.Thread(target=admit, args=(webhook.port, context, variant, per_thread, i * 10**9 + int(time.monotonic() * 1000) % 10**8, errors))
               for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for _ in range(total // 1000):
        time.sleep(0.2)
        apiserver.control("POST", "drop-watches")
    for thread in threads:
        thread.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admissions", type=int, default=10000)
    parser.add_argument("--max-growth-kib", type=int, default=2048)
    parser.add_argument("--no-rss", action="store_true",
                        help="do not judge RSS: an ASan build keeps freed memory in its quarantine (256 MiB)")
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="azwi-leakcheck-"))
    pki = PKI(work, leaves=1)
    mount = CertificateMount(work / "certs", pki)
    apiserver = APIServer(pki, work, [account("keyvault-reader", CLIENT_A)])
    binary = webhook_binary()
    webhook = Webhook(binary, ["--kubeconfig", apiserver.kubeconfig(work / "kubeconfig", pki)], mount.dir,
                      work / "webhook.log", 10)
    errors = []
    try:
        webhook.wait_ready()
        context = pki.client_context()
        name, review, client_id = variants()[0]
        variant = Variant(name, template(review), quiet_reference(webhook, context, review, client_id))
        warm = args.admissions // 10
        started = time.monotonic()
        batch(webhook, context, variant, warm, errors, apiserver)
        time.sleep(0.5)
        rss_warm = webhook.rss_kib()
        batch(webhook, context, variant, args.admissions - warm, errors, apiserver)
        time.sleep(0.5)
        rss_end = webhook.rss_kib()
        elapsed = time.monotonic() - started
        webhook.terminate()
        exit_code = webhook.proc.wait(timeout=30)
    finally:
        webhook.close()
        apiserver.stop()
    log = webhook.log_path.read_text(errors="replace")
    lsan = "LeakSanitizer" in log or "AddressSanitizer" in log
    shutil.rmtree(work, ignore_errors=True)

    growth = rss_end - rss_warm
    print(json.dumps({"binary": str(binary), "admissions": args.admissions, "seconds": round(elapsed, 1),
                      "rss_kib_after_%d" % warm: rss_warm, "rss_kib_after_%d" % args.admissions: rss_end,
                      "growth_kib": growth, "errors": len(errors), "exit_code": exit_code,
                      "sanitizer_report": lsan}, indent=1))
    if lsan:
        print(log[log.find("==ERROR"):][:6000] if "==ERROR" in log else log[-6000:])
    failed = errors or exit_code != 0 or lsan or (growth > args.max_growth_kib and not args.no_rss)
    print("FAIL" if failed else "PASS", "leak check")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
