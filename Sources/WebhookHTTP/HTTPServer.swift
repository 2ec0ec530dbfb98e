public import CoreMetrics
public import Logging
public import WebhookPOSIX
import WebhookTLS
import CShims
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server (HTTPS when configured with TLS) on threads it owns.
///
/// One acceptor thread hands each connection to its own pthread (256 KiB stack) that runs the
/// handshake, then request after request. Blocking stays off the Swift cooperative pool, a slow
/// client only ever holds its own thread, and each response is a single write. A thread whose
/// connection has closed waits in ``ParkedThreads`` to serve the next one, so a new connection
/// usually does not pay for a new thread.
public final class HTTPServer: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let logger: Logger
    let metrics: ServerMetrics
    /// Signalled by `beginShutdown()`: the acceptor and idle connections wake and leave.
    let shutdownSignal: WakePipe
    /// Signalled once the acceptor has exited and the last connection closed.
    private let stoppedSignal: WakePipe
    private let shuttingDown = Atomic<Bool>(false)
    private let acceptorDone = Atomic<Bool>(false)
    /// Connection threads alive, serving or parked; the server has stopped when none is left.
    private let liveThreads = Atomic<Int>(0)
    private let parkedThreads: ParkedThreads
    private let started = Atomic<Bool>(false)
    /// The listening socket while it is open; -1 before `start()` and once closed.
    private let listenFD = Locked<Int32>(-1)

    /// - Parameters:
    ///   - metricsFactory: where the server's metrics go (`azwi_http_open_connections`,
    ///     `azwi_tls_handshake_failures_total` (TLS listeners only), `azwi_http_rejected_connections_total`,
    ///     `azwi_http_requests_total{code}`, each with a `listener` dimension; help texts in
    ///     ``HTTPServer/metricHelp``); by default the backend the executable bootstrapped.
    public init(
        configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws(SystemError) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        metrics = ServerMetrics(listener: configuration.name, tls: configuration.tls != nil, factory: metricsFactory)
        shutdownSignal = try WakePipe()
        stoppedSignal = try WakePipe()
        parkedThreads = ParkedThreads(capacity: min(Self.maxParkedThreads, configuration.maxConnections), idleLifetime: .seconds(30))
    }

    /// The help text of each metric the server reports, by name, for a backend that exports it.
    public static var metricHelp: [String: String] { ServerMetrics.help }

    /// At most this many idle connection threads wait for the next connection: about a burst of
    /// kube-apiserver's connections, each costing its touched stack pages while parked.
    static let maxParkedThreads = 64

    /// Binds and listens, starts the acceptor thread, and returns the bound port.
    ///
    /// - Throws: `SystemError.failed` naming the address when it cannot be bound (e.g. in use).
    @discardableResult
    public func start() throws(SystemError) -> Int {
        guard !started.exchange(true, ordering: .sequentiallyConsistent) else {
            throw .invalidArgument("HTTPServer.start() called twice")
        }
        let listener: Listener
        do throws(SystemError) {
            listener = try Listener.open(host: configuration.host, port: configuration.port)
        } catch {
            started.store(false, ordering: .sequentiallyConsistent)
            throw error
        }
        listenFD.withLock { $0 = listener.fd }
        try OwnedThread.start { [self] in
            acceptLoop(listenFD: listener.fd)
            listenFD.withLock { fd in
                Glibc.close(fd)
                fd = -1
            }
            acceptorDone.store(true, ordering: .sequentiallyConsistent)
            if liveThreads.load(ordering: .sequentiallyConsistent) == 0 { stoppedSignal.signal() }
        }
        logger.info("listening", metadata: ["listener": "\(configuration.name)", "port": "\(listener.port)", "tls": "\(configuration.tls != nil)"])
        return listener.port
    }

    /// Stops accepting and closes the listener; idle connections close, requests in flight finish
    /// and their responses carry `Connection: close`.
    public func beginShutdown() {
        guard !shuttingDown.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // Refuse new connections now, not when the acceptor thread next runs.
        listenFD.withLock { fd in
            if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
        shutdownSignal.signal()
        parkedThreads.close()
        if !started.load(ordering: .sequentiallyConsistent) { stoppedSignal.signal() }
    }

    /// Whether `beginShutdown()` was called.
    public var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// Connections currently open.
    public var openConnections: Int { metrics.open }

    /// Blocks until every connection has closed and its thread ended after `beginShutdown()`, or
    /// `timeout` passes.
    ///
    /// - Returns: `true` if the server stopped in time.
    public func waitUntilStopped(timeout: Duration) -> Bool {
        stoppedSignal.wait(until: ContinuousClock.now + timeout)
    }

    private func acceptLoop(listenFD: Int32) {
        var fds = (pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: shutdownSignal.readFD, events: Int16(POLLIN), revents: 0))
        while true {
            let ready = withUnsafeMutableBytes(of: &fds) { raw in
                poll(raw.baseAddress!.assumingMemoryBound(to: pollfd.self), 2, -1)
            }
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("poll on the listener failed", metadata: ["errno": "\(errno)"])
                return
            }
            if fds.1.revents != 0 { return }
            let fd = CShims_accept4(listenFD, TCPConnection.socketFlags)
            if fd < 0 {
                switch errno {
                case EINTR, EAGAIN, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.warning("accept: out of resources, pausing", metadata: ["errno": "\(errno)"])
                    if shutdownSignal.wait(until: .now + .milliseconds(100)) { return }
                    continue
                default:
                    if !isShuttingDown { logger.error("accept failed", metadata: ["errno": "\(errno)"]) }
                    return
                }
            }
            guard metrics.admitConnection(limit: configuration.maxConnections) else {
                Glibc.close(fd)
                continue
            }
            if parkedThreads.handOver(fd) { continue }
            liveThreads.add(1, ordering: .sequentiallyConsistent)
            do {
                try OwnedThread.start(stackSize: configuration.connectionStackBytes) { [self] in
                    var connection = fd
                    while true {
                        HTTPServerConnection(server: self, fd: connection).run()
                        metrics.connectionClosed()
                        guard let next = parkedThreads.next() else { break }
                        connection = next
                    }
                    OpenSSLThreadState.release()
                    threadEnded()
                }
            } catch {
                logger.warning("cannot start a connection thread", metadata: ["error": "\(error)"])
                Glibc.close(fd)
                metrics.connectionClosed()
                threadEnded()
            }
        }
    }

    private func threadEnded() {
        let remaining = liveThreads.subtract(1, ordering: .sequentiallyConsistent).newValue
        if remaining == 0, acceptorDone.load(ordering: .sequentiallyConsistent) { stoppedSignal.signal() }
    }
}
