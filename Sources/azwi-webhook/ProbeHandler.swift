import WebhookHTTP

/// Answers the kubelet's probes on the health listener: `GET /healthz` and `GET /readyz`.
///
/// Probes get their own plain-HTTP listener, so a flood of admissions or a slow client on the
/// webhook port never makes the kubelet think the process is dead.
struct ProbeHandler: HTTPHandler {
    let readiness: Readiness

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch request.path {
        case "/healthz", "/readyz":
            guard request.method == "GET" || request.method == "HEAD" else {
                var response = HTTPResponse.text(405, "method \(request.method) not allowed: use GET")
                response.headers.append(("Allow", "GET, HEAD"))
                return response
            }
            if request.path == "/healthz" { return .text(200, "ok") }
            let unmet = readiness.unmetConditions()
            return unmet.isEmpty ? .text(200, "ok") : .text(503, "not ready: " + unmet.joined(separator: ", "))
        default:
            return .text(404, "not found: the health listener serves GET /healthz and GET /readyz")
        }
    }
}
