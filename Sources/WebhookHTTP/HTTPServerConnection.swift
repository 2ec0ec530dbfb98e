import CoreMetrics
import Logging
import WebhookTLS
#if canImport(Glibc)
import Glibc
#endif

/// The loop one connection thread runs: handshake, then read, answer and write, request after
/// request, each phase under its own deadline.
///
/// Created and used on one thread (not `Sendable`); it owns the stream and closes it on return.
final class HTTPServerConnection {
    private let server: HTTPServer
    private let fd: Int32
    private var parser: HTTPRequestParser
    private var readBuffer: [UInt8]
    private var output: [UInt8] = []
    private var gzip: GzipEncoder?
    /// Request counters this connection has used, so counting takes no shared lock.
    private var statusCounters: [Int: Counter] = [:]

    init(server: HTTPServer, fd: Int32) {
        self.server = server
        self.fd = fd
        parser = HTTPRequestParser(limits: .init(
            maxHeaderBytes: server.configuration.maxHeaderBytes, maxBodyBytes: server.configuration.maxBodyBytes))
        readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    }

    func run() {
        let configuration = server.configuration
        let stream: any ByteStream
        if let tls = configuration.tls {
            do throws(TLSError) {
                let connection = try TLSConnection(acceptedFD: fd, context: tls.load())
                try connection.handshake(deadline: .now + configuration.handshakeTimeout, wakeFD: server.shutdownSignal.readFD)
                stream = connection
            } catch {
                if error != .interrupted {
                    server.metrics.handshakeFailed()
                    server.logger.debug("TLS handshake failed", metadata: ["error": "\(error)"])
                }
                return
            }
        } else {
            stream = TCPConnection(adopting: fd)
        }
        defer { stream.close() }
        serve(stream, firstDeadline: .now + configuration.headerTimeout)
    }

    /// Answers requests until the client closes, a limit or timeout ends the connection, or
    /// shutdown finds it idle.
    private func serve(_ stream: any ByteStream, firstDeadline: ContinuousClock.Instant) {
        let configuration = server.configuration
        var phase = HTTPRequestParser.Phase.idle
        var deadline = firstDeadline
        while true {
            switch parser.next() {
            case .needMore:
                let isIdle = parser.phase == .idle
                var waitsForShutdown = isIdle
                if isIdle, server.isShuttingDown {
                    guard Self.hasInputWaiting(stream) else { return }  // idle at shutdown: close
                    waitsForShutdown = false  // a request was already sent: read and answer it
                }
                let read = readBuffer.withUnsafeMutableBytes { buffer in
                    Result { () throws(TLSError) in
                        if waitsForShutdown {
                            try stream.waitUntilReadable(deadline: deadline, wakeFD: server.shutdownSignal.readFD)
                        }
                        return try stream.read(into: buffer, deadline: deadline, wakeFD: nil)
                    }
                }
                let count: Int
                switch read {
                case let .success(n) where n > 0:
                    count = n
                case .failure(.interrupted) where isIdle:
                    continue  // shutdown began: the check above closes the connection unless a request is waiting
                case .failure(.timedOut) where !isIdle:
                    respond(.text(408, "request timeout"), on: stream, headOnly: false, close: true, lingering: true)
                    return
                default:
                    return  // end of stream, peer gone, idle timeout, or shutdown while idle
                }
                readBuffer.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                let newPhase = parser.phase
                if newPhase != phase {
                    phase = newPhase
                    deadline = .now + (newPhase == .body ? configuration.bodyTimeout : configuration.headerTimeout)
                }
            case .sendContinue:
                do {
                    try stream.write(HTTPResponseWriter.continueResponse, deadline: .now + configuration.writeTimeout)
                } catch {
                    return
                }
            case let .failure(status, reason):
                respond(.text(status, reason), on: stream, headOnly: false, close: true, lingering: true)
                return
            case let .request(request, keepAlive, announceKeepAlive):
                var response = server.handler.handle(request)
                compressIfWanted(&response, request: request)
                let close = !keepAlive || server.isShuttingDown
                guard respond(response, on: stream, headOnly: request.method == "HEAD", close: close, announceKeepAlive: announceKeepAlive,
                              lingering: false), !close
                else {
                    return
                }
                phase = parser.phase
                deadline = .now + (phase == .idle ? configuration.idleTimeout : configuration.headerTimeout)
            }
        }
    }

    /// Writes one response in a single write; returns whether it was written.
    @discardableResult
    private func respond(
        _ response: HTTPResponse, on stream: any ByteStream, headOnly: Bool, close: Bool, announceKeepAlive: Bool = false, lingering: Bool
    ) -> Bool {
        output.removeAll(keepingCapacity: true)
        HTTPResponseWriter.write(response, headOnly: headOnly, close: close, announceKeepAlive: announceKeepAlive, into: &output)
        if let counter = statusCounters[response.status] {
            counter.increment()
        } else {
            let counter = server.metrics.requestCounter(status: response.status)
            statusCounters[response.status] = counter
            counter.increment()
        }
        do {
            try stream.write(output, deadline: .now + server.configuration.writeTimeout)
        } catch {
            return false
        }
        if output.capacity > 64 * 1024 { output = [] }  // do not pin a big response while idle
        if lingering { stream.closeAfterDraining(deadline: .now + .seconds(2)) }
        return true
    }

    /// gzip-encodes a large enough body when the client accepts it (and marks it `Vary`).
    private func compressIfWanted(_ response: inout HTTPResponse, request: HTTPRequest) {
        guard response.body.count >= server.configuration.gzipMinimumBytes,
              !response.headers.contains(where: { HTTPHeaders.equalIgnoringCase($0.0, "Content-Encoding") })
        else { return }
        response.headers.append(("Vary", "Accept-Encoding"))
        guard let accepted = request.headers["Accept-Encoding"], GzipEncoder.accepts(accepted) else { return }
        if gzip == nil { gzip = GzipEncoder() }
        guard let compressed = gzip?.compress(response.body) else { return }
        response.body = compressed
        response.headers.append(("Content-Encoding", "gzip"))
    }

    /// Whether bytes are waiting: inside the stream (decrypted TLS) or in the socket.
    private static func hasInputWaiting(_ stream: any ByteStream) -> Bool {
        if stream.hasBufferedInput { return true }
        do {
            try stream.waitUntilReadable(deadline: .now, wakeFD: nil)
            return true
        } catch {
            return false
        }
    }
}
