import WebhookTLS

/// Whether a MutatingWebhookConfiguration's caBundles let the API server trust the serving certificate.
///
/// A caBundle that silently stops verifying (a CA rotated without re-injection, a GitOps tool
/// resetting the field) leaves pods admitted without credentials or not at all; this is the
/// check behind the readiness condition and the `azwi_ca_bundle_verifies` metric.
public enum CABundleVerdict: Equatable, Sendable {
    case verifies
    /// Why not (or why it is not known).
    case fails(String)

    /// Checks every webhook's caBundle against `servingChain` for `hostName`.
    ///
    /// - Parameters:
    ///   - caBundles: each webhook's caBundle (PEM); an empty one fails.
    ///   - servingChain: the PEM chain being served; `nil` when none is loaded.
    public static func check(caBundles: [[UInt8]], servingChain: [UInt8]?, hostName: String) -> CABundleVerdict {
        guard let servingChain else { return .fails("no serving certificate is loaded") }
        guard !caBundles.isEmpty else { return .fails("the configuration has no webhooks") }
        for (index, bundle) in caBundles.enumerated() {
            guard !bundle.isEmpty else { return .fails("webhook \(index) has no caBundle") }
            do throws(TLSError) {
                try PEMCertificate.verify(chainPEM: servingChain, trustedCAPEM: bundle, hostName: hostName)
            } catch {
                return .fails("webhook \(index)'s caBundle does not verify the serving certificate: \(error)")
            }
        }
        return .verifies
    }
}
