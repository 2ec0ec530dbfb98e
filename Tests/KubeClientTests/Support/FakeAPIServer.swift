import Foundation
import KubeClient
import WebhookHTTP
import WebhookTLS

/// `Tests/integration/kube/fake_apiserver.py` running as a child process on a free port, with a
/// client for its `/_control/...` interface. Terminated when released.
final class FakeAPIServer {
    let pki: TestPKI
    let port: Int
    private let process: Process

    static let script: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("integration/kube/fake_apiserver.py").path
    }()

    /// Starts the stand-in with its certificate and `arguments` (`--token`, `--generate`, …).
    init(_ arguments: [String] = []) throws {
        pki = try TestPKI.shared.get()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--port", "0", "--cert", pki.serverCertificate, "--key", pki.serverKey] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData  // empty once the process has exited
            guard !chunk.isEmpty else { throw TestFailure("fake_apiserver.py exited before printing its port") }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).split(separator: "\n")[0]) else {
            throw TestFailure("fake_apiserver.py printed no port")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the child may inherit a blocked SIGTERM from the test runner's thread.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A connection to this server, trusting its CA unless `caPath` names another.
    func connection(credential: KubeCredential? = nil, serverName: String? = nil, caPath: String? = nil) throws -> KubeConnection {
        KubeConnection(
            host: "127.0.0.1", port: port, tlsServerName: serverName, trustedCAPEM: try TestPKI.bytes(caPath ?? pki.caPEM),
            credential: credential, origin: "test"
        )
    }

    /// Sends a control request; returns the status and the decoded JSON body.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: String = "") throws -> (status: Int, json: [String: Any]) {
        let context = try TLSContext.client(trustedCAPEM: try TestPKI.bytes(pki.caPEM), clientCertificatePEM: nil, clientKeyPEM: nil, verifyPeer: true)
        let deadline = ContinuousClock.now + .seconds(10)
        let stream = try TLSConnection.connect(host: "127.0.0.1", port: port, context: context, deadline: deadline)
        let http = HTTPClientConnection(stream: stream, host: "127.0.0.1:\(port)")
        let response = try http.send(
            HTTPClientRequest(method: method, target: "/_control/" + path, headers: [("Content-Type", "application/json")], body: Array(body.utf8)),
            deadline: deadline
        )
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status, json)
    }

    /// Request counters by kind ("list", "watch", "get", "get:ns/name", "unauthorized", …).
    func counters() throws -> [String: Int] {
        try control("GET", "counters").json["counters"] as? [String: Int] ?? [:]
    }

    /// The most recent API requests: method, path, query, user-agent, accept.
    func recentRequests() throws -> [[String: Any]] {
        try control("GET", "counters").json["recent"] as? [[String: Any]] ?? []
    }

    /// The server's current resourceVersion.
    func resourceVersion() throws -> String {
        try control("GET", "counters").json["resourceVersion"] as? String ?? ""
    }

    func putServiceAccount(_ namespace: String, _ name: String, clientID: String? = nil) throws {
        let annotations = clientID.map { #","annotations":{"azure.workload.identity/client-id":"\#($0)"}"# } ?? ""
        try control("POST", "serviceaccounts", #"{"metadata":{"name":"\#(name)","namespace":"\#(namespace)"\#(annotations)}}"#)
    }
}

/// Polls `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
func eventually(within limit: Duration = .seconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
