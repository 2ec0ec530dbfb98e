import CoreMetrics

/// The metrics the Kubernetes client reports through swift-metrics (names prefixed `azwi_kube_`).
///
/// The factory is injected (by default the one the executable bootstraps) so tests can read the
/// values back with MetricsTestKit. All of these are cold paths: metric objects are made per use.
struct KubeMetrics: Sendable {
    /// The help text of each metric, by name, for a backend that exports it (swift-metrics carries
    /// names and dimensions only).
    static let help: [String: String] = [
        "azwi_kube_api_request_duration_seconds": "Kubernetes API request latency to the response head, by verb and status code",
        "azwi_kube_watch_restarts_total": "Watches of the Kubernetes API restarted, by reason",
        "azwi_kube_serviceaccount_lists_total": "Full LISTs of ServiceAccounts completed",
        "azwi_kube_serviceaccount_live_gets_total": "ServiceAccount cache misses answered by a live GET, by result",
        "azwi_kube_serviceaccounts_cached": "ServiceAccounts the cache holds",
        "azwi_kube_pod_lists_total": "Full LISTs of the pods labelled azure.workload.identity/use=true completed (pod repair)",
        "azwi_kube_pod_watch_restarts_total": "Watches of the labelled pods restarted (pod repair), by reason",
    ]

    let factory: any MetricsFactory

    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// API request latency to the response head, by verb (get, list, watch) and status code.
    func request(verb: String, code: Int?, duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Timer(label: "azwi_kube_api_request_duration_seconds", dimensions: [("verb", verb), ("code", code.map(String.init) ?? "error")], factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// A watch ended and is being restarted; `reason` is timeout, closed, expired, error, decode or http_<code>.
    func watchRestarted(reason: String, _ names: ReflectorMetricNames) {
        Counter(label: names.watchRestarts, dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// A full LIST completed (the first one and every re-list).
    func listed(_ names: ReflectorMetricNames) {
        Counter(label: names.lists, factory: factory).increment()
    }

    /// A cache miss answered by a live GET: found, not_found or error.
    func liveGet(result: String) {
        Counter(label: "azwi_kube_serviceaccount_live_gets_total", dimensions: [("result", result)], factory: factory).increment()
    }

    /// How many ServiceAccounts the cache holds.
    func cached(_ count: Int) {
        Gauge(label: "azwi_kube_serviceaccounts_cached", factory: factory).record(count)
    }
}
