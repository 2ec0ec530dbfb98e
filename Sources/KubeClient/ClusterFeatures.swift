public import Logging
import Synchronization
import WebhookTLS

/// What the webhook must know about the cluster before it admits: whether it runs Kubernetes
/// 1.32 or later, where the proxy becomes a native sidecar.
///
/// With a cluster, ``start()`` begins a thread that reads `/version` until it succeeds (capped
/// backoff); until then the server is not ready, and a failure is logged and retried rather than
/// stopping the process.
public final class ClusterFeatures: Sendable {
    private enum State: UInt8 { case unknown, classic, native }
    private let state: Atomic<UInt8>
    private let client: KubeAPIClient?
    private let logger: Logger
    private let stopping = LockedCondition(false)

    /// Features read from the API server once started.
    public init(client: KubeAPIClient, logger: Logger) {
        state = Atomic(State.unknown.rawValue)
        self.client = client
        self.logger = logger
    }

    /// Features given up front (no cluster: `--dev`, `--service-accounts`); starting does nothing.
    public init(nativeSidecars: Bool, logger: Logger) {
        state = Atomic((nativeSidecars ? State.native : State.classic).rawValue)
        client = nil
        self.logger = logger
    }

    public var isKnown: Bool { state.load(ordering: .acquiring) != State.unknown.rawValue }
    public var nativeSidecars: Bool { state.load(ordering: .acquiring) == State.native.rawValue }

    /// Starts reading the version (nothing to do without a cluster).
    ///
    /// - Throws: `KubeClientError.configuration` when the thread cannot be created.
    public func start() throws(KubeClientError) {
        guard let client else { return }
        do throws(TLSError) {
            try OwnedThread.start { [self] in discover(using: client) }
        } catch {
            throw .configuration("cannot start reading the cluster version: \(error)")
        }
    }

    /// Ends the retries: the thread leaves at its next wait.
    public func stop() {
        stopping.update { $0 = true }
    }

    private func discover(using client: KubeAPIClient) {
        var pause = Duration.milliseconds(500)
        var attempt = 1
        while true {
            do throws(KubeClientError) {
                let version = try client.serverVersion(deadline: .now + .seconds(10))
                state.store((version.supportsNativeSidecars ? State.native : State.classic).rawValue, ordering: .releasing)
                logger.info("read the cluster version", metadata: [
                    "version": "\(version)", "nativeSidecars": "\(version.supportsNativeSidecars)"])
                return
            } catch {
                logger.warning("reading the API server version failed; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            }
            let stopped = stopping.wait(timeout: pause, until: { $0 }) { $0 }
            if stopped { return }
            pause = min(pause * 2, .seconds(10))
            attempt += 1
        }
    }
}
