import CertificateRotation
import Testing
import WebhookTLS

@Suite struct CABundleVerdictTests {
    static let host = "azure-wi-webhook-webhook-service.ns.svc"

    @Test func theCABundleThatSignedTheServingCertificateVerifiesIt() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: [Self.host])
        #expect(CABundleVerdict.check(caBundles: [certificates.caCertificatePEM, certificates.caCertificatePEM],
                                      servingChain: certificates.certificateChainPEM, hostName: Self.host) == .verifies)
    }

    @Test func anotherCAOrAnEmptyBundleOrNoCertificateFailsAndSaysWhy() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: [Self.host])
        let other = try SelfSignedCertificates.generate(dnsNames: [Self.host])
        guard case let .fails(reason) = CABundleVerdict.check(
            caBundles: [certificates.caCertificatePEM, other.caCertificatePEM], servingChain: certificates.certificateChainPEM, hostName: Self.host)
        else {
            Issue.record("a foreign CA must not verify")
            return
        }
        #expect(reason.hasPrefix("webhook 1's caBundle does not verify the serving certificate"))
        #expect(CABundleVerdict.check(caBundles: [[]], servingChain: certificates.certificateChainPEM, hostName: Self.host)
            == .fails("webhook 0 has no caBundle"))
        #expect(CABundleVerdict.check(caBundles: [], servingChain: certificates.certificateChainPEM, hostName: Self.host)
            == .fails("the configuration has no webhooks"))
        #expect(CABundleVerdict.check(caBundles: [certificates.caCertificatePEM], servingChain: nil, hostName: Self.host)
            == .fails("no serving certificate is loaded"))
    }

    @Test func aCertificateForAnotherHostDoesNotVerify() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["elsewhere.ns.svc"])
        guard case let .fails(reason) = CABundleVerdict.check(
            caBundles: [certificates.caCertificatePEM], servingChain: certificates.certificateChainPEM, hostName: Self.host)
        else {
            Issue.record("a certificate for another host must not verify")
            return
        }
        #expect(reason.contains("hostname mismatch"))
    }

    @Test func aLongNamespaceGivesA64CharacterCommonNameAndTheFullNameInTheSAN() throws {
        let host = "azure-wi-webhook-webhook-service.\(String(repeating: "n", count: 63)).svc"
        let certificates = try SelfSignedCertificates.generate(dnsNames: [host])
        #expect(CABundleVerdict.check(caBundles: [certificates.caCertificatePEM], servingChain: certificates.certificateChainPEM, hostName: host) == .verifies)
    }
}
