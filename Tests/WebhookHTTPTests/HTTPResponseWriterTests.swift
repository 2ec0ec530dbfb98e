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

    @Test func headKeepsTheLengthButDropsTheBody() {
        #expect(written(HTTPResponse(status: 200, body: Array("hello".utf8)), headOnly: true) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func handlerFramingFieldsAreReplaced() {
        let text = written(HTTPResponse(
            status: 404, headers: [("content-length", "999"), ("Transfer-Encoding", "chunked"), ("Connection", "keep-alive")], body: []))
        #expect(text == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    @Test(arguments: [(400, "Bad Request"), (408, "Request Timeout"), (411, "Length Required"), (431, "Request Header Fields Too Large"),
                      (505, "HTTP Version Not Supported"), (1000, "Status")])
    func reasonPhrases(_ status: Int, _ phrase: String) {
        #expect(written(HTTPResponse(status: status)).hasPrefix("HTTP/1.1 \(status) \(phrase)\r\n"))
    }
}
