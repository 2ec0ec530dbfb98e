/// The server side of HTTP/1.1 framing as a socket-free state machine.
///
/// The connection loop appends bytes as they arrive and asks `next()` what to do. Framing is
/// strict where leniency would allow request smuggling: one unambiguous Content-Length, or
/// Transfer-Encoding exactly `chunked`, never both; any doubt is a 400 and the connection closes.
/// Pipelined requests stay in the buffer and come out one per `next()`, in order. The end of the
/// head and chunked bodies are found by ``HeadScanner`` and ``ChunkedBodyDecoder``, which the
/// client's ``HTTPResponseParser`` shares.
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

    private enum State {
        case head
        case fixedBody(Head, length: Int)
        case chunkedBody(Head, ChunkedBodyDecoder, body: [UInt8])
        case failed(status: Int, reason: String)
    }

    let limits: Limits
    private var buffer = ReceiveBuffer()
    private var headScanner: HeadScanner
    private var state = State.head

    init(limits: Limits) {
        self.limits = limits
        headScanner = HeadScanner(maxHeadBytes: limits.maxHeaderBytes)
    }

    /// Bytes received but not yet consumed.
    var bufferedCount: Int { buffer.count }

    var phase: Phase {
        switch state {
        case .head: bufferedCount == 0 ? .idle : .head
        case .fixedBody, .chunkedBody: .body
        case .failed: .head
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
    }

    mutating func next() -> Event {
        let event = step()
        if case .request = event { buffer.releaseIfLargeAndEmpty() }
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
            let body = buffer.take(length)
            state = .head
            return complete(head, body: body)
        case let .chunkedBody(head, decoder, body):
            state = .head  // drops the state's reference so `body` grows in place
            return decodeChunks(head, decoder, body: body)
        }
    }

    private mutating func fail(_ status: Int, _ reason: String) -> Event {
        state = .failed(status: status, reason: reason)
        return .failure(status: status, reason: reason)
    }

    private func complete(_ head: Head, body: [UInt8]) -> Event {
        .request(HTTPRequest(method: head.method, target: head.target, headers: head.headers, body: body),
                 keepAlive: head.keepAlive, announceKeepAlive: head.keepAlive && !head.isHTTP11)
    }

    // MARK: Head

    private mutating func parseHead() -> Event {
        // RFC 9112 §2.2: ignore empty lines before a request line.
        while buffer.count > 0, buffer.bytes[buffer.start] == UInt8(ascii: "\r") || buffer.bytes[buffer.start] == UInt8(ascii: "\n") {
            if buffer.bytes[buffer.start] == UInt8(ascii: "\r") {
                if buffer.count == 1 { return .needMore }
                if buffer.bytes[buffer.start + 1] != UInt8(ascii: "\n") { return fail(400, "bare CR before the request line") }
            }
            buffer.consume(1)
        }
        let headEnd: Int
        let bodyStart: Int
        switch headScanner.scan(buffer) {
        case .needMore: return .needMore
        case .tooLarge: return fail(431, "request header fields too large")
        case let .complete(end, next): (headEnd, bodyStart) = (end, next)
        }
        let start = buffer.start
        let parsed = buffer.bytes.withUnsafeBufferPointer { HeadSyntax.parse(UnsafeBufferPointer(rebasing: $0[start..<headEnd])) }
        buffer.consume(bodyStart - start)
        switch parsed {
        case let .failure(status, reason):
            return fail(status, reason)
        case let .success(syntax):
            return frame(syntax)
        }
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
            let decoder = ChunkedBodyDecoder(maxBodyBytes: limits.maxBodyBytes, maxTrailerBytes: limits.maxHeaderBytes)
            if expectsContinue, bufferedCount == 0 {
                state = .chunkedBody(head, decoder, body: [])
                return .sendContinue
            }
            return decodeChunks(head, decoder, body: [])
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

    private mutating func decodeChunks(_ head: Head, _ initial: ChunkedBodyDecoder, body initialBody: [UInt8]) -> Event {
        var decoder = initial
        var body = initialBody
        while true {
            switch decoder.next(&buffer) {
            case let .data(range):
                body.append(contentsOf: buffer.bytes[range])
            case .needMore:
                state = .chunkedBody(head, decoder, body: body)
                return .needMore
            case .end:
                return complete(head, body: body)
            case .failure(.bodyTooLarge):
                return fail(413, "request body too large")
            case .failure(.trailersTooLarge):
                return fail(431, "trailer fields too large")
            case let .failure(failure):
                return fail(400, failure.reason)
            }
        }
    }
}
