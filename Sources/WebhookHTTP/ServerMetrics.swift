import CoreMetrics
import Synchronization

/// The server's counters, through swift-metrics so any backend the executable bootstraps sees them.
///
/// Metric objects are created once (per status code) and reused: the factory takes a lock, the
/// request path should not.
final class ServerMetrics: Sendable {
    private let listener: String
    private let openConnections: Gauge
    private let handshakeFailures: Counter
    private let rejectedConnections: Counter
    private let requestsByStatus: Mutex<[Int: Counter]>
    private let openCount = Atomic<Int>(0)

    init(listener: String) {
        self.listener = listener
        let dimensions = [("listener", listener)]
        openConnections = Gauge(label: "azwi_http_open_connections", dimensions: dimensions)
        handshakeFailures = Counter(label: "azwi_tls_handshake_failures_total", dimensions: dimensions)
        rejectedConnections = Counter(label: "azwi_http_rejected_connections_total", dimensions: dimensions)
        requestsByStatus = Mutex([:])
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

    /// Counts a closed connection; returns how many remain open.
    func connectionClosed() -> Int {
        let remaining = openCount.subtract(1, ordering: .sequentiallyConsistent).newValue
        openConnections.record(remaining)
        return remaining
    }

    var open: Int { openCount.load(ordering: .sequentiallyConsistent) }

    func handshakeFailed() { handshakeFailures.increment() }

    func responded(status: Int) {
        let counter = requestsByStatus.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = Counter(label: "azwi_http_requests_total", dimensions: [("listener", listener), ("code", String(status))])
            counters[status] = counter
            return counter
        }
        counter.increment()
    }
}
