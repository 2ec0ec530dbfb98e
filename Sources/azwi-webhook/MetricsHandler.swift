import WebhookHTTP

/// Serves `GET /metrics` in the Prometheus text format on the metrics listener.
struct MetricsHandler: HTTPHandler {
    let metrics: WebhookMetrics

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.path == "/metrics" else {
            return .text(404, "not found: the metrics listener serves GET /metrics")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.text(405, "method \(request.method) not allowed: use GET")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: metrics.exposition())
    }
}
