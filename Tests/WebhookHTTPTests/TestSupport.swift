import Foundation
import Logging
import Synchronization
import WebhookHTTP
import WebhookPOSIX
import WebhookTLS

/// A handler made of a closure.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest) -> HTTPResponse
    func handle(_ request: HTTPRequest) -> HTTPResponse { body(request) }
}

/// Echoes the method, target and body length; the body itself for POST.
let echoHandler = ClosureHandler { request in
    HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")],
                 body: Array("\(request.method) \(request.target) \(request.body.count)\n".utf8) + request.body)
}

let silentLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Work running on its own thread, whose result the test collects with a bounded wait.
final class Background<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let done: WakePipe

    init(_ work: @escaping @Sendable () throws -> T) throws {
        done = try WakePipe()
        try OwnedThread.start(stackSize: 1 << 20) { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    /// The result, or `nil` if it has not finished within `timeout`.
    func wait(timeout: Duration = .seconds(20)) -> Result<T, any Error>? {
        guard done.wait(until: .now + timeout) else { return nil }
        return result.withLock { $0 }
    }

    var isFinished: Bool { done.isSignalled }
}

/// A server on 127.0.0.1 with a port chosen by the system, plus matching client material.
struct TestServer {
    let server: HTTPServer
    let port: Int
    let certificates: SelfSignedCertificates?
    let current: CurrentTLSContext?

    init(tls: Bool, handler: any HTTPHandler = echoHandler, configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        if tls {
            let certificates = try SelfSignedCertificates.generate(dnsNames: ["localhost", "webhook.test.svc"], ipAddresses: ["127.0.0.1"])
            self.certificates = certificates
            current = CurrentTLSContext(try TLSContext.server(
                certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM, minimumVersion: .tls12))
        } else {
            certificates = nil
            current = nil
        }
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: current, name: "test")
        configure(&configuration)
        server = try HTTPServer(configuration: configuration, handler: handler, logger: silentLogger)
        port = try server.start()
    }

    func clientContext() throws -> TLSContext {
        try TLSContext.client(trustedCAPEM: certificates?.caCertificatePEM, clientCertificatePEM: nil, clientKeyPEM: nil, verifyPeer: true)
    }

    /// A client connection over TLS (when the server has TLS) or plain TCP.
    func connect(serverName: String? = nil) throws -> HTTPClientConnection {
        try HTTPClientConnection.connect(
            host: "127.0.0.1", port: port, tls: certificates == nil ? nil : try clientContext(), serverName: serverName,
            deadline: .now + .seconds(10))
    }

    /// A raw TCP connection, for writing exact bytes.
    func raw() throws -> TCPConnection {
        try TCPConnection.connect(host: "127.0.0.1", port: port, deadline: .now + .seconds(10))
    }

    func stop() {
        server.beginShutdown()
        _ = server.waitUntilStopped(timeout: .seconds(10))
    }
}

extension ByteStream {
    /// Everything the peer sends until it closes (bounded by `deadline` and 1 MiB).
    func readAll(deadline: ContinuousClock.Instant = .now + .seconds(10)) -> String {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while collected.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { raw in (try? read(into: raw, deadline: deadline)) ?? 0 }
            if count == 0 { break }
            collected += buffer[0..<count]
        }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Reads until `marker` appears in what was received (bounded by `deadline`).
    func read(until marker: String, deadline: ContinuousClock.Instant = .now + .seconds(10)) -> String {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: collected, as: UTF8.self).contains(marker) {
            let count = buffer.withUnsafeMutableBytes { raw in (try? read(into: raw, deadline: deadline)) ?? 0 }
            if count == 0 { break }
            collected += buffer[0..<count]
        }
        return String(decoding: collected, as: UTF8.self)
    }

    func send(_ text: String) throws {
        try write(Array(text.utf8), deadline: .now + .seconds(10))
    }
}
