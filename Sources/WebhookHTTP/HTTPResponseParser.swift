/// The client side of HTTP/1.1 framing as a socket-free state machine: a response head, then
/// its body delimited by Content-Length, chunked coding, or the end of the stream.
///
/// Interim 1xx responses are skipped. Body bytes come out as they arrive, which is what a watch
/// stream needs; `send` simply collects them. The end of the head and chunked bodies are found by
/// the same ``HeadScanner`` and ``ChunkedBodyDecoder`` as requests, with the same limits.
struct HTTPResponseParser {
    enum BodyEvent: Equatable {
        case bytes([UInt8])
        case needMore
        case end
    }

    private enum Framing {
        case length(remaining: Int)
        case chunked(ChunkedBodyDecoder)
        case untilClose
        case done
    }

    let maxHeadBytes: Int
    private var buffer = ReceiveBuffer()
    private var headScanner: HeadScanner
    private var framing = Framing.done
    /// Whether the connection can carry another request once the body is done.
    private(set) var keepAlive = true

    init(maxHeadBytes: Int = 64 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        headScanner = HeadScanner(maxHeadBytes: maxHeadBytes)
    }

    var bufferedCount: Int { buffer.count }

    /// Whether the current body has been read to its end.
    var bodyComplete: Bool {
        if case .done = framing { return true }
        return false
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
    }

    /// Parses the next final response head, or returns `nil` when more bytes are needed.
    ///
    /// - Parameter requestMethod: "HEAD" responses have no body whatever their fields say.
    mutating func parseHead(requestMethod: String) throws(HTTPClientError) -> HTTPResponseHead? {
        while true {
            let headEnd: Int
            let bodyStart: Int
            switch headScanner.scan(buffer) {
            case .needMore: return nil
            case .tooLarge: throw .responseTooLarge(limit: maxHeadBytes)
            case let .complete(end, next): (headEnd, bodyStart) = (end, next)
            }
            let start = buffer.start
            let head = try buffer.bytes.withUnsafeBufferPointer { (all) throws(HTTPClientError) in
                try Self.parseHeadSyntax(UnsafeBufferPointer(rebasing: all[start..<headEnd]))
            }
            buffer.consume(bodyStart - start)
            if (100...199).contains(head.status), head.status != 101 { continue }
            try frame(head, requestMethod: requestMethod)
            return head
        }
    }

    /// The next body bytes; pass `endOfStream` once the peer closed.
    mutating func nextBody(endOfStream: Bool) throws(HTTPClientError) -> BodyEvent {
        switch framing {
        case .done:
            return .end
        case .untilClose:
            if bufferedCount > 0 { return .bytes(buffer.take(bufferedCount)) }
            if endOfStream { framing = .done; return .end }
            return .needMore
        case let .length(remaining):
            if bufferedCount > 0 {
                let count = min(remaining, bufferedCount)
                framing = count == remaining ? .done : .length(remaining: remaining - count)
                return .bytes(buffer.take(count))
            }
            if endOfStream { throw .malformedResponse("connection closed before the end of the body") }
            return .needMore
        case var .chunked(decoder):
            let event = decoder.next(&buffer)
            framing = .chunked(decoder)
            switch event {
            case let .data(range):
                return .bytes(Array(buffer.bytes[range]))
            case .needMore:
                if endOfStream { throw .malformedResponse("connection closed inside a chunked body") }
                return .needMore
            case .end:
                framing = .done
                return .end
            case .failure(.trailersTooLarge):
                throw .responseTooLarge(limit: maxHeadBytes)
            case let .failure(failure):
                throw .malformedResponse(failure.reason)
            }
        }
    }

    private mutating func frame(_ head: HTTPResponseHead, requestMethod: String) throws(HTTPClientError) {
        keepAlive = !head.headers.values(for: "Connection").flatMap { HeadSyntax.tokens($0) }.contains("close")
        if requestMethod == "HEAD" || head.status == 204 || head.status == 304 || (100...199).contains(head.status) {
            framing = .done
            return
        }
        let transferEncodings = head.headers.values(for: "Transfer-Encoding").flatMap { HeadSyntax.tokens($0) }
        if !transferEncodings.isEmpty {
            guard transferEncodings.last == "chunked" else {
                framing = .untilClose
                keepAlive = false
                return
            }
            // Only trailers bound a response's chunked body here: `send` limits what it collects,
            // and a watch streams for as long as it runs.
            framing = .chunked(ChunkedBodyDecoder(maxBodyBytes: .max, maxTrailerBytes: maxHeadBytes))
            return
        }
        let lengths = head.headers.values(for: "Content-Length").flatMap { $0.split(separator: ",") }.map { HeadSyntax.trimmed($0) }
        if let first = lengths.first {
            guard let length = Int(first), length >= 0, lengths.allSatisfy({ $0 == first }) else {
                throw .malformedResponse("invalid Content-Length")
            }
            framing = length == 0 ? .done : .length(remaining: length)
            return
        }
        framing = .untilClose
        keepAlive = false
    }

    private static func parseHeadSyntax(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPClientError) -> HTTPResponseHead {
        // Split on bytes: as Characters, "\r\n" is one grapheme and never equals "\n".
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        guard let statusLine = lines.first else { throw .malformedResponse("empty response head") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].utf8.count == 3, let status = Int(parts[1]), status >= 100 else {
            throw .malformedResponse("invalid status line \"\(statusLine.prefix(80))\"")
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  line[..<colon].utf8.allSatisfy(HeadSyntax.isTokenByte)
            else { throw .malformedResponse("invalid header line") }
            headers.append(name: String(line[..<colon]), value: HeadSyntax.trimmed(line[line.index(after: colon)...]))
        }
        return HTTPResponseHead(status: status, headers: headers)
    }
}
