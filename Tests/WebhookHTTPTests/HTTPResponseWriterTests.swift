import Testing
@testable import WebhookHTTP

@Suite struct HTTPResponseWriterTests {
    private func written(_ response: HTTPResponse, headOnly: Bool = false, close: Bool = false) -> String {
        var output: [UInt8] = []
        HTTPResponseWriter.write(response, headOnly: headOnly, close: close, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test func statusFieldsLengthAndBody() {
        let text = written(HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array("{}".utf8)))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    }

    @Test func closeAddsConnectionClose() {
        #expect(written(.text(413, "too large"), close: true)
            == "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\nConnection: close\r\n\r\ntoo large\n")
    }

    @Test func http10KeepAliveIsAnnounced() {
        var output: [UInt8] = []
        HTTPResponseWriter.write(HTTPResponse(status: 204), headOnly: false, close: false, announceKeepAlive: true, into: &output)
        #expect(String(decoding: output, as: UTF8.self) == "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func headKeepsTheLengthButDropsTheBody() {
        #expect(written(HTTPResponse(status: 200, body: Array("hello".utf8)), headOnly: true) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func handlerFramingFieldsAreReplaced() {
        let text = written(HTTPResponse(
            status: 404, headers: [("content-length", "999"), ("Transfer-Encoding", "chunked"), ("Connection", "keep-alive")], body: []))
        #expect(text == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    @Test(arguments: [(400, "Bad Request"), (408, "Request Timeout"), (411, "Length Required"), (431, "Request Header Fields Too Large"),
                      (505, "HTTP Version Not Supported"), (299, "Status")])
    func reasonPhrases(_ status: Int, _ phrase: String) {
        #expect(written(HTTPResponse(status: status)).hasPrefix("HTTP/1.1 \(status) \(phrase)\r\n"))
    }
}

@Suite struct HTTPResponseWriterEdgeTests {
    @Test(arguments: [-1, 0, 99, 1000, Int.max])
    func impossibleStatusesBecome500(_ status: Int) {
        var output: [UInt8] = []
        HTTPResponseWriter.write(HTTPResponse(status: status), headOnly: false, close: false, into: &output)
        #expect(String(decoding: output, as: UTF8.self).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }
}

@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresCaseAndKeepsOrder() {
        let headers: HTTPHeaders = [("Set-Cookie", "a"), ("content-type", "json"), ("SET-COOKIE", "b")]
        #expect(headers["Content-Type"] == "json")
        #expect(headers.values(for: "set-cookie") == ["a", "b"])
        #expect(headers["Content-Typ"] == nil)
        #expect(headers["Content-Typf"] == nil)
        let fromDictionary: HTTPHeaders = ["Accept": "application/json", "User-Agent": "azwi"]
        #expect(fromDictionary.fields.map(\.name) == ["Accept", "User-Agent"])
    }

    @Test func caseFoldingAppliesToLettersOnly() {
        // '@' (0x40) and '`' (0x60) differ only in the case bit: they must not compare equal.
        #expect(!HTTPHeaders.equalIgnoringCase("a@", "a`"))
        #expect(HTTPHeaders.equalIgnoringCase("X-Request-ID", "x-request-id"))
    }
}
