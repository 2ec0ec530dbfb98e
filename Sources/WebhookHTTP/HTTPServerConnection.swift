import CoreMetrics
import Logging
import WebhookTLS
#if canImport(Glibc)
import Glibc
#endif

/// The loop one connection thread runs: handshake, then read, answer and write, request after
/// request, each phase under its own deadline.
///
/// The loop only does I/O: what to do next and how long to wait are decided by its
/// ``StateMachine``. Created and used on one thread (not `Sendable`); it owns the stream and
/// closes it on return.
final class HTTPServerConnection {
    private let server: HTTPServer
    private let fd: Int32
    private var machine: StateMachine
    private var readBuffer: [UInt8]
    private var output: [UInt8] = []
    private var gzip: GzipEncoder?
    /// Request counters this connection has used, so counting takes no shared lock.
    private var statusCounters: [Int: Counter] = [:]

    init(server: HTTPServer, fd: Int32) {
        self.server = server
        self.fd = fd
        machine = StateMachine(configuration: server.configuration)
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
        serve(stream)
    }

    /// Does what the state machine decides until it closes the connection: the client closed,
    /// a limit or timeout ended it, or shutdown found it idle.
    private func serve(_ stream: any ByteStream) {
        // The machine counts time from here (see `StateMachine` on why not in instants).
        let origin = ContinuousClock.now
        func now() -> StateMachine.Time { origin.duration(to: .now) }
        var action = machine.handle(.connected, now: .zero, shuttingDown: server.isShuttingDown)
        while true {
            let event: StateMachine.Event
            switch action {
            case let .read(deadline, wakeOnShutdown):
                let deadline = origin + deadline
                let read = readBuffer.withUnsafeMutableBytes { buffer in
                    Result { () throws(TLSError) in
                        if wakeOnShutdown {
                            try stream.waitUntilReadable(deadline: deadline, wakeFD: server.shutdownSignal.readFD)
                        }
                        return try stream.read(into: buffer, deadline: deadline, wakeFD: nil)
                    }
                }
                switch read {
                case let .success(count) where count > 0:
                    action = readBuffer.withUnsafeBytes { bytes in
                        machine.handle(.received(UnsafeRawBufferPointer(rebasing: bytes[0..<count])), now: now(),
                                       shuttingDown: server.isShuttingDown)
                    }
                    continue
                case .success: event = .readEnded(.endOfStream)
                case .failure(.interrupted): event = .readEnded(.interrupted)
                case .failure(.timedOut): event = .readEnded(.timedOut)
                case .failure: event = .readEnded(.failed)
                }
            case .closeUnlessInputWaiting:
                guard Self.hasInputWaiting(stream) else { return }
                event = .inputWaiting
            case .sendContinue:
                do {
                    try stream.write(HTTPResponseWriter.continueResponse, deadline: origin + machine.writeDeadline(now: now()))
                } catch {
                    return
                }
                event = .continueSent
            case let .respond(request, announceKeepAlive):
                var response = server.handler.handle(request)
                compressIfWanted(&response, request: request)
                let close = machine.closesAfterResponse(shuttingDown: server.isShuttingDown)
                guard respond(response, on: stream, headOnly: request.method == "HEAD", close: close, announceKeepAlive: announceKeepAlive,
                              deadline: origin + machine.writeDeadline(now: now()))
                else { return }
                event = .responseWritten
            case let .refuse(status, reason):
                guard respond(.text(status, reason), on: stream, headOnly: false, close: true,
                              deadline: origin + machine.writeDeadline(now: now()))
                else { return }
                stream.closeAfterDraining(deadline: origin + machine.lingerDeadline(now: now()))
                return
            case .close:
                return
            }
            action = machine.handle(event, now: now(), shuttingDown: server.isShuttingDown)
        }
    }

    /// Writes one response in a single write; returns whether it was written.
    private func respond(
        _ response: HTTPResponse, on stream: any ByteStream, headOnly: Bool, close: Bool, announceKeepAlive: Bool = false,
        deadline: ContinuousClock.Instant
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
            try stream.write(output, deadline: deadline)
        } catch {
            return false
        }
        if output.capacity > 64 * 1024 { output = [] }  // do not pin a big response while idle
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
