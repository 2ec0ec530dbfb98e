import Foundation
import Testing
import WebhookTLS

@Suite struct SelfSignedCertificatesTests {
    @Test func leafChainsToItsCAAndNamesEveryHost() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["webhook.default.svc", "localhost"], ipAddresses: ["127.0.0.1", "::1"])
        try PEMCertificate.verify(chainPEM: certificates.certificateChainPEM, trustedCAPEM: certificates.caCertificatePEM)
        for host in ["webhook.default.svc", "localhost", "127.0.0.1", "::1"] {
            try PEMCertificate.verify(chainPEM: certificates.certificateChainPEM, trustedCAPEM: certificates.caCertificatePEM, hostName: host)
        }
        #expect(throws: TLSError.self) {
            try PEMCertificate.verify(chainPEM: certificates.certificateChainPEM, trustedCAPEM: certificates.caCertificatePEM, hostName: "other.svc")
        }
        #expect(throws: TLSError.self) {
            try PEMCertificate.verify(chainPEM: certificates.certificateChainPEM, trustedCAPEM: certificates.caCertificatePEM, hostName: "10.0.0.1")
        }
    }

    @Test func leafDoesNotChainToAnotherCA() throws {
        let first = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        let second = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        #expect {
            try PEMCertificate.verify(chainPEM: first.certificateChainPEM, trustedCAPEM: second.caCertificatePEM)
        } throws: { error in
            "\(error)".contains("unable to get local issuer certificate")
        }
    }

    @Test func opensslSeesP256ServerAuthSANAndShortCN() throws {
        let longName = String(repeating: "a", count: 60) + ".webhook-namespace.svc"
        let certificates = try SelfSignedCertificates.generate(dnsNames: [longName], ipAddresses: ["10.1.2.3"])
        let text = try run(["openssl", "x509", "-noout", "-text"], input: certificates.certificateChainPEM)
        #expect(text.contains("DNS:\(longName)"))
        #expect(text.contains("IP Address:10.1.2.3"))
        #expect(text.contains("TLS Web Server Authentication"))
        #expect(text.contains("prime256v1") || text.contains("P-256"))
        #expect(text.contains("CN = \(String(longName.prefix(64)))\n"))
        let caText = try run(["openssl", "x509", "-noout", "-text"], input: certificates.caCertificatePEM)
        #expect(caText.contains("CA:TRUE"))
        let key = try run(["openssl", "pkey", "-noout", "-text"], input: certificates.privateKeyPEM)
        #expect(key.contains("prime256v1") || key.contains("P-256"))
        let verified = try withTemporaryFiles(ca: certificates.caCertificatePEM, leaf: certificates.certificateChainPEM) { ca, leaf in
            try run(["openssl", "verify", "-purpose", "sslserver", "-CAfile", ca, leaf])
        }
        #expect(verified.contains(": OK"))
    }

    @Test func validityIsConfigurableAndReadBack() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["a.svc"], caValidity: .seconds(10 * 86_400), leafValidity: .seconds(86_400))
        let leafExpiry = try PEMCertificate.notAfter(certificates.certificateChainPEM)
        let caExpiry = try PEMCertificate.notAfter(certificates.caCertificatePEM)
        #expect(abs(leafExpiry - (now + 86_400)) < 120)
        #expect(abs(caExpiry - (now + 10 * 86_400)) < 120)
        let context = try TLSContext.server(
            certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM, minimumVersion: .tls12)
        #expect(context.certificateExpiry == leafExpiry)
    }

    @Test func reissuedLeafKeepsTheCA() throws {
        let original = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        let renewed = try original.reissuingLeaf(dnsNames: ["a.svc", "b.svc"])
        #expect(renewed.caCertificatePEM == original.caCertificatePEM)
        #expect(renewed.privateKeyPEM != original.privateKeyPEM)
        try PEMCertificate.verify(chainPEM: renewed.certificateChainPEM, trustedCAPEM: original.caCertificatePEM, hostName: "b.svc")
    }

    @Test(arguments: [["bad name"], ["a,DNS:evil.com"], [""]])
    func malformedNamesAreRefused(_ names: [String]) {
        #expect(throws: TLSError.self) { try SelfSignedCertificates.generate(dnsNames: names) }
    }

    @Test func malformedAddressesAndEmptyRequestsAreRefused() {
        #expect(throws: TLSError.self) { try SelfSignedCertificates.generate(dnsNames: [], ipAddresses: ["300.1.1.1"]) }
        #expect(throws: TLSError.self) { try SelfSignedCertificates.generate(dnsNames: []) }
    }

    @Test func garbagePEMIsAClearError() {
        #expect {
            try PEMCertificate.notAfter(Array("not a certificate".utf8))
        } throws: { error in
            "\(error)".contains("no PEM certificate")
        }
    }

    private func withTemporaryFiles<T>(ca: [UInt8], leaf: [UInt8], _ body: (String, String) throws -> T) throws -> T {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let caURL = directory.appendingPathComponent("ca.crt")
        let leafURL = directory.appendingPathComponent("tls.crt")
        try Data(ca).write(to: caURL)
        try Data(leaf).write(to: leafURL)
        return try body(caURL.path, leafURL.path)
    }
}
