import Foundation
import Testing
import WebhookHTTP
import WebhookPOSIX
import WebhookTLS

@Suite(.serialized) struct TLSClientServerTests {
    private let get = HTTPClientRequest(method: "GET", target: "/healthz")

    @Test func clientVerifiesByIPAndByHostNameAndReusesTheConnection() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        for serverName in [nil, "localhost", "webhook.test.svc"] {
            let client = try test.connect(serverName: serverName)
            for index in 0..<3 {
                let response = try client.send(HTTPClientRequest(method: "POST", target: "/echo/\(index)", body: Array("x".utf8)),
                                               deadline: .now + .seconds(10))
                #expect(response.status == 200)
                #expect(String(decoding: response.body, as: UTF8.self) == "POST /echo/\(index) 1\nx")
                #expect(client.isReusable)
            }
            client.close()
        }
    }

    @Test func alpnNegotiatesHTTP11AndTLS13ByDefault() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let connection = try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), deadline: .now + .seconds(10))
        #expect(connection.negotiatedProtocol == "http/1.1")
        #expect(connection.protocolVersion == "TLSv1.3")
        #expect(connection.peerCertificatePEM() == test.certificates?.certificateChainPEM)
        connection.close()
    }

    @Test func serverWithAnotherCAIsRefused() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let stranger = try SelfSignedCertificates.generate(dnsNames: ["localhost"])
        let context = try TLSContext.client(trustedCAPEM: stranger.caCertificatePEM, clientCertificatePEM: nil, clientKeyPEM: nil, verifyPeer: true)
        #expect {
            try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: context, deadline: .now + .seconds(10))
        } throws: { error in
            "\(error)".contains("certificate verify failed: unable to get local issuer certificate")
        }
        // Verification off (insecure-skip-tls-verify) connects to the same server.
        let insecure = try TLSContext.client(trustedCAPEM: nil, clientCertificatePEM: nil, clientKeyPEM: nil, verifyPeer: false)
        try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: insecure, deadline: .now + .seconds(10)).close()
    }

    @Test(arguments: ["other.test.svc", "127.0.0.2", "localhost.evil"])
    func certificateForAnotherNameIsRefused(_ serverName: String) throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        #expect {
            try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), serverName: serverName,
                                      deadline: .now + .seconds(10))
        } throws: { error in
            "\(error)".contains("certificate verify failed: \(serverName.hasPrefix("127") ? "IP address" : "hostname") mismatch")
        }
    }

    @Test func clientCertificateIsPresentedToAServerThatRequiresOne() throws {
        let server = try SelfSignedCertificates.generate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let client = try server.reissuingLeaf(dnsNames: ["system-admin"], clientAuth: true)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ["ca.crt": server.caCertificatePEM, "tls.crt": server.certificateChainPEM, "tls.key": server.privateKeyPEM]
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }

        func exchange(withCertificate: Bool) throws -> Int {
            let openssl = try OpenSSLServer(arguments: [
                "-cert", directory.appendingPathComponent("tls.crt").path, "-key", directory.appendingPathComponent("tls.key").path,
                "-CAfile", directory.appendingPathComponent("ca.crt").path, "-Verify", "1", "-www", "-naccept", "1",
            ])
            defer { openssl.stop() }
            let context = try TLSContext.client(
                trustedCAPEM: server.caCertificatePEM, clientCertificatePEM: withCertificate ? client.certificateChainPEM : nil,
                clientKeyPEM: withCertificate ? client.privateKeyPEM : nil, verifyPeer: true)
            let stream = try TLSConnection.connect(host: "127.0.0.1", port: openssl.port, context: context, deadline: .now + .seconds(10))
            let connection = HTTPClientConnection(stream: stream, host: "localhost")
            return try connection.send(get, deadline: .now + .seconds(10)).status
        }
        #expect(try exchange(withCertificate: true) == 200)
        #expect(throws: (any Error).self) { try exchange(withCertificate: false) }
    }

    @Test func reloadKeepsOpenConnectionsAndServesTheNewCertificateToNewOnes() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let certificates = try #require(test.certificates)
        let current = try #require(test.current)
        let kept = try test.connect()
        #expect(try kept.send(get, deadline: .now + .seconds(10)).status == 200)

        // A complete new pair from the same CA is published (what the reloader does on a good pair).
        let renewed = try certificates.reissuingLeaf(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        current.replace(with: try TLSContext.server(
            certificateChainPEM: renewed.certificateChainPEM, privateKeyPEM: renewed.privateKeyPEM, minimumVersion: .tls12))
        let fresh = try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), deadline: .now + .seconds(10))
        #expect(fresh.peerCertificatePEM() == renewed.certificateChainPEM)
        fresh.close()
        #expect(try kept.send(get, deadline: .now + .seconds(10)).status == 200)

        // A mismatched pair never reaches the server: building its context fails, the old one stays.
        let other = try certificates.reissuingLeaf(dnsNames: ["localhost"])
        #expect(throws: TLSError.self) {
            try TLSContext.server(certificateChainPEM: other.certificateChainPEM, privateKeyPEM: renewed.privateKeyPEM, minimumVersion: .tls12)
        }
        let again = try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), deadline: .now + .seconds(10))
        #expect(again.peerCertificatePEM() == renewed.certificateChainPEM)
        again.close()
    }

    @Test func reloaderDrivesTheServerFromFiles() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let certificates = try #require(test.certificates)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(certificates.certificateChainPEM).write(to: directory.appendingPathComponent("tls.crt"))
        try Data(certificates.privateKeyPEM).write(to: directory.appendingPathComponent("tls.key"))
        let serving = ServingCertificate(try #require(test.current), minimumVersion: .tls12) { _ in }
        let reloader = try CertificateReloader(directory: directory.path, interval: .seconds(3600), serving: serving)

        let renewed = try certificates.reissuingLeaf(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        try Data(renewed.privateKeyPEM).write(to: directory.appendingPathComponent("tls.key"))  // key first: a torn pair
        #expect(throws: TLSError.self) { try reloader.checkNow()?.get() }
        let during = try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), deadline: .now + .seconds(10))
        #expect(during.peerCertificatePEM() == certificates.certificateChainPEM)
        during.close()

        try Data(renewed.certificateChainPEM).write(to: directory.appendingPathComponent("tls.crt"))
        _ = try reloader.checkNow()?.get()
        let after = try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), deadline: .now + .seconds(10))
        #expect(after.peerCertificatePEM() == renewed.certificateChainPEM)
        after.close()
    }

    @Test func plainClientOnTheTLSPortFailsTheHandshakeWithoutHurtingOthers() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let raw = try test.raw()
        try raw.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        _ = raw.readAll()
        raw.close()
        #expect(try test.connect().send(get, deadline: .now + .seconds(10)).status == 200)
    }
}

