import CoreMetrics
import Synchronization
import WebhookPOSIX

/// The server's counters, through swift-metrics so any backend the executable bootstraps sees them.
///
/// Metric objects are created once (per status code) and reused: the factory and the status
/// table take locks, which the request path must not contend on.
final class ServerMetrics: Sendable {
    /// The help text of each metric this layer reports, for a backend that exports it (swift-metrics
    /// carries names and dimensions only).
    static let help: [String: String] = [
        "azwi_http_open_connections": "Connections open now, by listener",
        "azwi_http_rejected_connections_total": "Connections closed at once because the listener was at its connection limit",
        "azwi_http_requests_total": "HTTP requests answered, by listener and status code",
        "azwi_tls_handshake_failures_total": "TLS handshakes that failed or timed out, by listener (TLS listeners only)",
    ]

    private let listener: String
    private let factory: any MetricsFactory
    private let openConnections: Gauge
    /// `nil` on a plain-HTTP listener, where a handshake failure cannot happen.
    private let handshakeFailures: Counter?
    private let rejectedConnections: Counter
    private let requestsByStatus: Locked<[Int: Counter]>
    private let openCount = Atomic<Int>(0)

    init(listener: String, tls: Bool, factory: any MetricsFactory) {
        self.listener = listener
        self.factory = factory
        let dimensions = [("listener", listener)]
        openConnections = Gauge(label: "azwi_http_open_connections", dimensions: dimensions, factory: factory)
        handshakeFailures = tls ? Counter(label: "azwi_tls_handshake_failures_total", dimensions: dimensions, factory: factory) : nil
        rejectedConnections = Counter(label: "azwi_http_rejected_connections_total", dimensions: dimensions, factory: factory)
        requestsByStatus = Locked([:])
        openConnections.record(0)
    }

    /// Counts a new connection if below `limit`; returns `false` (and counts a rejection) otherwise.
    func admitConnection(limit: Int) -> Bool {
        var current = openCount.load(ordering: .relaxed)
        while current < limit {
            let (done, seen) = openCount.compareExchange(expected: current, desired: current + 1, ordering: .sequentiallyConsistent)
            if done {
                openConnections.record(current + 1)
                return true
            }
            current = seen
        }
        rejectedConnections.increment()
        return false
    }

    /// Counts a closed connection.
    func connectionClosed() {
        openConnections.record(openCount.subtract(1, ordering: .sequentiallyConsistent).newValue)
    }

    var open: Int { openCount.load(ordering: .sequentiallyConsistent) }

    func handshakeFailed() { handshakeFailures?.increment() }

    /// The request counter for `status`, created on first use. Takes a lock: connections keep
    /// the counters they use (`HTTPServerConnection`), so the hot path never contends on it.
    func requestCounter(status: Int) -> Counter {
        requestsByStatus.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = Counter(label: "azwi_http_requests_total", dimensions: [("listener", listener), ("code", String(status))], factory: factory)
            counters[status] = counter
            return counter
        }
    }
}
