import Testing
@testable import WebhookHTTP

/// Feeds raw bytes to the parser and collects the events until it needs more input.
private struct Harness {
    var parser = HTTPRequestParser(limits: .init(maxHeaderBytes: 16 * 1024, maxBodyBytes: 3 * 1024 * 1024))

    init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 3 * 1024 * 1024) {
        parser = HTTPRequestParser(limits: .init(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes))
    }

    mutating func feed(_ text: String) -> [String] { feed(Array(text.utf8)) }

    mutating func feed(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { parser.append($0) }
        var events: [String] = []
        while events.count < 20 {
            switch parser.next() {
            case .needMore: return events
            case .sendContinue: events.append("continue")
            case let .request(request, keepAlive, announce):
                events.append("\(request.method) \(request.target) body=\(String(decoding: request.body, as: UTF8.self)) keepAlive=\(keepAlive)"
                    + (announce ? " announced" : ""))
            case let .failure(status, _):
                events.append("failure \(status)")
                return events
            }
        }
        return events
    }
}

@Suite struct HTTPRequestParserTests {
    @Test func simpleGetKeepsTheConnectionAlive() {
        var harness = Harness()
        #expect(harness.feed("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n") == ["GET /healthz body= keepAlive=true"])
        #expect(harness.parser.phase == .idle)
    }

    @Test func pathQueryAndHeadersAreExposed() {
        var parser = HTTPRequestParser(limits: .init(maxHeaderBytes: 1024, maxBodyBytes: 1024))
        Array("POST /mutate?timeout=10s HTTP/1.1\r\nHost: a\r\nX-Thing:  v1 \r\ncontent-length: 2\r\n\r\nhi".utf8).withUnsafeBytes { parser.append($0) }
        guard case let .request(request, _, _) = parser.next() else {
            Issue.record("expected a request")
            return
        }
        #expect(request.path == "/mutate")
        #expect(request.query == "timeout=10s")
        #expect(request.headers["x-thing"] == "v1")
        #expect(request.headers["CONTENT-LENGTH"] == "2")
        #expect(request.body == Array("hi".utf8))
    }

    @Test func bytesArrivingOneAtATimeStillParse() {
        var harness = Harness()
        let text = "POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        var events: [String] = []
        for byte in text.utf8 { events += harness.feed([byte]) }
        #expect(events == ["POST /m body=hello keepAlive=true"])
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        var harness = Harness()
        let events = harness.feed(
            "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nxGET /b HTTP/1.1\r\nHost: a\r\n\r\nPOST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nyz")
        #expect(events == ["POST /a body=x keepAlive=true", "GET /b body= keepAlive=true", "POST /c body=yz keepAlive=false"])
    }

    @Test func chunkedBodiesAreJoinedWithExtensionsAndTrailersIgnored() {
        var harness = Harness()
        let events = harness.feed(
            "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(events == ["POST /m body=hello world keepAlive=true", "GET /next body= keepAlive=true"])
    }

    @Test func chunkedBodySplitAcrossReads() {
        var harness = Harness()
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1") == [])
        #expect(harness.parser.phase == .body)
        #expect(harness.feed("0\r\n0123456789abcdef") == [])
        #expect(harness.feed("\r\n0\r\n\r\n") == ["POST /m body=0123456789abcdef keepAlive=true"])
    }

    /// Found by the request-parser fuzz target: a 4,096-byte size line failed when its CR arrived
    /// before its LF, and passed when both arrived together.
    @Test(arguments: [ChunkedBodyDecoder.maxSizeLineBytes, ChunkedBodyDecoder.maxSizeLineBytes + 1])
    func chunkSizeLineLimitDoesNotDependOnHowTheBytesArrive(lineBytes: Int) {
        let head = "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        let line = "1;x=" + String(repeating: "v", count: lineBytes - 4)
        let expected = lineBytes <= ChunkedBodyDecoder.maxSizeLineBytes ? ["POST /m body=a keepAlive=true"] : ["failure 400"]
        var whole = Harness()
        #expect(whole.feed(head + line + "\r\na\r\n0\r\n\r\n") == expected)
        var split = Harness()
        let early = split.feed(head + line + "\r")
        #expect(early + (early.isEmpty ? split.feed("\na\r\n0\r\n\r\n") : []) == expected)
    }

    @Test func expectContinueIsAnsweredBeforeTheBody() {
        var harness = Harness()
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n") == ["continue"])
        #expect(harness.feed("abc") == ["POST /m body=abc keepAlive=true"])
    }

    @Test func expectContinueWithChunkedBody() {
        var harness = Harness()
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-Continue\r\n\r\n") == ["continue"])
        #expect(harness.feed("2\r\nok\r\n0\r\n\r\n") == ["POST /m body=ok keepAlive=true"])
    }

    @Test func expectContinueIsSkippedWhenTheBodyAlreadyArrived() {
        var harness = Harness()
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\nz") == ["POST /m body=z keepAlive=true"])
    }

    @Test func expectContinueWithOversizedBodyIsRefusedWithoutContinue() {
        var harness = Harness(maxBodyBytes: 10)
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n") == ["failure 413"])
    }

    @Test func unknownExpectationIs417() {
        var harness = Harness()
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: teapot\r\n\r\nz") == ["failure 417"])
    }

    @Test func oversizedHeadIs431EvenWithoutTheEnd() {
        var harness = Harness(maxHeaderBytes: 100)
        #expect(harness.feed("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 200)) == ["failure 431"])
        var complete = Harness(maxHeaderBytes: 100)
        #expect(complete.feed("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 120) + "\r\n\r\n") == ["failure 431"])
    }

    @Test func headAtTheLimitIsAccepted() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\nX: "
        let padding = String(repeating: "a", count: 100 - head.utf8.count - 2)
        var harness = Harness(maxHeaderBytes: 100)
        #expect(harness.feed(head + padding + "\r\n\r\n") == ["GET / body= keepAlive=true"])
    }

