public import CoreMetrics
public import Logging
import WebhookHTTP
import WebhookPOSIX
import WebhookTLS

/// The real ``KubeTransport``: HTTP/1.1 over TLS to the API server, with the connection's
/// credentials, a `User-Agent` naming this webhook, and a few kept-alive idle connections.
///
/// The server certificate is verified against the connection's CA and its host name or IP (or
/// `tls-server-name`), TLS 1.2 or later. A 401 with a token file re-reads the file and retries
/// once. Every call blocks its thread: call it from owned threads, never the cooperative pool.
public final class KubeAPIClient: KubeTransport {
    /// An idle keep-alive connection parked between requests. `@unchecked Sendable`: it is only
    /// ever used by the one thread that took it out of the pool, under the pool's lock.
    private final class IdleConnection: @unchecked Sendable {
        let http: HTTPClientConnection
        init(_ http: HTTPClientConnection) { self.http = http }
    }

    private let connection: KubeConnection
    private let context: TLSContext
    private let token: BearerToken
    private let userAgent: String
    private let logger: Logger
    private let metrics: KubeMetrics
    private let idle = Locked<[IdleConnection]>([])
    private static let maxIdle = 4

    /// - Parameters:
    ///   - connection: where the server is and how to authenticate (see ``KubeConnection/load(kubeconfigPath:environment:inClusterRoot:)``).
    ///   - userAgent: names this program and its version, e.g. "azwi-webhook/v0.1.0 (linux/amd64) …".
    ///   - metricsFactory: where request latencies go (`azwi_kube_api_request_duration_seconds`).
    /// - Throws: `KubeClientError.configuration` when the CA or client certificate is unusable.
    /// The help text of each metric the Kubernetes client reports, by name, for a backend that exports it.
    public static var metricHelp: [String: String] { KubeMetrics.help }

