import Foundation
import Testing
import WebhookTLS

@Suite struct TLSContextTests {
    @Test func serverContextFromFiles() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(certificates.certificateChainPEM).write(to: directory.appendingPathComponent("tls.crt"))
        try Data(certificates.privateKeyPEM).write(to: directory.appendingPathComponent("tls.key"))
        let context = try TLSContext.server(
            certificateChainFile: directory.appendingPathComponent("tls.crt").path,
            privateKeyFile: directory.appendingPathComponent("tls.key").path, minimumVersion: .tls13)
        #expect(context.certificateExpiry != nil)
    }

    @Test func missingFileNamesThePath() {
        #expect {
            try TLSContext.server(certificateChainFile: "/nonexistent/tls.crt", privateKeyFile: "/nonexistent/tls.key", minimumVersion: .tls12)
        } throws: { error in
            "\(error)".contains("/nonexistent/tls.crt") && "\(error)".contains("No such file")
        }
    }

    @Test func keyOfAnotherCertificateIsRefused() throws {
        let first = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        let second = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        #expect {
            try TLSContext.server(certificateChainPEM: first.certificateChainPEM, privateKeyPEM: second.privateKeyPEM, minimumVersion: .tls12)
        } throws: { error in
            "\(error)".contains("does not match")
        }
    }

    @Test func garbageKeyIsRefused() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        #expect(throws: TLSError.self) {
            try TLSContext.server(certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: Array("junk".utf8), minimumVersion: .tls12)
        }
    }

    @Test func clientCertificateNeedsItsKey() throws {
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["a.svc"])
        #expect {
            try TLSContext.client(trustedCAPEM: certificates.caCertificatePEM, clientCertificatePEM: certificates.certificateChainPEM,
                                  clientKeyPEM: nil, verifyPeer: true)
        } throws: { error in
            "\(error)".contains("both the certificate and its key")
        }
        let client = try TLSContext.client(trustedCAPEM: certificates.caCertificatePEM, clientCertificatePEM: certificates.certificateChainPEM,
                                           clientKeyPEM: certificates.privateKeyPEM, verifyPeer: true)
        #expect(client.certificateExpiry != nil)
    }

    @Test func trustedCABundleMustHoldACertificate() {
        #expect(throws: TLSError.self) {
            try TLSContext.client(trustedCAPEM: Array("nothing here".utf8), clientCertificatePEM: nil, clientKeyPEM: nil, verifyPeer: true)
        }
    }
}