    @Test func oversizedBodyIs413() {
        var harness = Harness(maxBodyBytes: 10)
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n") == ["failure 413"])
        var chunked = Harness(maxBodyBytes: 10)
        #expect(chunked.feed("POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n") == ["failure 413"])
        var huge = Harness()
        #expect(huge.feed("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n") == ["failure 413"])
    }

    @Test func postWithoutLengthIs411() {
        var harness = Harness()
        #expect(harness.feed("POST /m HTTP/1.1\r\nHost: a\r\n\r\n") == ["failure 411"])
    }

    /// RFC 9112 §6.3: without framing a request has no body; the handler then judges the method (405).
    @Test(arguments: ["PUT", "PATCH", "DELETE"])
    func otherMethodsWithoutLengthReachTheHandlerWithNoBody(_ method: String) {
        var harness = Harness()
        #expect(harness.feed("\(method) /m HTTP/1.1\r\nHost: a\r\n\r\n") == ["\(method) /m body= keepAlive=true"])
    }

    @Test(arguments: [
        "GET / HTTP/1.1\r\n\r\n",  // no Host
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",  // two spaces
        "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n",
        "G@T / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",  // space before colon
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",  // obs-fold
        "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",  // bare CR
        "GET / HTP/1.1\r\nHost: a\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\na",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
    ])
    func malformedOrAmbiguousRequestsAre400(_ text: String) {
        var harness = Harness()
        #expect(harness.feed(text) == ["failure 400"])
        // The failure sticks: nothing after it is parsed as a request.
        #expect(harness.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == ["failure 400"])
    }

    @Test func aRequestInsideABodyStaysBodyBytes() {
        var harness = Harness()
        let inner = "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
        let events = harness.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(inner.utf8.count)\r\n\r\n" + inner)
        #expect(events == ["POST / body=\(inner) keepAlive=true"])
    }

    @Test func newerHTTPVersionIs505() {
        var harness = Harness()
        #expect(harness.feed("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == ["failure 505"])
    }

    @Test func http10ClosesUnlessKeepAliveAsked() {
        var harness = Harness()
        #expect(harness.feed("GET / HTTP/1.0\r\n\r\n") == ["GET / body= keepAlive=false"])
        var keep = Harness()
        #expect(keep.feed("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") == ["GET / body= keepAlive=true announced"])
    }

    @Test func connectionCloseTokenInAList() {
        var harness = Harness()
        #expect(harness.feed("GET / HTTP/1.1\r\nHost: a\r\nConnection: TE, Close\r\n\r\n") == ["GET / body= keepAlive=false"])
    }

    @Test func identicalDuplicateContentLengthIsAccepted() {
        var harness = Harness()
        #expect(harness.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok") == ["POST / body=ok keepAlive=true"])
    }

    @Test func bareLineFeedsAndLeadingEmptyLinesAreTolerated() {
        var harness = Harness()
        #expect(harness.feed("\r\nGET / HTTP/1.1\nHost: a\n\n") == ["GET / body= keepAlive=true"])
    }

    @Test func aLargeBodyDoesNotStayBufferedAfterItsRequest() {
        var harness = Harness()
        let body = String(repeating: "x", count: 1 << 20)
        #expect(harness.feed("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body).count == 1)
        #expect(harness.parser.bufferCapacity < 64 * 1024)
        #expect(harness.feed("GET /next HTTP/1.1\r\nHost: a\r\n\r\n") == ["GET /next body= keepAlive=true"])
    }

    @Test func phaseFollowsTheRequest() {
        var harness = Harness()
        #expect(harness.parser.phase == .idle)
        _ = harness.feed("POST / HTTP/1.1\r\n")
        #expect(harness.parser.phase == .head)
        _ = harness.feed("Host: a\r\nContent-Length: 4\r\n\r\nab")
        #expect(harness.parser.phase == .body)
        _ = harness.feed("cd")
        #expect(harness.parser.phase == .idle)
    }
}
