import CoreMetrics
import Synchronization
import WebhookTLS

/// The server's counters, through swift-metrics so any backend the executable bootstraps sees them.
///
/// Metric objects are created once (per status code) and reused: the factory and the status
/// table take locks, which the request path must not contend on.
final class ServerMetrics: Sendable {
    private let listener: String
    private let factory: any MetricsFactory
    private let openConnections: Gauge
    private let handshakeFailures: Counter
    private let rejectedConnections: Counter
    private let requestsByStatus: Locked<[Int: Counter]>
    private let openCount = Atomic<Int>(0)

    init(listener: String, factory: any MetricsFactory) {
        self.listener = listener
        self.factory = factory
        let dimensions = [("listener", listener)]
        openConnections = Gauge(label: "azwi_http_open_connections", dimensions: dimensions, factory: factory)
        handshakeFailures = Counter(label: "azwi_tls_handshake_failures_total", dimensions: dimensions, factory: factory)
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

    func handshakeFailed() { handshakeFailures.increment() }

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
