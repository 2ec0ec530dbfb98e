import Testing
@testable import WebhookHTTP

/// Feeds `pieces` to a buffer and scans after each, as a connection does.
private func scan(_ pieces: [String], maxHeadBytes: Int = 1024) -> HeadScanner.Result {
    var buffer = ReceiveBuffer()
    var scanner = HeadScanner(maxHeadBytes: maxHeadBytes)
    var result = HeadScanner.Result.needMore
    for piece in pieces {
        Array(piece.utf8).withUnsafeBytes { buffer.append($0) }
        result = scanner.scan(buffer)
        if result != .needMore { break }
    }
    return result
}

@Suite struct HeadScannerTests {
    @Test func crlfAndBareLineFeedHeadsEndAtTheEmptyLine() {
        #expect(scan(["GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"]) == .complete(headEnd: 25, bodyStart: 27))
        #expect(scan(["GET / HTTP/1.1\nHost: a\n\nbody"]) == .complete(headEnd: 23, bodyStart: 24))
    }

    @Test func theEndIsFoundWhereverTheBytesAreCut() {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        let bytes = Array(head)
        for cut in 1..<bytes.count {
            #expect(scan([String(bytes[..<cut]), String(bytes[cut...])]) == .complete(headEnd: 36, bodyStart: 38))
        }
        #expect(scan(head.map { String($0) }) == .complete(headEnd: 36, bodyStart: 38))
    }

    @Test func aScanResumesAfterConsumedBytes() {
        var buffer = ReceiveBuffer()
        var scanner = HeadScanner(maxHeadBytes: 1024)
        Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2".utf8).withUnsafeBytes { buffer.append($0) }
        guard case let .complete(_, bodyStart) = scanner.scan(buffer) else {
            Issue.record("the interim head was not found")
            return
        }
        buffer.consume(bodyStart - buffer.start)
        #expect(scanner.scan(buffer) == .needMore)
        Array("00 OK\r\n\r\n".utf8).withUnsafeBytes { buffer.append($0) }
        #expect(scanner.scan(buffer) == .complete(headEnd: buffer.start + 17, bodyStart: buffer.start + 19))
    }

    /// A head of exactly the limit is accepted even when its last "\r" arrives alone: the limit
    /// is checked on the head, not on what happens to be buffered.
    @Test func aHeadAtTheLimitIsAcceptedHoweverItIsCut() {
        let head = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100 - 21) + "\r\n"
        #expect(head.utf8.count == 100)
        #expect(scan([head + "\r\n"], maxHeadBytes: 100) == .complete(headEnd: 100, bodyStart: 102))
        #expect(scan([head + "\r", "\n"], maxHeadBytes: 100) == .complete(headEnd: 100, bodyStart: 102))
        #expect(scan([head + "X"], maxHeadBytes: 100) == .needMore)
        #expect(scan([head + "X:"], maxHeadBytes: 100) == .tooLarge)
        #expect(scan([head + "X: b\r\n\r\n"], maxHeadBytes: 100) == .tooLarge)
    }
}
