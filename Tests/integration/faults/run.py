"""The fault run: admission load while certificates rotate, watches drop and hostile clients
connect; then SIGTERM mid-load. Prints a summary and exits 1 if any criterion fails.

Usage (through scripts/faults, which makes the venv): run.py [--seconds 60] [--idle 500]
[--garbage 50] [--connections 64] [--processes 4]. Everything listens on 127.0.0.1.

Criteria, as printed at the end:
  * every admission in the main phase is answered correctly (see load.py), none garbled;
  * client-observed p99 under --p99-ms (an upper bound on the server's: it includes the
    Python client's own scheduling, so the client's achieved rate is printed with it);
  * RSS bounded: the peak stays under --max-rss-mib, and the peak of the second half of the run
    is at most 10 % + 4 MiB above the peak of the first half (no steady growth);
  * the same process all along (same PID and start time), ready all along, every certificate
    swap loaded, no failed reload, at least one re-list after the 410;
  * garbage gets no garbled reply and an oversized head gets 431;
  * SIGTERM: every request whose bytes were all written to the socket before SIGTERM was sent
    (`sendall` returned) gets a complete, correct response. Requests written after it may be
    answered or see the connection close; that is the only close allowed. The process exits 0
    within --shutdown-timeout (plus 1 s for process teardown).
"""
import argparse
import base64
import copy
import json
import multiprocessing
import os
import pathlib
import shutil
import ssl
import sys
import tempfile
import threading
import time
import http.client

import jsonpatch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import chaos  # noqa: E402
import load  # noqa: E402
from stack import PKI, REPO, TENANT, APIServer, CertificateMount, Webhook, account, webhook_binary  # noqa: E402

CLIENT_A = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
CLIENT_B = "0b7e6d5c-4a3b-4c2d-8e1f-9a8b7c6d5e4f"


def variants():
    """(name, review, expected client id): the pods the load sends."""
    base = json.loads((REPO / "examples/admission-review.json").read_text())
    plain = copy.deepcopy(base)
    sidecars = copy.deepcopy(base)
    pod = sidecars["request"]["object"]
    pod["spec"]["serviceAccountName"] = "batch-runner"
    pod["spec"]["initContainers"] = [{"name": "migrate", "image": "busybox:1.36", "command": ["true"]}]
    pod["spec"]["containers"].append({"name": "metrics", "image": "prom/statsd-exporter:v0.26.0",
                                      "ports": [{"containerPort": 9102}]})
    proxy = copy.deepcopy(base)
    proxy["request"]["object"]["metadata"]["annotations"] = {"azure.workload.identity/inject-proxy-sidecar": "true"}
    return [("example", plain, CLIENT_A), ("two-containers-and-init", sidecars, CLIENT_B),
            ("proxy-sidecar", proxy, CLIENT_A)]


def quiet_reference(webhook, context, review, client_id):
    """The patched pod from one request before any load, checked for the AZURE_* values."""
    connection = http.client.HTTPSConnection("127.0.0.1", webhook.port, context=context, timeout=10)
    connection.request("POST", "/mutate-v1-pod?timeout=10s", body=json.dumps(review),
                       headers={"Content-Type": "application/json"})
    response = json.loads(connection.getresponse().read())["response"]
    connection.close()
    pod = review["request"]["object"]
    patched = jsonpatch.apply_patch(pod, json.loads(base64.b64decode(response["patch"])))
    for container in patched["spec"]["containers"] + patched["spec"].get("initContainers", []):
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["AZURE_CLIENT_ID"] == client_id and env["AZURE_TENANT_ID"] == TENANT, env
        assert env["AZURE_FEDERATED_TOKEN_FILE"] == "/var/run/secrets/azure/tokens/azure-identity-token", env
        assert env["AZURE_AUTHORITY_HOST"].startswith("https://"), env
        assert any(m["name"] == "azure-identity-token" for m in container["volumeMounts"]), container
    assert any(v["name"] == "azure-identity-token" for v in patched["spec"]["volumes"])
    return patched


