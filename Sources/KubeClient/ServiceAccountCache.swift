public import CoreMetrics
public import Logging
import Synchronization
import WebhookTLS

/// The ServiceAccounts admission looks up, kept in memory by a list/watch loop on its own thread,
/// with a live GET for what the cache does not (yet) hold.
///
/// Request threads call ``lookup(namespace:name:deadline:)``: a hit is a dictionary read under a
/// lock; a miss GETs the ServiceAccount within the caller's deadline (concurrent misses for one
/// ServiceAccount share one GET) and stores the answer. ``isSynced`` turns true after the first
/// complete LIST — the server's readiness depends on it.
public final class ServiceAccountCache: Sendable {
    /// Tuning of the list/watch loop; the defaults suit a real cluster.
    public struct Configuration: Sendable {
        /// Items per LIST page (`limit`). A page's body and its decoding are the LIST's transient
        /// memory on top of the cache: 250 instead of client-go's 500 took the peak RSS synced
        /// with 50,000 ServiceAccounts from 20.4 to 19.6 MiB (200,000: 28.8 to 27.8 MiB; issue 17,
        /// one run each) for twice the LIST requests.
        public var pageSize = 250
        /// Each watch asks the server to end it after a random number of seconds in this range.
        public var watchTimeoutSeconds: ClosedRange<Int> = 300...600
        /// How long past its `timeoutSeconds` a silent watch is given before it is abandoned.
        public var watchSlack: Duration = .seconds(30)
        /// The time limit of each LIST page request.
        public var requestTimeout: Duration = .seconds(60)
        /// Delays between retries after failures.
        public var backoff = Backoff()

        public init() {}
    }

    private let transport: any KubeTransport
    private let logger: Logger
    private let configuration: Configuration
    private let metrics: KubeMetrics
    private let store: ServiceAccountStore
    private let flights = SingleFlight<ServiceAccountStore.Key, ServiceAccountLookup>()
    /// A flag the loop's thread and its owner share (an `Atomic` cannot be captured by itself).
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
    }

    private let started = Flag()
    private let stopping = Flag()

    /// - Parameters:
    ///   - client: the API transport, normally a ``KubeAPIClient``.
    ///   - metricsFactory: where the cache's gauge and counters go (`azwi_kube_*`).
    public init(
        client: any KubeTransport, logger: Logger, configuration: Configuration = Configuration(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        transport = client
        self.logger = logger
        self.configuration = configuration
        metrics = KubeMetrics(factory: metricsFactory)
        store = ServiceAccountStore(metrics: metrics)
    }

    /// Starts the list/watch loop on a thread of its own; it runs until ``stop()``. Calling it
    /// again does nothing.
    ///
    /// - Throws: `KubeClientError.configuration` when the thread cannot be created.
    public func start() throws(KubeClientError) {
        guard started.value.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let (transport, store, configuration, logger, metrics, stopping) = (transport, store, configuration, logger, metrics, stopping)
        do throws(TLSError) {
            try OwnedThread.start(stackSize: 1 << 20) {
                let reflector = ServiceAccountReflector(
                    transport: transport, store: store, configuration: configuration, logger: logger, metrics: metrics,
                    sleep: { duration in ServiceAccountCache.sleep(duration, unless: stopping) }
                )
                while !stopping.isSet { reflector.step() }
                logger.debug("ServiceAccount cache stopped")
            }
        } catch {
            throw .configuration("cannot start the ServiceAccount cache thread: \(error)")
        }
    }

    /// Asks the loop to end after its current request (tests, shutdown).
    public func stop() {
        stopping.set()
    }

    /// Whether the first complete LIST has been stored.
    public var isSynced: Bool { store.isSynced }

    /// How many ServiceAccounts the cache holds.
    public var count: Int { store.count }

    /// The ServiceAccount `namespace/name`: from the cache, or by a live GET before `deadline`.
    ///
    /// Blocks on a miss: call it from a request thread, not the cooperative pool.
    public func lookup(namespace: String, name: String, deadline: ContinuousClock.Instant) -> ServiceAccountLookup {
        if let info = store.lookup(namespace: namespace, name: name) { return .found(info) }
        guard KubePath.isValidName(namespace), KubePath.isValidName(name) else {
            return .failed("invalid ServiceAccount reference \(namespace)/\(name)")
        }
        let timedOut = ServiceAccountLookup.failed("no answer for ServiceAccount \(namespace)/\(name) before the deadline")
        return flights.run(ServiceAccountStore.Key(namespace: namespace, name: name), deadline: deadline, timedOut: timedOut) {
            liveGet(namespace: namespace, name: name, deadline: deadline)
        }
    }

    private func liveGet(namespace: String, name: String, deadline: ContinuousClock.Instant) -> ServiceAccountLookup {
        // The watch may have delivered it while this caller waited to lead the flight.
        if let info = store.lookup(namespace: namespace, name: name) { return .found(info) }
        let target = "/api/v1/namespaces/\(KubePath.escape(namespace))/serviceaccounts/\(KubePath.escape(name))"
        do throws(KubeClientError) {
            let response = try transport.get(target, deadline: deadline)
            switch response.status {
            case 200:
                let object = try ServiceAccountWire.decode(ServiceAccountWire.Object.self, response.body, what: "ServiceAccount")
                let info = ServiceAccountInfo(namespace: namespace, name: name, annotations: object.metadata?.annotations ?? [:])
                store.storeLive(info, resourceVersion: object.metadata?.resourceVersion ?? "0")
                metrics.liveGet(result: "found")
                return .found(info)
            case 404:
                metrics.liveGet(result: "not_found")
                return .notFound
            default:
                throw .status(code: response.status, message: response.message)
            }
        } catch {
            metrics.liveGet(result: "error")
            logger.warning("live GET of a ServiceAccount failed", metadata: ["serviceaccount": "\(namespace)/\(name)", "error": "\(error)"])
            return .failed("GET ServiceAccount \(namespace)/\(name): \(error)")
        }
    }

    /// Sleeps in short slices so ``stop()`` takes effect during a long backoff.
    private static func sleep(_ duration: Duration, unless stopping: Flag) {
        let end = ContinuousClock.now + duration
        while !stopping.isSet {
            let left = end - .now
            if left <= .zero { return }
            ThreadSleep.sleep(min(left, .milliseconds(100)))
        }
    }
}
