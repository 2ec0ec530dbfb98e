import CertificateRotation
import WebhookTLS

/// Built-in certificate rotation as a ``Component``: the rotation loop keeps the Secret and the
/// caBundle right and offers every pair it serves to the ``ServingCertificate``.
///
/// Unlike the read-only components it waits at stop for a pass in progress, which may be
/// writing the Secret or the configuration.
final class RotationComponent: Component {
    let name = "certificate rotation"
    private let rotator: CertificateRotator
    private let monitor: CABundleMonitor
    private let serving: ServingCertificate
    private let metrics: WebhookMetrics

    init(_ rotator: CertificateRotator, monitor: CABundleMonitor, serving: ServingCertificate, metrics: WebhookMetrics) {
        self.rotator = rotator
        self.monitor = monitor
        self.serving = serving
        self.metrics = metrics
    }

    func start() throws {
        do {
            try rotator.start(monitor: monitor) { [serving, metrics] certificates in
                metrics.caCertificateLoaded(notAfter: try? PEMCertificate.notAfter(certificates.caCertificatePEM))
                serving.offer(certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM, from: .secret)
            }
        } catch {
            throw ServeError("cannot start the certificate work: \(error)")
        }
    }

    func beginShutdown() { rotator.stop() }

    func waitUntilStopped(timeout: Duration) -> Bool { rotator.waitUntilStopped(timeout: timeout) }
}
