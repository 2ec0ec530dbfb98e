import KubeClient
import Logging
import Synchronization
import WebhookTLS

/// What the webhook must know about the cluster before it admits: whether it runs Kubernetes
/// 1.32 or later, where the proxy becomes a native sidecar.
///
/// Read from the API server's `/version` once; until then `/readyz` stays false, and a failure
/// is logged and retried in the background rather than stopping the process.
final class ClusterFeatures: Sendable {
    private enum State: UInt8 { case unknown, classic, native }
    private let state: Atomic<UInt8>

    /// Features not known yet: call ``discover(using:logger:)``.
    init() {
        state = Atomic(State.unknown.rawValue)
    }

    /// Features given up front (no cluster: `--dev`, `--service-accounts`).
    init(nativeSidecars: Bool) {
        state = Atomic((nativeSidecars ? State.native : State.classic).rawValue)
    }

    var isKnown: Bool { state.load(ordering: .acquiring) != State.unknown.rawValue }
    var nativeSidecars: Bool { state.load(ordering: .acquiring) == State.native.rawValue }

    /// Reads `/version` on a thread of its own, retrying with capped backoff until it succeeds.
    func discover(using client: KubeAPIClient, logger: Logger) throws {
        try OwnedThread.start { [self] in
            do {
                let version = try client.serverVersion(attempts: .max)
                state.store((version.supportsNativeSidecars ? State.native : State.classic).rawValue, ordering: .releasing)
                logger.info("read the cluster version", metadata: [
                    "version": "\(version)", "nativeSidecars": "\(version.supportsNativeSidecars)"])
            } catch {
                logger.error("gave up reading the cluster version", metadata: ["error": "\(error)"])
            }
        }
    }
}
