import KubeClient
import Logging
import WebhookPOSIX

/// Pod repair as a ``Component``: the replicas elect one leader on the Lease
/// `azure-wi-webhook-repair`, and only the leader runs a ``RepairWorker``; the others only serve
/// admissions.
///
/// Leadership starts a worker and its end stops it (waiting for a request in flight) before the
/// Lease is given up, so two replicas never repair at once. At shutdown the leader stops its
/// worker and releases the Lease, and another replica takes over at its next attempt (every 2 to
/// 4.4 s, jittered) instead of waiting for the 15 s lease to expire.
final class RepairComponent: Component {
    let name = "pod repair"
    private let elector: LeaderElector

    /// - Parameter isReady: whether this replica admits pods now; the worker evicts only then.
    init(settings: RepairSettings, transport: any KubeTransport, isReady: @escaping @Sendable () -> Bool, metrics: RepairMetrics, logger: Logger) throws {
        let worker = Locked<RepairWorker?>(nil)
        do {
            elector = try LeaderElector(
                client: LeaseClient(transport: transport, namespace: settings.namespace, name: RepairSettings.leaseName),
                identity: settings.identity, logger: logger,
                onStartedLeading: {
                    let started = RepairWorker(settings: settings, transport: transport, isReady: isReady, metrics: metrics, logger: logger)
                    do {
                        try started.start()
                    } catch {
                        logger.error("repair: \(error)")
                        return
                    }
                    worker.withLock { $0 = started }
                    metrics.leading(true)
                },
                onStoppedLeading: {
                    metrics.leading(false)
                    guard let stopping = worker.withLock({ current in defer { current = nil }; return current }) else { return }
                    if !stopping.stop(timeout: .seconds(4)) {
                        logger.warning("repair: the worker did not stop in time")
                    }
                })
        } catch {
            throw ServeError("pod repair: \(error)")
        }
    }

    func start() throws {
        do {
            try elector.start()
        } catch {
            throw ServeError("pod repair: \(error)")
        }
    }

    func beginShutdown() { elector.stop() }

    func waitUntilStopped(timeout: Duration) -> Bool { elector.waitUntilStopped(timeout: timeout) }
}
