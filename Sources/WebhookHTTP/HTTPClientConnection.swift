public import WebhookPOSIX
public import WebhookTLS

/// A blocking HTTP/1.1 client over one stream (TLS to the API server, or plain TCP in tests).
///
/// One request at a time; the connection is reused while the server keeps it alive and each body
/// was read to its end. `send` returns whole responses; `startStreaming` returns the head and lets
/// the caller pull body bytes or lines as they arrive (a watch), each read with its own deadline.
public final class HTTPClientConnection {
    private let stream: any ByteStream
    private let host: String
    private let maxBodyBytes: Int
    private var parser: HTTPResponseParser
    private var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    private var endOfStream = false
    private var lineBuffer: [UInt8] = []
    private var inFlight = false

    /// - Parameters:
    ///   - stream: a connected stream; this connection owns and closes it.
    ///   - host: the `Host` field value (e.g. "kubernetes.default.svc:443").
    ///   - maxBodyBytes: larger bodies from `send` fail with `responseTooLarge`.
    public init(stream: any ByteStream, host: String, maxBodyBytes: Int = 64 << 20) {
        self.stream = stream
        self.host = host
        self.maxBodyBytes = maxBodyBytes
        parser = HTTPResponseParser()
    }

    deinit { stream.close() }

    /// Connects to `host:port`: over TLS with `tls` (the certificate checked against
    /// `serverName ?? host`), or plain TCP when `tls` is `nil`.
    public static func connect(
        host: String, port: Int, tls: TLSContext?, serverName: String? = nil, deadline: ContinuousClock.Instant
    ) throws(HTTPClientError) -> HTTPClientConnection {
        let hostField = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let stream: any ByteStream
        if let tls {
            do throws(TLSError) {
                stream = try TLSConnection.connect(host: host, port: port, context: tls, serverName: serverName, deadline: deadline)
            } catch {
                throw .transport(error.streamError)
            }
        } else {
            do throws(SystemError) {
                stream = try TCPConnection.connect(host: host, port: port, deadline: deadline)
            } catch {
                throw .transport(.system(error))
            }
        }
        return HTTPClientConnection(stream: stream, host: hostField)
    }

    /// Whether another request can be sent on this connection.
    public var isReusable: Bool { !inFlight && parser.keepAlive && !endOfStream }

    /// Sends `request` and reads the whole response.
    public func send(_ request: HTTPClientRequest, deadline: ContinuousClock.Instant) throws(HTTPClientError) -> HTTPClientResponse {
        let head = try startStreaming(request, deadline: deadline)
        var body: [UInt8] = []
        while let bytes = try readBody(deadline: deadline) {
            body.append(contentsOf: bytes)
            if body.count > maxBodyBytes {
                close()
                throw .responseTooLarge(limit: maxBodyBytes)
            }
        }
        return HTTPClientResponse(status: head.status, headers: head.headers, body: body)
    }

    /// Sends `request` and reads only the response head; read the body with `readBody` or
    /// `readLine` until they return `nil`.
    public func startStreaming(_ request: HTTPClientRequest, deadline: ContinuousClock.Instant) throws(HTTPClientError) -> HTTPResponseHead {
        guard isReusable else { throw .notReusable }
        inFlight = true
        lineBuffer.removeAll()
        do throws(StreamError) {
            try stream.write(serialize(request), deadline: deadline)
        } catch {
            close()
            throw .transport(error)
        }
        while true {
            do throws(HTTPClientError) {
                if let head = try parser.parseHead(requestMethod: request.method) {
                    finishIfComplete()
                    return head
                }
            } catch {
                close()
                throw error
            }
            guard try fill(deadline: deadline) else {
                close()
                throw .malformedResponse("connection closed before a response")
            }
        }
    }

    /// The next body bytes as they arrive, or `nil` at the end of the body.
    public func readBody(deadline: ContinuousClock.Instant) throws(HTTPClientError) -> [UInt8]? {
        if !lineBuffer.isEmpty {
            defer { lineBuffer.removeAll() }
            return lineBuffer
        }
        while true {
            let event: HTTPResponseParser.BodyEvent
            do throws(HTTPClientError) {
                event = try parser.nextBody(endOfStream: endOfStream)
            } catch {
                close()
                throw error
            }
            switch event {
            case let .bytes(bytes):
                finishIfComplete()
                return bytes
            case .end:
                finishIfComplete()
                return nil
            case .needMore:
                _ = try fill(deadline: deadline)
            }
        }
    }

    /// The next line of the body without its "\n" (a watch event), or `nil` at the end of the
    /// body; a last line without "\n" is returned too.
    public func readLine(deadline: ContinuousClock.Instant) throws(HTTPClientError) -> [UInt8]? {
        while true {
            if let newline = lineBuffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(lineBuffer[..<newline])
                lineBuffer.removeSubrange(...newline)
                return line
            }
            let pending = lineBuffer
            lineBuffer.removeAll()
            guard let bytes = try readBody(deadline: deadline) else {
                return pending.isEmpty ? nil : pending
            }
            lineBuffer = pending + bytes
            if lineBuffer.count > maxBodyBytes {
                close()
                throw .responseTooLarge(limit: maxBodyBytes)
            }
        }
    }

    /// Closes the connection.
    public func close() {
        endOfStream = true
        stream.close()
    }

    private func finishIfComplete() {
        if parser.bodyComplete { inFlight = false }
    }

    /// Reads more bytes into the parser; returns `false` at the end of the stream.
    private func fill(deadline: ContinuousClock.Instant) throws(HTTPClientError) -> Bool {
        guard !endOfStream else { return false }
        let read = readBuffer.withUnsafeMutableBytes { buffer in
            Result { () throws(StreamError) in try stream.read(into: buffer, deadline: deadline) }
        }
        switch read {
        case let .success(count) where count > 0:
            readBuffer.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            return true
        case .success:
            endOfStream = true
            return false
        case let .failure(error):
            close()
            throw .transport(error)
        }
    }

    private func serialize(_ request: HTTPClientRequest) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256 + request.body.count)
        output.append(contentsOf: "\(request.method) \(request.target) HTTP/1.1\r\n".utf8)
        if !request.headers.contains("Host") { output.append(contentsOf: "Host: \(host)\r\n".utf8) }
        for (name, value) in request.headers where !HTTPHeaders.equalIgnoringCase(name, "Content-Length") {
            output.append(contentsOf: "\(name): \(value)\r\n".utf8)
        }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            output.append(contentsOf: "Content-Length: \(request.body.count)\r\n".utf8)
        }
        output.append(contentsOf: "\r\n".utf8)
        output.append(contentsOf: request.body)
        return output
    }
}
