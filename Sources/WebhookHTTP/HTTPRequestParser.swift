/// The server side of HTTP/1.1 framing as a socket-free state machine.
///
/// The connection loop appends bytes as they arrive and asks `next()` what to do. Framing is
/// strict where leniency would allow request smuggling: one unambiguous Content-Length, or
/// Transfer-Encoding exactly `chunked`, never both; any doubt is a 400 and the connection closes.
/// Pipelined requests stay in the buffer and come out one per `next()`, in order.
struct HTTPRequestParser {
    struct Limits {
        var maxHeaderBytes: Int
        var maxBodyBytes: Int
    }

    /// What the connection should do next.
    enum Event {
        /// More bytes are needed.
        case needMore
        /// The client waits for `100 Continue` before sending the body: send it, then read on.
        case sendContinue
        /// A complete request; `keepAlive` is false when the client asked to close, and
        /// `announceKeepAlive` is true for an HTTP/1.0 client that asked to keep the connection
        /// (the response must say `Connection: keep-alive`).
        case request(HTTPRequest, keepAlive: Bool, announceKeepAlive: Bool)
        /// The request is refused with `status`; answer and close (the framing is lost).
        case failure(status: Int, reason: String)
    }

    /// Which timeout applies now.
    enum Phase: Equatable {
        /// Between requests, nothing buffered.
        case idle
        /// Reading a request line and header fields.
        case head
        /// Reading a body.
        case body
    }

    private struct Head {
        var method: String
        var target: String
        var headers: HTTPHeaders
        var keepAlive: Bool
        var isHTTP11: Bool
    }

    private enum ChunkStep {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    private enum State {
        case head
        case fixedBody(Head, length: Int)
        case chunkedBody(Head, ChunkStep, body: [UInt8])
        case failed(status: Int, reason: String)
    }

    let limits: Limits
    private var buffer: [UInt8] = []
    /// Index of the first unconsumed byte in `buffer`.
    private var start = 0
    /// How far the search for the end of the head has already looked.
    private var scanned = 0
    private var state = State.head
    private var continuePending = false

    init(limits: Limits) {
        self.limits = limits
        buffer.reserveCapacity(4096)
    }

    /// Bytes received but not yet consumed.
    var bufferedCount: Int { buffer.count - start }

    var phase: Phase {
        switch state {
        case .head: bufferedCount == 0 ? .idle : .head
        case .fixedBody, .chunkedBody: .body
        case .failed: .head
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        } else if start >= 64 * 1024 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    mutating func next() -> Event {
        let event = step()
        if case .request = event, start == buffer.count, buffer.capacity > 64 * 1024 {
            // A big body must not stay allocated while the connection idles for minutes.
            buffer = []
            buffer.reserveCapacity(4096)
            start = 0
            scanned = 0
        }
        return event
    }

    /// Bytes the buffer holds room for (tests check that big bodies do not pin memory).
    var bufferCapacity: Int { buffer.capacity }

    private mutating func step() -> Event {
        switch state {
        case let .failed(status, reason):
            return .failure(status: status, reason: reason)
        case .head:
            return parseHead()
        case let .fixedBody(head, length):
            guard bufferedCount >= length else { return .needMore }
            let body = Array(buffer[start..<start + length])
            consume(length)
            state = .head
            return complete(head, body: body)
        case let .chunkedBody(head, step, body):
            state = .head  // drops the state's reference so `body` grows in place
            return parseChunks(head, step, body: body)
        }
    }

    private mutating func fail(_ status: Int, _ reason: String) -> Event {
        state = .failed(status: status, reason: reason)
        return .failure(status: status, reason: reason)
    }

    private mutating func consume(_ count: Int) {
        start += count
        scanned = start
    }

    private func complete(_ head: Head, body: [UInt8]) -> Event {
        .request(HTTPRequest(method: head.method, target: head.target, headers: head.headers, body: body),
                 keepAlive: head.keepAlive, announceKeepAlive: head.keepAlive && !head.isHTTP11)
    }

    // MARK: Head

    private mutating func parseHead() -> Event {
        // RFC 9112 §2.2: ignore empty lines before a request line.
        while start < buffer.count, buffer[start] == UInt8(ascii: "\r") || buffer[start] == UInt8(ascii: "\n") {
            if buffer[start] == UInt8(ascii: "\r"), start + 1 < buffer.count, buffer[start + 1] != UInt8(ascii: "\n") {
                return fail(400, "bare CR before the request line")
            }
            if buffer[start] == UInt8(ascii: "\r"), start + 1 == buffer.count { return .needMore }
            consume(1)
        }
        guard let end = findEndOfHead() else {
            if bufferedCount > limits.maxHeaderBytes { return fail(431, "request header fields too large") }
            return .needMore
        }
        if end.headEnd - start > limits.maxHeaderBytes { return fail(431, "request header fields too large") }
        let parsed = buffer.withUnsafeBufferPointer { HeadSyntax.parse(UnsafeBufferPointer(rebasing: $0[start..<end.headEnd])) }
        consume(end.bodyStart - start)
        switch parsed {
        case let .failure(status, reason):
            return fail(status, reason)
        case let .success(syntax):
            return frame(syntax)
        }
    }

    /// Finds the empty line that ends the head: "\n\r\n" or "\n\n".
    private mutating func findEndOfHead() -> (headEnd: Int, bodyStart: Int)? {
        var index = max(scanned, start)
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                if index + 1 < buffer.count, buffer[index + 1] == UInt8(ascii: "\n") {
                    return (index + 1, index + 2)
                }
                if index + 2 < buffer.count, buffer[index + 1] == UInt8(ascii: "\r"), buffer[index + 2] == UInt8(ascii: "\n") {
                    return (index + 1, index + 3)
                }
                if index + 2 >= buffer.count {
                    scanned = index  // the terminator may still be arriving: look here again
                    return nil
                }
            }
            index += 1
        }
        scanned = index
        return nil
    }

