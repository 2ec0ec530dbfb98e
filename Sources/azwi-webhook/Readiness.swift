import CertificateRotation
import Synchronization

/// What `/readyz` reports: ready only while the webhook can actually answer admissions.
///
/// Kubernetes sends webhook calls only to ready endpoints, so readiness requires a loaded serving
/// certificate, an accepting webhook listener, a synced ServiceAccount source and, with built-in
/// rotation, a caBundle that verifies the serving certificate; it turns false the moment shutdown
/// begins so the endpoint is removed before the listener closes.
final class Readiness: Sendable {
    private let certificateLoaded = Atomic<Bool>(false)
    private let listening = Atomic<Bool>(false)
    private let shuttingDown = Atomic<Bool>(false)
    private let serviceAccounts: any ServiceAccountSource
    private let caBundle: CABundleMonitor?

    /// - Parameter caBundle: when given, ready only while its verdict is `.verifies`.
    init(serviceAccounts: any ServiceAccountSource, caBundle: CABundleMonitor? = nil) {
        self.serviceAccounts = serviceAccounts
        self.caBundle = caBundle
    }

    func markCertificateLoaded() { certificateLoaded.store(true, ordering: .releasing) }
    func markListening() { listening.store(true, ordering: .releasing) }
    func markShuttingDown() { shuttingDown.store(true, ordering: .releasing) }

    /// Why the server is not ready; empty when it is.
    func unmetConditions() -> [String] {
        var unmet: [String] = []
        if shuttingDown.load(ordering: .acquiring) { unmet.append("shutting down") }
        if !certificateLoaded.load(ordering: .acquiring) { unmet.append("serving certificate not loaded") }
        if !listening.load(ordering: .acquiring) { unmet.append("webhook listener not accepting") }
        if !serviceAccounts.isSynced { unmet.append("ServiceAccount source not synced") }
        if let caBundle, case let .fails(reason) = caBundle.verdict() { unmet.append("caBundle: \(reason)") }
        return unmet
    }
}
