public import WebhookTLS

/// What to do with the certificates found in the Secret: the pure decision at the heart of rotation.
///
/// A Secret that is empty, incomplete or holds an unusable CA gets a new CA and serving
/// certificate; a good CA with a serving certificate that is invalid, names another host or
/// expires within `renewBefore` gets only a new serving certificate (the caBundle stays the
/// same); a CA that would not outlive a new serving certificate by `renewBefore` is replaced.
public enum RenewalDecision: Equatable, Sendable {
    /// The Secret's certificates are good: use them as they are.
    case keep(SelfSignedCertificates)
    /// Issue a new serving certificate from the Secret's CA.
    case reissueServingCertificate(SelfSignedCertificates, reason: String)
    /// Generate a new CA and serving certificate.
    case generate(reason: String)

    /// The four Secret keys, upstream's names.
    public static let keys = (caCertificate: "ca.crt", caKey: "ca.key", certificate: "tls.crt", key: "tls.key")

    /// Decides from a Secret's `data`.
    ///
    /// - Parameters:
    ///   - hostName: the name the serving certificate must carry (`<service>.<namespace>.svc`).
    ///   - now: seconds since the Unix epoch.
    ///   - renewBefore: how long before expiry a certificate is replaced (90 days).
    ///   - servingValidity: the lifetime of a new serving certificate, which the CA must outlive.
    public static func decide(
        data: [String: [UInt8]], hostName: String, now: Int64,
        renewBefore: Duration, servingValidity: Duration = SelfSignedCertificates.defaultLeafValidity
    ) -> RenewalDecision {
        let names = [keys.caCertificate, keys.caKey, keys.certificate, keys.key]
        let missing = names.filter { data[$0]?.isEmpty ?? true }
        if missing.count == names.count { return .generate(reason: "the Secret is empty") }
        if !missing.isEmpty { return .generate(reason: "the Secret lacks \(missing.joined(separator: ", "))") }
        let found = SelfSignedCertificates(
            caCertificatePEM: data[keys.caCertificate] ?? [], caPrivateKeyPEM: data[keys.caKey] ?? [],
            certificateChainPEM: data[keys.certificate] ?? [], privateKeyPEM: data[keys.key] ?? [])
        do throws(TLSError) {
            try found.checkAuthority()
            let caLeft = try PEMCertificate.notAfter(found.caCertificatePEM) - now
            if caLeft < seconds(servingValidity + renewBefore) {
                return .generate(reason: "the CA expires in \(days(caLeft)) days")
            }
        } catch {
            return .generate(reason: "the CA is not usable: \(error)")
        }
        do throws(TLSError) {
            try found.checkServingCertificate(hostName: hostName)
            let left = try PEMCertificate.notAfter(found.certificateChainPEM) - now
            if left < seconds(renewBefore) {
                return .reissueServingCertificate(found, reason: "the serving certificate expires in \(days(left)) days")
            }
        } catch {
            return .reissueServingCertificate(found, reason: "the serving certificate is not usable: \(error)")
        }
        return .keep(found)
    }

    /// The Secret `data` that holds `certificates`.
    public static func secretData(_ certificates: SelfSignedCertificates) -> [String: [UInt8]] {
        [keys.caCertificate: certificates.caCertificatePEM, keys.caKey: certificates.caPrivateKeyPEM,
         keys.certificate: certificates.certificateChainPEM, keys.key: certificates.privateKeyPEM]
    }

    private static func seconds(_ duration: Duration) -> Int64 { duration.components.seconds }
    private static func days(_ seconds: Int64) -> Int64 { seconds / 86_400 }
}
