#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection: owns one non-blocking socket descriptor and closes it exactly once.
///
/// It carries the plain-HTTP listeners (health, metrics) and the transport under `TLSConnection`;
/// every wait is a `poll` with a deadline, so a silent peer can never hang a thread.
public final class TCPConnection: ByteStream {
    /// The socket; -1 once closed.
    public private(set) var fd: Int32

    /// The flags a socket must be opened with (`accept4`, `socket`) before it is adopted: set at
    /// creation, they cost no `fcntl` calls per connection.
    public static let socketFlags = Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)

    /// Adopts an accepted or connected socket opened with ``socketFlags`` (non-blocking, so that
    /// every wait has a deadline, and close-on-exec), and turns on `TCP_NODELAY` (responses go
    /// out in one write, Nagle would only delay them).
    public init(adopting fd: Int32) {
        assert(fcntl(fd, F_GETFL) & O_NONBLOCK != 0, "TCPConnection adopts only non-blocking sockets")
        Self.ignoreBrokenPipes
        self.fd = fd
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close() }

    /// OpenSSL writes to sockets with plain `write`, and Linux has no `SO_NOSIGPIPE`: without this,
    /// a peer that vanishes mid-write would kill the process with SIGPIPE instead of an `EPIPE`.
    private static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Opens a TCP connection to `host:port` (a name or an IP literal), trying each resolved
    /// address until one connects before `deadline`.
    public static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws(SystemError) -> TCPConnection {
        guard (1...65535).contains(port) else { throw .invalidArgument("port \(port) is out of range") }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(HostName.unbracketed(host), String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .failed(operation: "getaddrinfo(\(host))", errno: rc, message: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }
        var lastError = SystemError.failed(operation: "connect(\(host):\(port))", errno: ECONNREFUSED, message: "no address")
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | socketFlags, 0)
            if fd < 0 { lastError = .failed("socket"); continue }
            let connection = TCPConnection(adopting: fd)
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return connection }
            guard errno == EINPROGRESS else { lastError = .failed("connect(\(host):\(port))"); continue }
            do {
                try SocketWait.wait(fd: fd, events: Int16(POLLOUT), deadline: deadline, wakeFD: nil, operation: "connect(\(host):\(port))")
            } catch {
                lastError = error
                continue
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError == 0 { return connection }
            lastError = .failed("connect(\(host):\(port))", errno: soError)
        }
        throw lastError
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant, wakeFD: Int32?) throws(StreamError) -> Int {
        while true {
            guard fd >= 0 else { throw .system(.closed) }
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                do throws(SystemError) {
                    try SocketWait.wait(fd: fd, events: Int16(POLLIN), deadline: deadline, wakeFD: wakeFD, operation: "read")
                } catch {
                    throw .system(error)
                }
            case ECONNRESET: throw .system(.closed)
            default: throw .system(.failed("read"))
            }
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(StreamError) {
        var offset = 0
        while offset < bytes.count {
            guard fd >= 0 else { throw .system(.closed) }
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 { offset += n; continue }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                do throws(SystemError) {
                    try SocketWait.wait(fd: fd, events: Int16(POLLOUT), deadline: deadline, wakeFD: nil, operation: "write")
                } catch {
                    throw .system(error)
                }
            case EPIPE, ECONNRESET: throw .system(.closed)
            default: throw .system(.failed("write"))
            }
        }
    }

    public func waitUntilReadable(deadline: ContinuousClock.Instant, wakeFD: Int32?) throws(StreamError) {
        guard fd >= 0 else { throw .system(.closed) }
        do throws(SystemError) {
            try SocketWait.wait(fd: fd, events: Int16(POLLIN), deadline: deadline, wakeFD: wakeFD, operation: "read")
        } catch {
            throw .system(error)
        }
    }

    public var hasBufferedInput: Bool { false }

    public func closeAfterDraining(deadline: ContinuousClock.Instant) {
        let limit = 1 << 20
        guard fd >= 0 else { return }
        _ = shutdown(fd, Int32(SHUT_WR))
        var discarded = 0
        withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 1) { scratch in
            while discarded < limit {
                guard let n = try? read(into: scratch, deadline: deadline), n > 0 else { break }
                discarded += n
            }
        }
        close()
    }

    public func close() {
        guard fd >= 0 else { return }
        _ = Glibc.close(fd)
        fd = -1
    }
}
