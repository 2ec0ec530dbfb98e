/// The client side of HTTP/1.1 framing as a socket-free state machine: a response head, then
/// its body delimited by Content-Length, chunked coding, or the end of the stream.
///
/// Interim 1xx responses are skipped. Body bytes come out as they arrive, which is what a watch
/// stream needs; `send` simply collects them.
struct HTTPResponseParser {
    enum BodyEvent: Equatable {
        case bytes([UInt8])
        case needMore
        case end
    }

    private enum Framing {
        case length(remaining: Int)
        case chunked(ChunkStep)
        case untilClose
        case done
    }

    private enum ChunkStep {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers
    }

    let maxHeadBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var framing = Framing.done
    /// Whether the connection can carry another request once the body is done.
    private(set) var keepAlive = true

    init(maxHeadBytes: Int = 64 * 1024) {
        self.maxHeadBytes = maxHeadBytes
    }

    var bufferedCount: Int { buffer.count - start }

    /// Whether the current body has been read to its end.
    var bodyComplete: Bool {
        if case .done = framing { return true }
        return false
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 64 * 1024 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Parses the next final response head, or returns `nil` when more bytes are needed.
    ///
    /// - Parameter requestMethod: "HEAD" responses have no body whatever their fields say.
    mutating func parseHead(requestMethod: String) throws(HTTPClientError) -> HTTPResponseHead? {
        while true {
            guard let end = headEnd() else {
                if bufferedCount > maxHeadBytes { throw .responseTooLarge(limit: maxHeadBytes) }
                return nil
            }
            let head = try buffer.withUnsafeBufferPointer { (all) throws(HTTPClientError) in
                try Self.parseHeadSyntax(UnsafeBufferPointer(rebasing: all[start..<end.headEnd]))
            }
            start = end.bodyStart
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
            if bufferedCount > 0 { return .bytes(take(bufferedCount)) }
            if endOfStream { framing = .done; return .end }
            return .needMore
        case let .length(remaining):
            if bufferedCount > 0 {
                let count = min(remaining, bufferedCount)
                framing = count == remaining ? .done : .length(remaining: remaining - count)
                return .bytes(take(count))
            }
            if endOfStream { throw .malformedResponse("connection closed before the end of the body") }
            return .needMore
        case let .chunked(step):
            let event = try nextChunk(step)
            if event == .needMore, endOfStream { throw .malformedResponse("connection closed inside a chunked body") }
            return event
        }
    }

    private mutating func take(_ count: Int) -> [UInt8] {
        defer { start += count }
        return Array(buffer[start..<start + count])
    }

    private mutating func nextChunk(_ initial: ChunkStep) throws(HTTPClientError) -> BodyEvent {
        var step = initial
        while true {
            switch step {
            case .size:
                guard let line = lineEnd() else {
                    if bufferedCount > 4096 { throw .malformedResponse("chunk size line too long") }
                    framing = .chunked(step)
                    return .needMore
                }
                guard let size = Self.chunkSize(buffer[start..<line.contentEnd]) else { throw .malformedResponse("invalid chunk size") }
                start = line.next
                step = size == 0 ? .trailers : .data(remaining: size)
            case let .data(remaining):
                guard bufferedCount > 0 else {
                    framing = .chunked(step)
                    return .needMore
                }
                let count = min(remaining, bufferedCount)
                framing = .chunked(count == remaining ? .dataEnd : .data(remaining: remaining - count))
                return .bytes(take(count))
            case .dataEnd:
                guard bufferedCount >= 2 else {
                    framing = .chunked(step)
                    return .needMore
                }
                guard buffer[start] == UInt8(ascii: "\r"), buffer[start + 1] == UInt8(ascii: "\n") else {
                    throw .malformedResponse("chunk data not followed by CRLF")
                }
                start += 2
                step = .size
            case .trailers:
                guard let line = lineEnd() else {
                    if bufferedCount > maxHeadBytes { throw .responseTooLarge(limit: maxHeadBytes) }
                    framing = .chunked(step)
                    return .needMore
                }
                let isEmpty = line.contentEnd == start
                start = line.next
                if isEmpty {
                    framing = .done
                    return .end
                }
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
            framing = .chunked(.size)
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

    private func headEnd() -> (headEnd: Int, bodyStart: Int)? {
        var index = start
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                if index + 1 < buffer.count, buffer[index + 1] == UInt8(ascii: "\n") { return (index + 1, index + 2) }
                if index + 2 < buffer.count, buffer[index + 1] == UInt8(ascii: "\r"), buffer[index + 2] == UInt8(ascii: "\n") {
                    return (index + 1, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    private func lineEnd() -> (contentEnd: Int, next: Int)? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let contentEnd = newline > start && buffer[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
        return (contentEnd, newline + 1)
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

    private static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let text = String(decoding: line, as: UTF8.self)
        let sizeText = HeadSyntax.trimmed(text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0])
        guard !sizeText.isEmpty, sizeText.utf8.count <= 15, sizeText.allSatisfy(\.isHexDigit) else { return nil }
        return Int(sizeText, radix: 16)
    }
}
