import CertificateRotation
import Testing
import WebhookTLS
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RenewalDecisionTests {
    static let host = "azure-wi-webhook-webhook-service.azure-workload-identity-system.svc"
    static let now: Int64 = 1_800_000_000

    static func data(_ certificates: SelfSignedCertificates) -> [String: [UInt8]] {
        RenewalDecision.secretData(certificates)
    }

    @Test func anEmptySecretGetsNewCertificates() {
        #expect(RenewalDecision.decide(data: [:], hostName: Self.host, now: Self.now, renewBefore: .seconds(90 * 86_400))
            == .generate(reason: "the Secret is empty"))
        #expect(RenewalDecision.decide(data: ["ca.crt": []], hostName: Self.host, now: Self.now, renewBefore: .seconds(0))
            == .generate(reason: "the Secret is empty"))
    }

    @Test func aPartialSecretGetsNewCertificatesAndSaysWhatIsMissing() throws {
        var data = Self.data(try SelfSignedCertificates.generate(dnsNames: [Self.host]))
        data["tls.key"] = nil
        #expect(RenewalDecision.decide(data: data, hostName: Self.host, now: PEMNow.value, renewBefore: .seconds(0))
            == .generate(reason: "the Secret lacks tls.key"))
    }

    @Test func goodCertificatesAreKeptAsTheyAre() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: [Self.host])
        #expect(RenewalDecision.decide(data: Self.data(certificates), hostName: Self.host, now: PEMNow.value, renewBefore: .seconds(90 * 86_400))
            == .keep(certificates))
    }

    @Test func aServingCertificateExpiringWithin90DaysIsReissuedFromTheSameCA() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: [Self.host], leafValidity: .seconds(30 * 86_400))
        guard case let .reissueServingCertificate(current, reason) = RenewalDecision.decide(
            data: Self.data(certificates), hostName: Self.host, now: PEMNow.value, renewBefore: .seconds(90 * 86_400))
        else {
            Issue.record("expected a reissue")
            return
        }
        #expect(current == certificates)
        #expect(["the serving certificate expires in 29 days", "the serving certificate expires in 30 days"].contains(reason))
    }

    @Test func aServingCertificateForAnotherHostIsReissued() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["other.example.svc"])
        guard case let .reissueServingCertificate(_, reason) = RenewalDecision.decide(
            data: Self.data(certificates), hostName: Self.host, now: PEMNow.value, renewBefore: .seconds(0))
        else {
            Issue.record("expected a reissue")
            return
        }
        #expect(reason.contains("hostname mismatch"))
    }

    @Test func aCAThatWouldNotOutliveANewServingCertificateIsReplaced() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: [Self.host], caValidity: .seconds(400 * 86_400))
        guard case let .generate(reason) = RenewalDecision.decide(
            data: Self.data(certificates), hostName: Self.host, now: PEMNow.value, renewBefore: .seconds(90 * 86_400))
        else {
            Issue.record("expected new certificates")
            return
        }
        #expect(reason.hasPrefix("the CA expires in"))
    }

    @Test func aKeyThatDoesNotMatchItsCertificateIsNotServed() throws {
        let one = try SelfSignedCertificates.generate(dnsNames: [Self.host])
        let other = try SelfSignedCertificates.generate(dnsNames: [Self.host])
        var data = Self.data(one)
        data["ca.key"] = other.caPrivateKeyPEM
        guard case let .generate(reason) = RenewalDecision.decide(data: data, hostName: Self.host, now: PEMNow.value, renewBefore: .seconds(0)) else {
            Issue.record("expected new certificates")
            return
        }
        #expect(reason.contains("the CA private key does not match the CA certificate"))

        data = Self.data(one)
        data["tls.key"] = other.privateKeyPEM
        guard case let .reissueServingCertificate(_, leafReason) = RenewalDecision.decide(
            data: data, hostName: Self.host, now: PEMNow.value, renewBefore: .seconds(0))
        else {
            Issue.record("expected a reissue")
            return
        }
        #expect(leafReason.contains("the serving private key does not match"))
    }

    @Test func garbageIsReplacedNotServed() {
        let data = ["ca.crt": Array("junk".utf8), "ca.key": Array("junk".utf8), "tls.crt": Array("junk".utf8), "tls.key": Array("junk".utf8)]
        guard case let .generate(reason) = RenewalDecision.decide(data: data, hostName: Self.host, now: Self.now, renewBefore: .seconds(0)) else {
            Issue.record("expected new certificates")
            return
        }
        #expect(reason.hasPrefix("the CA is not usable"))
    }
}

/// The wall clock in seconds, as the certificate generator sees it.
enum PEMNow {
    static var value: Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