class Faults(threading.Thread):
    """Certificate swaps every 5 s, watch drops every 2 s, one resourceVersion expiry mid-run."""

    def __init__(self, mount, apiserver, seconds):
        super().__init__(daemon=True)
        self.mount, self.apiserver, self.seconds = mount, apiserver, seconds
        self.stop = threading.Event()
        self.drops = self.compactions = 0
        self.errors = []

    def run(self):
        start = time.monotonic()
        tick = 0
        while not self.stop.wait(max(0.0, start + (tick + 1) - time.monotonic())):
            tick += 1
            try:
                if tick % 5 == 0:
                    self.mount.swap()
                if tick % 2 == 0:
                    self.apiserver.control("POST", "drop-watches")
                    self.drops += 1
                if tick == int(self.seconds / 2) | 1 and self.compactions == 0:
                    self.apiserver.control("POST", "compact")
                    self.apiserver.control("POST", "drop-watches")   # the watch resumes from an expired version
                    self.compactions += 1
            except (OSError, RuntimeError) as error:
                self.errors.append(repr(error))


class Observer(threading.Thread):
    """Samples RSS, threads, readiness, process identity and open connections every 0.25 s."""

    def __init__(self, webhook):
        super().__init__(daemon=True)
        self.webhook = webhook
        self.stop = threading.Event()
        self.samples = []   # (t, rss KiB, threads, ready, open connections)
        self.identity_changed = False
        self.exited = False

    def run(self):
        while not self.stop.wait(0.25):
            if self.webhook.proc.poll() is not None:
                self.exited = True
                return
            try:
                if self.webhook.stat_start_time() != self.webhook.start_time:
                    self.identity_changed = True
                open_connections = self.webhook.metrics().get('azwi_http_open_connections{listener="webhook"}', -1)
                self.samples.append((time.monotonic(), self.webhook.rss_kib(), self.webhook.threads(),
                                     self.webhook.ready(), open_connections))
            except OSError:
                pass


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rate", type=float, default=800, help="admissions per second over all connections")
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--garbage", type=int, default=50)
    parser.add_argument("--p99-ms", type=float, default=50)
    parser.add_argument("--max-rss-mib", type=float, default=256)
    parser.add_argument("--shutdown-timeout", type=float, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, certificates)")
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="azwi-faults-"))
    ctx = multiprocessing.get_context("spawn")
    pki = PKI(work, leaves=4)
    mount = CertificateMount(work / "certs", pki)
    apiserver = APIServer(pki, work, [account("keyvault-reader", CLIENT_A), account("batch-runner", CLIENT_B)])
    webhook = Webhook(webhook_binary(), ["--kubeconfig", apiserver.kubeconfig(work / "kubeconfig", pki)], mount.dir,
                      work / "webhook.log", args.shutdown_timeout)
    try:
        webhook.wait_ready()
        context = pki.client_context()
        specs = [(name, review, quiet_reference(webhook, context, review, client_id))
                 for name, review, client_id in variants()]
        report = run_load(args, ctx, pki, mount, apiserver, webhook, specs)
    finally:
        webhook.close()
        apiserver.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    failures = print_summary(args, report)
    if args.keep:
        print("work directory:", work)
    return 1 if failures else 0


