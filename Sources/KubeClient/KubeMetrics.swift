import CoreMetrics

/// The metrics the Kubernetes client reports through swift-metrics (names prefixed `azwi_kube_`).
enum KubeMetrics {
    /// API request latency to the response head, by verb (get, list, watch) and status code.
    static func request(verb: String, code: Int?, duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Timer(label: "azwi_kube_api_request_duration_seconds", dimensions: [("verb", verb), ("code", code.map(String.init) ?? "error")])
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// A watch ended and is being restarted; `reason` is timeout, closed, expired, error or http_<code>.
    static func watchRestarted(reason: String) {
        Counter(label: "azwi_kube_watch_restarts_total", dimensions: [("reason", reason)]).increment()
    }

    /// A full LIST of ServiceAccounts completed.
    static func listed() {
        Counter(label: "azwi_kube_serviceaccount_lists_total").increment()
    }

    /// A cache miss answered by a live GET: found, not_found or error.
    static func liveGet(result: String) {
        Counter(label: "azwi_kube_serviceaccount_live_gets_total", dimensions: [("result", result)]).increment()
    }

    /// How many ServiceAccounts the cache holds.
    static func cached(_ count: Int) {
        Gauge(label: "azwi_kube_serviceaccounts_cached").record(count)
    }
}
