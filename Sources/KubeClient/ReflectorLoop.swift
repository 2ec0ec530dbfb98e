public import CoreMetrics
public import Logging
import Synchronization
import WebhookPOSIX

/// Keeps a ``ReflectorStore`` in step with one collection of the API server, on a thread of its
/// own, until stopped: the ServiceAccount cache and pod repair run one each.
///
/// LIST in pages, WATCH from the list's resourceVersion, re-LIST after a 410, resume after any
/// other failure with a jittered, capped backoff (see ``ListWatchConfiguration``).
public final class ReflectorLoop<Store: ReflectorStore>: Sendable {
    /// A flag the loop's thread and its owner share (an `Atomic` cannot be captured by itself).
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
        /// Sets it; `true` only for the first caller.
        func setOnce() -> Bool { value.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged }
    }

    private let transport: any KubeTransport
    private let collection: ReflectorCollection
    private let store: Store
    private let configuration: ListWatchConfiguration
    private let logger: Logger
    private let metrics: KubeMetrics
    private let started = Flag()
    private let stopping = Flag()

    /// - Parameters:
    ///   - transport: the API transport, normally a ``KubeAPIClient``.
    ///   - metricsFactory: where the loop's counters go (the names in `collection.metrics`).
    public convenience init(
        transport: any KubeTransport, collection: ReflectorCollection, store: Store,
        configuration: ListWatchConfiguration = ListWatchConfiguration(), logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.init(transport: transport, collection: collection, store: store, configuration: configuration, logger: logger,
                  metrics: KubeMetrics(factory: metricsFactory))
    }

    init(
        transport: any KubeTransport, collection: ReflectorCollection, store: Store, configuration: ListWatchConfiguration,
        logger: Logger, metrics: KubeMetrics
    ) {
        self.transport = transport
        self.collection = collection
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    /// Starts the loop on a thread of its own; it runs until ``stop()``. Calling it again does nothing.
    ///
    /// - Throws: `KubeClientError.configuration` when the thread cannot be created.
    public func start() throws(KubeClientError) {
        guard started.setOnce() else { return }
        let (transport, collection, store, configuration, logger, metrics, stopping) =
            (transport, collection, store, configuration, logger, metrics, stopping)
        do throws(SystemError) {
            try OwnedThread.start(stackSize: 1 << 20) {
                let reflector = Reflector(
                    transport: transport, collection: collection, store: store, configuration: configuration, logger: logger,
                    metrics: metrics, sleep: { duration in Self.sleep(duration, unless: stopping) }, isStopping: { stopping.isSet })
                while !stopping.isSet { reflector.step() }
                logger.debug("\(collection.noun) list/watch stopped")
            }
        } catch {
            throw .configuration("cannot start the \(collection.noun) list/watch thread: \(error)")
        }
    }

    /// Asks the loop to end: no change reaches the store after the event in hand; the thread ends
    /// at the watch's next event or bookmark, or at its timeout.
    public func stop() {
        stopping.set()
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
