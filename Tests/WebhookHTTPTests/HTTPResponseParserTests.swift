import Testing
@testable import WebhookHTTP

/// Runs the client response parser over bytes delivered in the given pieces.
private func parse(_ pieces: [String], method: String = "GET", closeAtEnd: Bool = false) throws -> (status: Int, body: String, keepAlive: Bool, complete: Bool) {
    var parser = HTTPResponseParser()
    var head: HTTPResponseHead?
    var body: [UInt8] = []
    var complete = false
    for (index, piece) in pieces.enumerated() {
        Array(piece.utf8).withUnsafeBytes { parser.append($0) }
        if head == nil { head = try parser.parseHead(requestMethod: method) }
        guard head != nil else { continue }
        let isLast = index == pieces.count - 1
        loop: while true {
            switch try parser.nextBody(endOfStream: isLast && closeAtEnd) {
            case let .bytes(bytes): body += bytes
            case .needMore: break loop
            case .end:
                complete = true
                break loop
            }
        }
    }
    let parsed = try #require(head)
    return (parsed.status, String(decoding: body, as: UTF8.self), parser.keepAlive, complete)
}

@Suite struct HTTPResponseParserTests {
    @Test func contentLengthBody() throws {
        let result = try parse(["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", "lo"])
        #expect(result.status == 200 && result.body == "hello" && result.keepAlive && result.complete)
    }

    @Test func chunkedBodyAcrossArbitrarySplits() throws {
        let wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: t\r\n\r\n"
        for split in stride(from: 1, to: wire.utf8.count, by: 7) {
            let bytes = Array(wire.utf8)
            let pieces = [String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)]
            let result = try parse(pieces)
            #expect(result.body == "Wikipedia in\r\n\r\nchunks.")
            #expect(result.complete)
        }
    }

    @Test func interimResponsesAreSkipped() throws {
        let result = try parse(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"])
        #expect(result.status == 201 && result.body == "ok")
    }

    @Test func bodyUntilCloseEndsTheConnection() throws {
        let result = try parse(["HTTP/1.1 200 OK\r\n\r\nstream", "ing"], closeAtEnd: true)
        #expect(result.body == "streaming" && !result.keepAlive && result.complete)
    }

    @Test func headResponsesHaveNoBody() throws {
        let result = try parse(["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"], method: "HEAD")
        #expect(result.body == "" && result.complete)
    }

    @Test func connectionCloseIsReported() throws {
        let result = try parse(["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"])
        #expect(!result.keepAlive && result.complete)
    }

    @Test func truncatedBodiesAreErrors() {
        #expect(throws: HTTPClientError.self) { try parse(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], closeAtEnd: true) }
        #expect(throws: HTTPClientError.self) { try parse(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"], closeAtEnd: true) }
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd",
        "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "SMTP 220 hello\r\n\r\n",
    ])
    func malformedResponsesAreErrors(_ wire: String) {
        #expect(throws: HTTPClientError.self) { try parse([wire]) }
    }
}