    public init(
        connection: KubeConnection, userAgent: String, logger: Logger, metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws(KubeClientError) {
        do throws(TLSError) {
            context = try TLSContext.client(
                trustedCAPEM: connection.trustedCAPEM, clientCertificatePEM: connection.clientCertificatePEM,
                clientKeyPEM: connection.clientKeyPEM, verifyPeer: !connection.insecureSkipTLSVerify
            )
        } catch {
            throw .configuration("\(connection.origin): \(error)")
        }
        self.connection = connection
        token = BearerToken(connection.credential)
        self.userAgent = userAgent
        self.logger = logger
        metrics = KubeMetrics(factory: metricsFactory)
    }

    public func get(_ target: String, deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeResponse {
        let verb = target.contains("?limit=") ? "list" : "get"  // every LIST here is paged
        return try readWhole(HTTPClientRequest(method: "GET", target: target), verb: verb, deadline: deadline)
    }

    public func write(_ method: String, _ target: String, contentType: String, body: [UInt8], deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeResponse {
        let request = HTTPClientRequest(method: method, target: target, headers: [("Content-Type", contentType)], body: body)
        let verb = switch method {
        case "PUT": "update"
        case "POST": "create"
        default: method.lowercased()
        }
        return try readWhole(request, verb: verb, deadline: deadline)
    }

    private func readWhole(_ request: HTTPClientRequest, verb: String, deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeResponse {
        let target = request.target
        let (http, head) = try open(request, verb: verb, deadline: deadline)
        var body: [UInt8] = []
        do throws(HTTPClientError) {
            while let bytes = try http.readBody(deadline: deadline) {
                body.append(contentsOf: bytes)
                if body.count > 256 << 20 { throw .responseTooLarge(limit: 256 << 20) }
            }
        } catch {
            http.close()
            throw .transport("\(request.method) \(target): \(error)")
        }
        park(http)
        return KubeResponse(status: head.status, body: body)
    }

    public func watch(_ target: String, deadline: ContinuousClock.Instant, onLine: ([UInt8]) -> Bool) throws(KubeClientError) -> KubeWatchEnd {
        let (http, head) = try open(HTTPClientRequest(method: "GET", target: target), verb: "watch", deadline: deadline)
        do throws(HTTPClientError) {
            guard head.status == 200 else {
                var body: [UInt8] = []
                while let bytes = try http.readBody(deadline: deadline), body.count < 1 << 20 { body.append(contentsOf: bytes) }
                park(http)
                return .refused(KubeResponse(status: head.status, body: body))
            }
            while let line = try http.readLine(deadline: deadline) {
                if line.isEmpty { continue }
                if !onLine(line) {
                    http.close()
                    return .stopped
                }
            }
            park(http)
            return .ended
        } catch {
            http.close()
            throw .transport("watch \(target): \(error)")
        }
    }

    /// Reads `GET /version` once.
    public func serverVersion(deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeServerVersion {
        let response = try get("/version", deadline: deadline)
        guard response.status == 200 else { throw .status(code: response.status, message: response.message) }
        return try KubeServerVersion.decode(response.body)
    }

    /// Reads `GET /version`, retrying failures with a doubling pause (0.5 s, 1 s, 2 s, … capped at
    /// 10 s); for start-up, where the API server may not be reachable yet.
    ///
    /// - Parameters:
    ///   - attempts: how many requests at most.
    ///   - timeout: each request's time limit.
    /// - Throws: the last attempt's error.
    public func serverVersion(attempts: Int, timeout: Duration = .seconds(10)) throws(KubeClientError) -> KubeServerVersion {
        try retrying(attempts: attempts, what: "reading the API server version") { () throws(KubeClientError) in
            try serverVersion(deadline: .now + timeout)
        }
    }

    /// Runs `body` until it succeeds, at most `attempts` times, with a doubling pause between
    /// failures (0.5 s, 1 s, 2 s, … capped at 10 s), logging each retry.
    ///
    /// - Throws: the last attempt's error.
    func retrying<T>(attempts: Int, what: String, _ body: () throws(KubeClientError) -> T) throws(KubeClientError) -> T {
        var pause = Duration.milliseconds(500)
        var attempt = 1
        while true {
            do throws(KubeClientError) {
                return try body()
            } catch {
                guard attempt < attempts else { throw error }
                logger.warning("\(what) failed; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            }
            ThreadSleep.sleep(pause)
            pause = min(pause * 2, .seconds(10))
            attempt += 1
        }
    }

    /// Sends a request and reads the response head; on a 401 with a token file, re-reads the file
    /// and retries once.
    private func open(_ request: HTTPClientRequest, verb: String, deadline: ContinuousClock.Instant) throws(KubeClientError) -> (HTTPClientConnection, HTTPResponseHead) {
        let target = request.target
        var retriedUnauthorized = false
        while true {
            let started = ContinuousClock.now
            let result = exchange(authorized(request), deadline: deadline)
            metrics.request(verb: verb, code: try? result.get().1.status, duration: .now - started)
            let (http, head) = try result.get()
            guard head.status == 401, token.isFileBacked, !retriedUnauthorized else { return (http, head) }
            http.close()
            retriedUnauthorized = true
            token.reload()
            logger.info("API server answered 401; re-read the token file and retrying once", metadata: ["target": "\(target)"])
        }
    }

    /// Sends `request` on an idle keep-alive connection, or on a new one when there is none or
    /// the server closed the idle one meanwhile (GETs are safe to send twice; so are our writes,
    /// which are all conditional on a resourceVersion).
    private func exchange(_ request: HTTPClientRequest, deadline: ContinuousClock.Instant) -> Result<(HTTPClientConnection, HTTPResponseHead), KubeClientError> {
        if let parked = unpark() {
            do throws(HTTPClientError) {
                return .success((parked, try parked.startStreaming(request, deadline: deadline)))
            } catch {
                parked.close()
            }
        }
        let http: HTTPClientConnection
        do throws(KubeClientError) {
            http = try connect(deadline: deadline)
        } catch {
            return .failure(error)
        }
        do throws(HTTPClientError) {
            return .success((http, try http.startStreaming(request, deadline: deadline)))
        } catch {
            http.close()
            return .failure(.transport("\(request.method) \(request.target): \(error)"))
        }
    }

    /// `request` with this client's User-Agent, Accept and (current) bearer token.
    private func authorized(_ request: HTTPClientRequest) -> HTTPClientRequest {
        var request = request
        request.headers.append(name: "User-Agent", value: userAgent)
        request.headers.append(name: "Accept", value: "application/json")
        if let value = token.current() { request.headers.append(name: "Authorization", value: "Bearer \(value)") }
        return request
    }

    private func connect(deadline: ContinuousClock.Instant) throws(KubeClientError) -> HTTPClientConnection {
        do throws(TLSError) {
            let stream = try TLSConnection.connect(
                host: connection.host, port: connection.port, context: context,
                serverName: connection.tlsServerName, deadline: deadline
            )
            return HTTPClientConnection(stream: stream, host: connection.hostField)
        } catch {
            throw .transport("connecting to \(connection.hostField): \(error)")
        }
    }

    private func unpark() -> HTTPClientConnection? {
        idle.withLock { $0.popLast() }?.http
    }

    private func park(_ http: HTTPClientConnection) {
        guard http.isReusable else {
            http.close()
            return
        }
        let box = IdleConnection(http)
        let kept = idle.withLock { pool -> Bool in
            guard pool.count < Self.maxIdle else { return false }
            pool.append(box)
            return true
        }
        if !kept { http.close() }
    }
}
