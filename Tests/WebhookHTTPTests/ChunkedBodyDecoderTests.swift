import Testing
@testable import WebhookHTTP

private enum Outcome: Equatable {
    case body(String)
    case failure(ChunkedBodyDecoder.Failure)
    case incomplete
}

/// Decodes `wire` delivered in pieces of `pieceBytes`.
private func decode(_ wire: String, pieceBytes: Int = .max, maxBodyBytes: Int = 1 << 20, maxTrailerBytes: Int = 1024) -> Outcome {
    var buffer = ReceiveBuffer()
    var decoder = ChunkedBodyDecoder(maxBodyBytes: maxBodyBytes, maxTrailerBytes: maxTrailerBytes)
    var body: [UInt8] = []
    let bytes = Array(wire.utf8)
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + min(pieceBytes, bytes.count))
        bytes[offset..<end].withUnsafeBytes { buffer.append($0) }
        offset = end
        decoding: while true {
            switch decoder.next(&buffer) {
            case let .data(range): body += buffer.bytes[range]
            case .needMore: break decoding
            case .end: return .body(String(decoding: body, as: UTF8.self))
            case let .failure(failure): return .failure(failure)
            }
        }
    }
    return .incomplete
}

@Suite struct ChunkedBodyDecoderTests {
    @Test(arguments: [1, 2, 3, 7, 1000])
    func chunksExtensionsAndTrailersDecodeWhereverTheBytesAreCut(pieceBytes: Int) {
        let wire = "4\r\nWiki\r\n5;x=y\r\npedia\r\nE \t;a;b=\"c\"\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: t\r\n\r\n"
        #expect(decode(wire, pieceBytes: pieceBytes) == .body("Wikipedia in\r\n\r\nchunks."))
    }

    @Test func bareLineFeedsEndLinesToo() {
        #expect(decode("3\nabc\r\n0\n\n") == .body("abc"))
    }

    /// One chunk-size syntax on both sides: 1 to 8 hex digits, whitespace only after them.
    @Test(arguments: [
        ("ffffffff\r\n", nil),
        ("0000000a\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
        ("000000000a\r\n0123456789\r\n0\r\n\r\n", "invalid"),
        ("123456789\r\n", "invalid"),
        (" 5\r\nhello\r\n0\r\n\r\n", "invalid"),
        ("5 ;x\r\nhello\r\n0\r\n\r\n", "hello"),
        ("5;x\ry\r\nhello\r\n0\r\n\r\n", "invalid"),
        ("-5\r\n", "invalid"),
        ("0x5\r\n", "invalid"),
        ("\r\n", "invalid"),
    ] as [(String, String?)])
    func chunkSizeSyntax(_ wire: String, _ expected: String?) {
        let result = decode(wire, maxBodyBytes: .max)
        switch expected {
        case nil: #expect(result == .incomplete)
        case "invalid": #expect(result == .failure(.invalidSize))
        case let body?: #expect(result == .body(body))
        }
    }

    @Test(arguments: [ChunkedBodyDecoder.maxSizeLineBytes, ChunkedBodyDecoder.maxSizeLineBytes + 1])
    func sizeLineLimitDoesNotDependOnHowTheBytesArrive(lineBytes: Int) {
        let wire = "1;x=" + String(repeating: "v", count: lineBytes - 4) + "\r\na\r\n0\r\n\r\n"
        let expected: Outcome = lineBytes <= ChunkedBodyDecoder.maxSizeLineBytes ? .body("a") : .failure(.sizeLineTooLong)
        #expect(decode(wire) == expected)
        #expect(decode(wire, pieceBytes: lineBytes + 1) == expected)
    }

    @Test func aChunkThatWouldPassTheBodyLimitFailsBeforeItsDataArrives() {
        #expect(decode("6\r\nabcdef\r\n5\r\nabcde\r\n0\r\n\r\n", maxBodyBytes: 11) == .body("abcdefabcde"))
        #expect(decode("6\r\nabcdef\r\n6\r\n", maxBodyBytes: 11) == .failure(.bodyTooLarge))
    }

    @Test func trailerFieldsCountAgainstTheirLimit() {
        #expect(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", maxTrailerBytes: 12) == .body(""))
        #expect(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", maxTrailerBytes: 11) == .failure(.trailersTooLarge))
        #expect(decode("0\r\nA: " + String(repeating: "x", count: 20), pieceBytes: 4, maxTrailerBytes: 11) == .failure(.trailersTooLarge))
    }

    @Test func chunkDataMustEndWithCRLF() {
        #expect(decode("2\r\nabcd\r\n") == .failure(.dataWithoutCRLF))
        #expect(decode("2\r\nab\n0\r\n\r\n") == .failure(.dataWithoutCRLF))
    }

    /// The server's request parser and the client's response parser read chunked bodies alike.
    @Test(arguments: ["5\r\nhello\r\n0\r\n\r\n", "000000005\r\nhello\r\n0\r\n\r\n", " 5\r\nhello\r\n0\r\n\r\n", "5\r\nhelloX\r\n0\r\n\r\n"])
    func requestsAndResponsesShareTheChunkedSyntax(_ body: String) throws {
        var request = HTTPRequestParser(limits: .init(maxHeaderBytes: 1024, maxBodyBytes: 1024))
        Array(("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body).utf8).withUnsafeBytes { request.append($0) }
        let requestAccepted: Bool
        switch request.next() {
        case .request: requestAccepted = true
        default: requestAccepted = false
        }
        var response = HTTPResponseParser()
        Array(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body).utf8).withUnsafeBytes { response.append($0) }
        var responseAccepted = false
        do throws(HTTPClientError) {
            _ = try response.parseHead(requestMethod: "GET")
            while case .bytes = try response.nextBody(endOfStream: true) {}
            responseAccepted = true
        } catch {}
        #expect(requestAccepted == responseAccepted)
        #expect(requestAccepted == (body == "5\r\nhello\r\n0\r\n\r\n"))
    }
}