def run_load(args, ctx, pki, mount, apiserver, webhook, specs):
    main_end, sigterm_at, stop = ctx.Value("d", 0.0), ctx.Value("d", 0.0), ctx.Value("i", 0)
    results, chaos_results, chaos_stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    per_process = [args.connections // args.processes + (i < args.connections % args.processes)
                   for i in range(args.processes)]
    interval = args.connections / args.rate
    workers = [ctx.Process(target=load.worker, args=(i, n, interval, webhook.port, str(pki.ca), specs, main_end, sigterm_at,
                                                     stop, results)) for i, n in enumerate(per_process)]
    hostile = ctx.Process(target=chaos.run, args=(webhook.port, str(pki.ca), args.idle, args.garbage, sigterm_at, chaos_stop,
                                                  chaos_results))
    observer, faults = Observer(webhook), Faults(mount, apiserver, args.seconds)
    before, cpu_before = webhook.metrics(), webhook.cpu_seconds()
    hostile.start()
    for process in workers:
        process.start()
    observer.start()
    started = time.monotonic()
    faults.start()
    time.sleep(args.seconds)
    faults.stop.set()
    faults.join()
    time.sleep(1.5)   # under load still: the last swap is picked up (--cert-check-interval 1)
    main_end.value = time.monotonic()
    after, cpu_after = webhook.metrics(), webhook.cpu_seconds()
    time.sleep(0.5)   # load keeps running into the shutdown
    observer.stop.set()   # before SIGTERM: the exit it causes is expected, not a restart
    observer.join()
    sigterm_at.value = time.monotonic()
    webhook.terminate()
    try:
        exit_code = webhook.proc.wait(timeout=args.shutdown_timeout + 10)
    except Exception:
        exit_code = None
    exited_after = time.monotonic() - sigterm_at.value
    stop.value = 1
    chaos_stop.set()
    load_results = [results.get(timeout=60) for _ in workers]
    chaos_result = chaos_results.get(timeout=60)
    for process in workers + [hostile]:
        process.join(timeout=30)
    return {"load": load_results, "chaos": chaos_result, "observer": observer, "faults": faults, "mount": mount,
            "before": before, "after": after, "server_cpu": cpu_after - cpu_before, "main_seconds": main_end.value - started,
            "exit_code": exit_code, "exited_after": exited_after, "webhook": webhook}


def delta(report, sample):
    return report["after"].get(sample, 0) - report["before"].get(sample, 0)


def server_p99(report):
    """The upper bound of the azwi_mutation_request bucket holding the 99th percentile, main phase."""
    buckets = {}
    for sample in report["after"]:
        if sample.startswith("azwi_mutation_request_bucket{"):
            bound = sample.split('le="')[1].split('"')[0]
            buckets[bound] = buckets.get(bound, 0) + delta(report, sample)
    ordered = sorted(buckets.items(), key=lambda item: float(item[0]))
    if not ordered or ordered[-1][1] == 0:
        return "?"
    total = ordered[-1][1]
    return next("%g" % (float(bound) * 1000) for bound, count in ordered if count >= 0.99 * total)


