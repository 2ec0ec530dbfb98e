public import WebhookTLS

/// Where and how an `HTTPServer` listens, and the limits that keep bad clients cheap.
///
/// Defaults follow the webhook's needs: AdmissionReviews are at most a few MiB, the API server's
/// Go transport drops idle connections after 90 s, and one slow client must never hold a thread
/// for long.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: an IP literal, a host name, or "" / "0.0.0.0" / "::" for any.
    public var host: String
    /// Port to bind; 0 lets the system choose (`HTTPServer.start()` returns it).
    public var port: Int
    /// TLS contexts to accept with; `nil` serves plain HTTP (health and metrics listeners).
    public var tls: CurrentTLSContext?
    /// Name of the listener in metric dimensions, e.g. "webhook", "health", "metrics".
    public var name: String
    /// Request line plus header fields; beyond it: 431.
    public var maxHeaderBytes: Int = 16 * 1024
    /// Request body after transfer decoding; beyond it: 413.
    public var maxBodyBytes: Int = 3 * 1024 * 1024
    public var handshakeTimeout: Duration = .seconds(10)
    /// From the first byte of a request (or the connection start) to the end of its head.
    public var headerTimeout: Duration = .seconds(10)
    /// From the first bytes of the body to its end (until they arrive, the head's deadline runs on).
    public var bodyTimeout: Duration = .seconds(10)
    /// For writing one response.
    public var writeTimeout: Duration = .seconds(10)
    /// Keep-alive wait between requests; longer than the API server's 90 s so the client closes first.
    public var idleTimeout: Duration = .seconds(120)
    /// Open connections at most; more are accepted and closed at once.
    public var maxConnections: Int = 1024
    /// Stack of each connection thread, which also runs the handler: raise it if the handler
    /// recurses deeply (only touched pages cost memory).
    public var connectionStackBytes: Int = 256 * 1024
    /// Bodies at least this long are gzip-compressed for clients that accept gzip.
    ///
    /// 64 KiB, above any normal admission answer, because compressing one costs more than it
    /// saves (issue 17, `bench/run`): kube-apiserver's client always asks for gzip; on the
    /// ~3.6 KB answer to Tests/Fixtures/admission/deployment-pod-review.json, level-1 gzip saves
    /// ~2.3 KB on a cluster network but took our CPU per admission at 1,000/s from 103 to 163 µs
    /// and the median from 1.2 to 2.3 ms (one run, shared 2-core machine) -- under the chart's
    /// 100m CPU limit that CPU is the scarce resource. Upstream's Go server does not compress
    /// either. Lower it where bandwidth, not CPU, is short.
    public var gzipMinimumBytes: Int = 64 * 1024

    public init(host: String, port: Int, tls: CurrentTLSContext?, name: String = "webhook") {
        self.host = host
        self.port = port
        self.tls = tls
        self.name = name
    }
}
