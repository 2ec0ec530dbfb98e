public import CoreMetrics
public import Logging
import WebhookPOSIX

/// The ServiceAccounts admission looks up, kept in memory by a list/watch loop on its own thread,
/// with a live GET for what the cache does not (yet) hold.
///
/// Request threads call ``lookup(namespace:name:deadline:)``: a hit is a dictionary read under a
/// lock; a miss GETs the ServiceAccount within the caller's deadline (concurrent misses for one
/// ServiceAccount share one GET) and stores the answer. ``isSynced`` turns true after the first
/// complete LIST — the server's readiness depends on it.
public final class ServiceAccountCache: Sendable {
    private let transport: any KubeTransport
    private let logger: Logger
    private let metrics: KubeMetrics
    private let store: ServiceAccountStore
    private let flights = SingleFlight<ServiceAccountStore.Key, ServiceAccountLookup>()
    private let loop: ReflectorLoop<ServiceAccountStore>

    /// - Parameters:
    ///   - client: the API transport, normally a ``KubeAPIClient``.
    ///   - metricsFactory: where the cache's gauge and counters go (`azwi_kube_*`).
    public init(
        client: any KubeTransport, logger: Logger, configuration: ListWatchConfiguration = ListWatchConfiguration(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        transport = client
        self.logger = logger
        metrics = KubeMetrics(factory: metricsFactory)
        store = ServiceAccountStore(metrics: metrics)
        loop = ReflectorLoop(
            transport: client, collection: .serviceAccounts, store: store, configuration: configuration, logger: logger, metrics: metrics)
    }

    /// Starts the list/watch loop on a thread of its own; it runs until ``stop()``. Calling it
    /// again does nothing.
    ///
    /// - Throws: `KubeClientError.configuration` when the thread cannot be created.
    public func start() throws(KubeClientError) {
        try loop.start()
    }

    /// Asks the loop to end after its current request (tests, shutdown).
    public func stop() {
        loop.stop()
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
                let object = try KubeJSON.decode(ServiceAccountWire.Object.self, response.body, what: "ServiceAccount")
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
}