def print_summary(args, report):
    outcomes, latencies, samples, serials, behind = {}, [], [], set(), 0
    for result in report["load"]:
        for kind, n in result["outcomes"].items():
            outcomes[kind] = outcomes.get(kind, 0) + n
        latencies += result["latencies"]
        samples += result["samples"]
        serials |= set(result["serials"])
        behind += result["behind_schedule"]
    chaos_result, observer, faults = report["chaos"], report["observer"], report["faults"]
    main = [s for s in observer.samples if s[0] <= observer.samples[0][0] + report["main_seconds"]] or [(0, 0, 0, True, 0)]
    half = len(main) // 2
    rss = [s[1] / 1024 for s in main]
    first_peak, second_peak = max(rss[: max(half, 1)]), max(rss[half:] or rss)
    restarts = {k.split('"')[1]: v for k, v in report["after"].items() if k.startswith("azwi_kube_watch_restarts_total")}
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
    ok = outcomes.get("ok", 0)
    errors = {k: v for k, v in outcomes.items() if k not in ("ok", "ok-during-shutdown", "closed-after-sigterm")}

    rows = [
        ("main phase", "%.1f s, %d connections in %d processes" % (report["main_seconds"], args.connections, args.processes)),
        ("admissions answered correctly", "%d (%.0f/s achieved, %.0f/s asked; %d requests behind schedule)" % (
            ok, ok / report["main_seconds"], args.rate, behind)),
        ("errors by kind", json.dumps(errors) if errors else "none"),
        ("client-observed latency", "p50 %.2f ms, p99 %.2f ms, max %.1f ms" % (p50, p99, max(latencies or [0]) * 1000)),
        ("server-side admission p99", "<= %s ms (azwi_mutation_request histogram bucket)" % server_p99(report)),
        ("server RSS (MiB)", "start %.1f, peak %.1f, end %.1f (peak 1st half %.1f, 2nd half %.1f)" % (
            rss[0], max(rss), rss[-1], first_peak, second_peak)),
        ("server CPU", "%.1f s in the main phase (%.0f %% of one core)" % (
            report["server_cpu"], 100 * report["server_cpu"] / report["main_seconds"])),
        ("server threads", "min %d, max %d" % (min(s[2] for s in main), max(s[2] for s in main))),
        ("open webhook connections", "min %d, max %d" % (min(s[4] for s in main), max(s[4] for s in main))),
        ("ready all along", str(all(s[3] for s in main))),
        ("same process all along", str(not observer.identity_changed and not observer.exited)),
        ("certificate swaps", "%d done, %d reloads loaded, %d failed; serials seen by clients %s" % (
            report["mount"].swaps, delta(report, 'azwi_certificate_reloads_total{result="success"}'),
            delta(report, 'azwi_certificate_reloads_total{result="failure"}'), sorted(serials))),
        ("watch drops", "%d drops, %d expiry; restarts by reason %s; LISTs %d" % (
            faults.drops, faults.compactions, json.dumps(restarts),
            delta(report, "azwi_kube_serviceaccount_lists_total"))),
        ("idle connections", "%d held, %d opened in all; closed by the server: %s" % (
            args.idle, chaos_result["idle_opened"], json.dumps(chaos_result["idle_closed_by_server"]))),
        ("garbage clients", "%d clients, %d attempts; bad replies %d" % (
            args.garbage, sum(chaos_result["garbage_attempts"].values()), chaos_result["garbage_bad_count"])),
        ("garbage replies", json.dumps(dict(sorted(chaos_result["garbage_answers"].items())))),
        ("TLS handshake failures (server)", "%d" % delta(report, 'azwi_tls_handshake_failures_total{listener="webhook"}')),
        ("SIGTERM", "exit code %s after %.2f s (limit %.1f s); answered during shutdown %d, closed after SIGTERM %d, "
                    "unanswered though sent before SIGTERM %d" % (
                        report["exit_code"], report["exited_after"], args.shutdown_timeout,
                        outcomes.get("ok-during-shutdown", 0), outcomes.get("closed-after-sigterm", 0),
                        outcomes.get("unanswered-sent-before-sigterm", 0))),
        ("machine", "load average %s on %d CPUs" % (" ".join("%.2f" % x for x in os.getloadavg()), os.cpu_count())),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    for name, value in rows:
        print("%-*s  %s" % (width, name, value))
    for sample in samples[:10] + chaos_result["garbage_bad"] + faults.errors:
        print("  sample:", sample)

    criteria = [
        ("every main-phase admission answered correctly", ok > 0 and not errors),
        ("p99 under %.0f ms" % args.p99_ms, p99 < args.p99_ms),
        ("RSS peak under %.0f MiB" % args.max_rss_mib, max(rss) < args.max_rss_mib),
        ("RSS not growing (2nd-half peak <= 1st-half peak * 1.1 + 4 MiB)", second_peak <= first_peak * 1.1 + 4),
        ("same process, ready all along", not observer.identity_changed and not observer.exited
         and all(s[3] for s in main)),
        ("every certificate swap loaded, none failed",
         delta(report, 'azwi_certificate_reloads_total{result="success"}') >= report["mount"].swaps > 0
         and delta(report, 'azwi_certificate_reloads_total{result="failure"}') == 0),
        ("watches dropped and a re-list after the expiry", faults.drops > 0 and faults.compactions == 1
         and delta(report, "azwi_kube_serviceaccount_lists_total") >= 1 and not faults.errors),
        ("no garbled reply to garbage", chaos_result["garbage_bad_count"] == 0),
        ("SIGTERM: everything sent before it answered", outcomes.get("unanswered-sent-before-sigterm", 0) == 0),
        ("SIGTERM: exit 0 within the drain limit", report["exit_code"] == 0
         and report["exited_after"] <= args.shutdown_timeout + 1),
    ]
    print()
    failures = 0
    for name, passed in criteria:
        print("%s  %s" % ("PASS" if passed else "FAIL", name))
        failures += not passed
    return failures


if __name__ == "__main__":
    sys.exit(main())
