internal import COpenSSL
internal import CShims
public import WebhookPOSIX
#if canImport(Glibc)
import Glibc
#endif

/// One TLS connection: owns the `SSL` object and its TCP socket, used by one thread.
///
/// The socket is non-blocking; every OpenSSL call is driven until it stops asking for readiness
/// (either direction, whatever the call) or its deadline passes. Not `Sendable` on purpose: the
/// compiler keeps each connection on the thread that made it.
public final class TLSConnection: ByteStream {
    private let ssl: OpaquePointer
    private let socket: TCPConnection

    /// Wraps an accepted socket for the server side; call `handshake(deadline:wakeFD:)` next.
    ///
    /// - Parameters:
    ///   - fd: the accepted socket, opened with `TCPConnection.socketFlags`; this connection owns it
    ///     from now on, even when this throws.
    ///   - context: a server context (the current one at accept time).
    public convenience init(acceptedFD fd: Int32, context: TLSContext) throws(TLSError) {
        try self.init(socket: TCPConnection(adopting: fd), context: context)
        SSL_set_accept_state(ssl)
    }

    private init(socket: TCPConnection, context: TLSContext) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.raw) else { throw .openssl("SSL_new") }
        self.ssl = ssl
        self.socket = socket
        guard SSL_set_fd(ssl, socket.fd) == 1 else { throw .openssl("SSL_set_fd") }
    }

    deinit {
        close()
        SSL_free(ssl)
    }

    /// Connects to `host:port` over TCP, then completes a client handshake.
    ///
    /// The server certificate is checked against `serverName ?? host`: a DNS name is sent as SNI
    /// and matched against the certificate's DNS names; an IP literal is matched against its IP
    /// addresses and no SNI is sent (RFC 6066).
    /// - Throws: `TLSError` for the TCP connect, the deadline, or a refused certificate.
    public static func connect(
        host: String, port: Int, context: TLSContext, serverName: String? = nil, deadline: ContinuousClock.Instant
    ) throws(TLSError) -> TLSConnection {
        guard !context.isServer else { throw .invalidConfiguration("TLSConnection.connect needs a client context") }
        let socket: TCPConnection
        do throws(SystemError) {
            socket = try TCPConnection.connect(host: host, port: port, deadline: deadline)
        } catch {
            throw .system(error)
        }
        let connection = try TLSConnection(socket: socket, context: context)
        try connection.verifyPeer(as: HostName.unbracketed(serverName ?? host))
        SSL_set_connect_state(connection.ssl)
        do throws(TLSError) {
            try connection.handshake(deadline: deadline)
        } catch {
            let verification = SSL_get_verify_result(connection.ssl)
            guard verification != X509_V_OK else { throw error }
            // Say why the certificate was refused ("hostname mismatch", "unable to get local issuer certificate").
            let reason = String(cString: X509_verify_cert_error_string(verification))
            throw .openssl(operation: "TLS handshake with \(host):\(port)", message: "certificate verify failed: \(reason)")
        }
        return connection
    }

    /// Sets the name or address the peer certificate must carry.
    private func verifyPeer(as name: String) throws(TLSError) {
        let parameters = SSL_get0_param(ssl)
        if Self.isIPLiteral(name) {
            guard X509_VERIFY_PARAM_set1_ip_asc(parameters, name) == 1 else { throw .openssl("X509_VERIFY_PARAM_set1_ip_asc") }
        } else {
            guard CShims_SSL_set_tlsext_host_name(ssl, name) == 1 else { throw .openssl("SSL_set_tlsext_host_name") }
            X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard SSL_set1_host(ssl, name) == 1 else { throw .openssl("SSL_set1_host") }
        }
    }

    /// Whether `name` is an IPv4 or IPv6 address literal.
    static func isIPLiteral(_ name: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, name, &buffer) == 1 || inet_pton(AF_INET6, name, &buffer) == 1
    }

    /// Completes the TLS handshake (server or client side) before `deadline`.
    public func handshake(deadline: ContinuousClock.Instant, wakeFD: Int32? = nil) throws(TLSError) {
        try drive("SSL_do_handshake", deadline: deadline, wakeFD: wakeFD) { SSL_do_handshake(ssl) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant, wakeFD: Int32?) throws(StreamError) -> Int {
        var count = 0
        do throws(TLSError) {
            try drive("SSL_read_ex", deadline: deadline, wakeFD: wakeFD) { SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count) }
        } catch .system(.closed) {
            return 0
        } catch {
            throw error.streamError
        }
        return count
    }

    public func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(StreamError) {
        var offset = 0
        while offset < bytes.count {
            var written = 0
            do throws(TLSError) {
                try drive("SSL_write_ex", deadline: deadline, wakeFD: nil) {
                    SSL_write_ex(ssl, bytes.baseAddress! + offset, bytes.count - offset, &written)
                }
            } catch {
                throw error.streamError
            }
            offset += written
        }
    }

    public func waitUntilReadable(deadline: ContinuousClock.Instant, wakeFD: Int32?) throws(StreamError) {
        if hasBufferedInput { return }
        try socket.waitUntilReadable(deadline: deadline, wakeFD: wakeFD)
    }

    public var hasBufferedInput: Bool { SSL_has_pending(ssl) == 1 }

    /// The protocol ALPN agreed on ("http/1.1"), or `nil`.
    public var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated protocol version, such as "TLSv1.3".
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The PEM text of the certificate the peer presented, if any.
    public func peerCertificatePEM() -> [UInt8]? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        return try? PEM.encode(certificate: certificate)
    }

    public func closeAfterDraining(deadline: ContinuousClock.Instant) {
        guard socket.fd >= 0 else { return }
        sendCloseNotify()
        socket.closeAfterDraining(deadline: deadline)
    }

    /// Sends close_notify (one non-blocking attempt) and closes the socket.
    public func close() {
        guard socket.fd >= 0 else { return }
        sendCloseNotify()
        socket.close()
    }

    private func sendCloseNotify() {
        if SSL_is_init_finished(ssl) == 1 {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
        }
        ERR_clear_error()
    }

    /// Runs one OpenSSL call until it succeeds, waiting for whichever direction it asks for.
    private func drive(_ name: String, deadline: ContinuousClock.Instant, wakeFD: Int32?, _ body: () -> Int32) throws(TLSError) {
        while true {
            guard socket.fd >= 0 else { throw .system(.closed) }
            ERR_clear_error()  // the queue is per thread and sticky
            let rc = body()
            if rc > 0 { return }
            let code = SSL_get_error(ssl, rc)
            switch code {
            case SSL_ERROR_WANT_READ:
                try wait(for: Int16(POLLIN), deadline: deadline, wakeFD: wakeFD, operation: name)
            case SSL_ERROR_WANT_WRITE:
                try wait(for: Int16(POLLOUT), deadline: deadline, wakeFD: wakeFD, operation: name)
            case SSL_ERROR_ZERO_RETURN:
                throw .system(.closed)
            case SSL_ERROR_SYSCALL:
                let saved = errno
                if ERR_peek_error() == 0, saved == 0 || saved == ECONNRESET || saved == EPIPE { throw .system(.closed) }
                throw ERR_peek_error() != 0 ? .openssl(name) : .system(.failed(name, errno: saved))
            default:
                throw .openssl(name, detail: "SSL_get_error \(code)")
            }
        }
    }

    /// Waits for the socket to report `events`, the deadline or the wake descriptor.
    private func wait(for events: Int16, deadline: ContinuousClock.Instant, wakeFD: Int32?, operation: String) throws(TLSError) {
        do throws(SystemError) {
            try SocketWait.wait(fd: socket.fd, events: events, deadline: deadline, wakeFD: wakeFD, operation: operation)
        } catch {
            throw .system(error)
        }
    }
}