    /// Decides the body framing from the parsed head.
    private mutating func frame(_ syntax: HeadSyntax) -> Event {
        let headers = syntax.headers
        // One pass over the fields; the lists stay empty (unallocated) in the common case.
        var hosts = 0
        var keepAlive = syntax.isHTTP11
        var transferEncodings: [String] = []
        var contentLengths: [String] = []
        var expectations: [String] = []
        for field in headers.fields {
            if HTTPHeaders.equalIgnoringCase(field.name, "Host") {
                hosts += 1
            } else if HTTPHeaders.equalIgnoringCase(field.name, "Content-Length") {
                contentLengths.append(field.value)
            } else if HTTPHeaders.equalIgnoringCase(field.name, "Transfer-Encoding") {
                transferEncodings.append(field.value)
            } else if HTTPHeaders.equalIgnoringCase(field.name, "Connection") {
                for token in HeadSyntax.tokens(field.value) {
                    if token == "close" { keepAlive = false } else if token == "keep-alive", !syntax.isHTTP11 { keepAlive = true }
                }
            } else if HTTPHeaders.equalIgnoringCase(field.name, "Expect") {
                expectations.append(field.value)
            }
        }
        if syntax.isHTTP11, hosts != 1 { return fail(400, "exactly one Host header is required") }
        if hosts > 1 { return fail(400, "more than one Host header") }
        let head = Head(method: syntax.method, target: syntax.target, headers: headers, keepAlive: keepAlive, isHTTP11: syntax.isHTTP11)
        var expectsContinue = false
        if !expectations.isEmpty {
            guard expectations.count == 1, HeadSyntax.trimmed(expectations[0]).lowercased() == "100-continue" else {
                return fail(417, "unsupported Expect value")
            }
            expectsContinue = syntax.isHTTP11
        }
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else { return fail(400, "both Content-Length and Transfer-Encoding") }
            guard syntax.isHTTP11 else { return fail(400, "Transfer-Encoding in an HTTP/1.0 request") }
            let codings = transferEncodings.flatMap { HeadSyntax.tokens($0) }
            guard codings == ["chunked"] else { return fail(400, "unsupported transfer coding") }
            continuePending = expectsContinue
            return parseChunks(head, .size, body: [])
        }
        var length = 0
        if !contentLengths.isEmpty {
            var seen: Int?
            for value in contentLengths {
                for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let digits = HeadSyntax.trimmed(Substring(part))
                    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                        return fail(400, "invalid Content-Length")
                    }
                    let parsed = digits.utf8.count > 18 ? Int.max : Int(digits)!
                    if let seen, seen != parsed { return fail(400, "conflicting Content-Length values") }
                    seen = parsed
                }
            }
            length = seen!
        } else if syntax.method == "POST" {
            // Without framing a request's body is empty (RFC 9112 §6.3). POST is the one method a
            // handler here reads a body for, so it must say its length; any other method goes on to
            // the handler with no body, which answers a method it does not serve with 405.
            return fail(411, "Content-Length required")
        }
        if length > limits.maxBodyBytes { return fail(413, "request body too large") }
        if length == 0 { return complete(head, body: []) }
        state = .fixedBody(head, length: length)
        if expectsContinue, bufferedCount == 0 { return .sendContinue }
        return next()
    }

    // MARK: Chunked body

    /// The longest chunk size line (size and extensions, without CRLF) accepted.
    static let maxChunkSizeLineBytes = 4096

    private mutating func parseChunks(_ head: Head, _ initial: ChunkStep, body initialBody: [UInt8]) -> Event {
        var step = initial
        var body = initialBody
        while true {
            switch step {
            case .size:
                // Too long is decided on the line's content alone, so it does not depend on whether
                // its "\r\n" has arrived yet: 4,096 bytes and a CR buffered may still be a valid line.
                guard let lineEnd = lineEnd(limit: Self.maxChunkSizeLineBytes) else {
                    if bufferedCount > Self.maxChunkSizeLineBytes + 1 { return fail(400, "chunk size line too long") }
                    state = .chunkedBody(head, step, body: body)
                    if continuePending, bufferedCount == 0 { continuePending = false; return .sendContinue }
                    continuePending = false
                    return .needMore
                }
                continuePending = false
                if lineEnd.contentEnd - start > Self.maxChunkSizeLineBytes { return fail(400, "chunk size line too long") }
                guard let size = chunkSize(buffer[start..<lineEnd.contentEnd]) else { return fail(400, "invalid chunk size") }
                consume(lineEnd.next - start)
                if body.count + size > limits.maxBodyBytes { return fail(413, "request body too large") }
                step = size == 0 ? .trailers(bytes: 0) : .data(remaining: size)
            case let .data(remaining):
                let available = min(remaining, bufferedCount)
                if available == 0 {
                    state = .chunkedBody(head, step, body: body)
                    return .needMore
                }
                body.append(contentsOf: buffer[start..<start + available])
                consume(available)
                step = remaining == available ? .dataEnd : .data(remaining: remaining - available)
            case .dataEnd:
                guard bufferedCount >= 2 else {
                    state = .chunkedBody(head, step, body: body)
                    return .needMore
                }
                guard buffer[start] == UInt8(ascii: "\r"), buffer[start + 1] == UInt8(ascii: "\n") else {
                    return fail(400, "chunk data not followed by CRLF")
                }
                consume(2)
                step = .size
            case let .trailers(bytes):
                guard let lineEnd = lineEnd(limit: limits.maxHeaderBytes) else {
                    if bytes + bufferedCount > limits.maxHeaderBytes { return fail(431, "trailer fields too large") }
                    state = .chunkedBody(head, step, body: body)
                    return .needMore
                }
                let lineLength = lineEnd.next - start
                let isEmpty = lineEnd.contentEnd == start
                consume(lineLength)
                if isEmpty {
                    state = .head
                    return complete(head, body: body)
                }
                if bytes + lineLength > limits.maxHeaderBytes { return fail(431, "trailer fields too large") }
                step = .trailers(bytes: bytes + lineLength)
            }
        }
    }

    /// The end of the line at `start` ("\r\n" or "\n"), without the terminator and after it.
    private func lineEnd(limit: Int) -> (contentEnd: Int, next: Int)? {
        var index = start
        let end = min(buffer.count, start + limit + 2)
        while index < end {
            if buffer[index] == UInt8(ascii: "\n") {
                let contentEnd = index > start && buffer[index - 1] == UInt8(ascii: "\r") ? index - 1 : index
                return (contentEnd, index + 1)
            }
            index += 1
        }
        return nil
    }

    /// Parses "1a;ext=value": 1 to 8 hex digits, optional whitespace and extensions after.
    private func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        var size = 0
        var digits = 0
        var index = line.startIndex
        while index < line.endIndex, let value = Self.hexValue(line[index]) {
            size = size << 4 | value
            digits += 1
            index += 1
        }
        guard digits > 0, digits <= 8 else { return nil }
        while index < line.endIndex, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t") { index += 1 }
        guard index == line.endIndex || line[index] == UInt8(ascii: ";") else { return nil }
        return line[index...].contains(UInt8(ascii: "\r")) ? nil : size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }
}
