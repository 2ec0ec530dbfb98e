-- wrk script: POST the AdmissionReview in $BENCH_BODY; with $BENCH_CLOSE set, one request per
-- connection (a full TLS handshake each). At the end, print the latency percentiles (µs).
local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
if os.getenv("BENCH_CLOSE") then
  wrk.headers["Connection"] = "close"
end

done = function(summary, latency, requests)
  io.write(string.format("summary requests=%d errors=%d duration_us=%d\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.duration))
  for _, p in ipairs({ 1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97, 98, 99, 99.5, 99.9, 99.99 }) do
    io.write(string.format("percentile %g %d\n", p, latency:percentile(p)))
  end
end