/// `openssl s_server` on a port the system chooses, stopped by the test.
private final class OpenSSLServer {
    let process = Process()
    let port: Int

    init(arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["20", "openssl", "s_server", "-accept", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = Pipe()
        try process.run()
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("ACCEPT"), process.isRunning || !handle.availableData.isEmpty {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
              let portText = line.split(separator: ":").last, let port = Int(portText)
        else {
            process.terminate()
            throw SubprocessFailure(output: text)
        }
        self.port = port
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

struct SubprocessFailure: Error {
    var output: String
}

/// Checks with `openssl s_client`, a client independent of this code.
@Suite(.serialized) struct OpenSSLClientTests {
    private func sClient(port: Int, _ extra: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["20", "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-ign_eof"] + extra
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func h2IsNeverSelectedAndNoSessionTicketIsSent() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let text = try sClient(port: test.port, ["-alpn", "h2,http/1.1", "-servername", "localhost"])
        #expect(text.contains("ALPN protocol: http/1.1"))
        #expect(text.contains("HTTP/1.1 200 OK"))
        #expect(!text.contains("New Session Ticket"))
        let noALPN = try sClient(port: test.port, [])
        #expect(noALPN.contains("No ALPN negotiated"))
        #expect(noALPN.contains("HTTP/1.1 200 OK"))
    }

    @Test func aClientOfferingOnlyH2GetsTheNoApplicationProtocolAlert() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let h2Only = try sClient(port: test.port, ["-alpn", "h2"])
        #expect(h2Only.contains("no application protocol"))
        #expect(!h2Only.contains("HTTP/1.1 200 OK"))
    }

    @Test func minimumVersionIsEnforced() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let tls12 = try sClient(port: test.port, ["-tls1_2"])
        #expect(tls12.contains("TLSv1.2"))
        #expect(tls12.contains("HTTP/1.1 200 OK"))
        let strict = try TestServer(tls: true)
        defer { strict.stop() }
        let current = try #require(strict.current)
        let certificates = try #require(strict.certificates)
        current.replace(with: try TLSContext.server(
            certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM, minimumVersion: .tls13))
        #expect(!(try sClient(port: strict.port, ["-tls1_2"])).contains("HTTP/1.1 200 OK"))
        #expect(try sClient(port: strict.port, ["-tls1_3"]).contains("HTTP/1.1 200 OK"))
    }
}
