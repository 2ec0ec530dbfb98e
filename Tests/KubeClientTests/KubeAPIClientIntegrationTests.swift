import Foundation
import KubeClient
import Logging
import Testing

/// Authentication and server verification of `KubeAPIClient` against `fake_apiserver.py`.
@Suite("API client authentication and TLS against the stand-in", .serialized, .timeLimit(.minutes(1)))
struct KubeAPIClientIntegrationTests {
    private static func client(_ connection: KubeConnection) throws -> KubeAPIClient {
        try KubeAPIClient(connection: connection, userAgent: "azwi-webhook/test", logger: .quiet)
    }

    private static func version(_ client: KubeAPIClient) throws -> KubeResponse {
        try client.get("/version", deadline: .now + .seconds(5))
    }

    @Test func aRotatedTokenFileIsPickedUpWithoutA401() throws {
        let server = try FakeAPIServer(["--token", "first"])
        let directory = try TemporaryDirectory()
        let tokenPath = try directory.write("token", "first\n")
        let client = try Self.client(try server.connection(credential: .tokenFile(tokenPath)))
        #expect(try Self.version(client).status == 200)
        // kubelet's rotation: a new file swapped in (new inode), then the server accepts only it.
        try directory.write("token", "second\n")
        try server.control("POST", "token", #"{"token": "second"}"#)
        #expect(try Self.version(client).status == 200)
        #expect(try server.counters()["unauthorized"] == nil)
    }

    @Test func a401ReReadsTheTokenFileAndRetriesOnce() throws {
        let server = try FakeAPIServer(["--token", "tok-1"])
        let directory = try TemporaryDirectory()
        let tokenPath = try directory.write("token", "tok-1")
        let client = try Self.client(try server.connection(credential: .tokenFile(tokenPath)))
        #expect(try Self.version(client).status == 200)
        // Rewrite in place with the same size and modification time: only the 401 can reveal it.
        var before = stat()
        #expect(stat(tokenPath, &before) == 0)
        let handle = try #require(FileHandle(forWritingAtPath: tokenPath))
        try handle.write(contentsOf: Data("tok-2".utf8))
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, tokenPath, &times, 0) == 0)
        try server.control("POST", "token", #"{"token": "tok-2"}"#)

        #expect(try Self.version(client).status == 200)
        #expect(try server.counters()["unauthorized"] == 1)
        // A token nobody accepts: one retry, then the 401 is the answer (no loop).
        try server.control("POST", "token", #"{"token": "nobody-has-this"}"#)
        #expect(try Self.version(client).status == 401)
        #expect(try server.counters()["unauthorized"] == 3)
    }

    @Test func aBadStaticTokenGets401AndLookupsFail() throws {
        let server = try FakeAPIServer(["--token", "right"])
        let client = try Self.client(try server.connection(credential: .token("wrong")))
        #expect(try Self.version(client).status == 401)
        let cache = ServiceAccountCache(client: client, logger: .quiet)
        guard case let .failed(message) = cache.lookup(namespace: "ns", name: "sa", deadline: .now + .seconds(5)) else {
            Issue.record("a 401 must fail the lookup")
            return
        }
        #expect(message.contains("401"))
    }

    @Test func clientCertificateFromAKubeconfigAuthenticates() throws {
        let server = try FakeAPIServer(["--generate", "7"] + ["--client-ca", try TestPKI.shared.get().clientCAPEM])
        let pki = server.pki
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: pki.clientCertificate, toPath: directory.path + "/client.crt")
        let key = try TestPKI.bytes(pki.clientKey)
        let kubeconfig = try directory.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            current-context: kind-test
            clusters:
            - name: kind-test
              cluster:
                server: https://127.0.0.1:\(server.port)
                certificate-authority-data: \(try Data(TestPKI.bytes(pki.caPEM)).base64EncodedString())
            contexts:
            - name: kind-test
              context: {cluster: kind-test, user: kind-test}
            users:
            - name: kind-test
              user:
                client-certificate: client.crt
                client-key-data: \(Data(key).base64EncodedString())
            """)
        let connection = try KubeConnection.load(kubeconfigPath: nil, environment: ["KUBECONFIG": kubeconfig])
        let cache = ServiceAccountCache(client: try Self.client(connection), logger: .quiet)
        try cache.start()
        defer { cache.stop() }
        #expect(eventually { cache.isSynced })
        #expect(cache.count == 7)
        #expect(try server.counters()["unauthorized"] == nil)

        // Without the certificate the same server refuses.
        let anonymous = try Self.client(try server.connection())
        #expect(try Self.version(anonymous).status == 401)
    }

    @Test func aServerCertificateFromAnotherCAIsRefused() throws {
        let server = try FakeAPIServer(["--token", "t"])
        let client = try Self.client(try server.connection(credential: .token("t"), caPath: server.pki.otherCAPEM))
        let error = #expect(throws: KubeClientError.self) { try Self.version(client) }
        #expect("\(error!)".contains("certificate verify failed"))
        let insecure = try Self.client(KubeConnection(host: "127.0.0.1", port: server.port, insecureSkipTLSVerify: true, credential: .token("t"), origin: "test"))
        #expect(try Self.version(insecure).status == 200)
    }

    @Test func aHostNameTheCertificateDoesNotCarryIsRefused() throws {
        let server = try FakeAPIServer(["--token", "t"])
        let wrong = try Self.client(try server.connection(credential: .token("t"), serverName: "kubernetes.default.svc"))
        let error = #expect(throws: KubeClientError.self) { try Self.version(wrong) }
        #expect("\(error!)".contains("certificate verify failed"))
        let right = try Self.client(try server.connection(credential: .token("t"), serverName: "localhost"))
        #expect(try Self.version(right).status == 200)
    }

    @Test func anUnreachableServerFailsWithinTheDeadline() throws {
        let port: Int
        do {
            let server = try FakeAPIServer()
            port = server.port
        }  // stopped: nothing listens on the port now
        let client = try Self.client(KubeConnection(host: "127.0.0.1", port: port, trustedCAPEM: try TestPKI.bytes(try TestPKI.shared.get().caPEM), origin: "test"))
        #expect(throws: KubeClientError.self) { try client.serverVersion(attempts: 2, timeout: .seconds(1)) }
    }
}
