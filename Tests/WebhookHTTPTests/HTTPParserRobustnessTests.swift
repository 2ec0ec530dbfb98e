import Testing
@testable import WebhookHTTP

/// A small deterministic generator, so a failing case can be replayed from its seed.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

@Suite struct HTTPParserRobustnessTests {
    /// Fragments that steer random inputs into interesting framing states.
    private let fragments = [
        "GET / HTTP/1.1\r\n", "POST /m HTTP/1.1\r\n", "Host: a\r\n", "Content-Length: 5\r\n", "Content-Length: 99999999999\r\n",
        "Transfer-Encoding: chunked\r\n", "Expect: 100-continue\r\n", "Connection: close\r\n", "\r\n", "\n", "\r", "5\r\nhello\r\n",
        "0\r\n\r\n", "ffffffff\r\n", ";ext\r\n", " ", ":", "\u{0}", "HTTP/1.0", "é",
    ]

    @Test(arguments: 0..<40)
    func randomInputNeverTrapsAndAlwaysEndsInAnEvent(_ seed: Int) {
        var random = SplitMix64(state: UInt64(seed))
        var parser = HTTPRequestParser(limits: .init(maxHeaderBytes: 512, maxBodyBytes: 4096))
        var bytes: [UInt8] = []
        for _ in 0..<(20 + random.below(60)) {
            if random.below(4) == 0 {
                bytes += (0..<random.below(8)).map { _ in UInt8(random.below(256)) }
            } else {
                bytes += Array(fragments[random.below(fragments.count)].utf8)
            }
        }
        var offset = 0
        var events = 0
        var failed = false
        while offset < bytes.count, !failed {
            let end = min(bytes.count, offset + 1 + random.below(64))
            bytes[offset..<end].withUnsafeBytes { parser.append($0) }
            offset = end
            // Each `next()` either consumes input, asks for more, or fails for good: bounded.
            inner: for _ in 0..<1000 {
                switch parser.next() {
                case .needMore: break inner
                case .sendContinue, .request: events += 1
                case .failure:
                    failed = true
                    break inner
                }
            }
        }
        #expect(events <= bytes.count)
    }

    @Test(arguments: 0..<20)
    func randomResponsesNeverTrap(_ seed: Int) {
        var random = SplitMix64(state: UInt64(seed) &+ 1000)
        let pieces = ["HTTP/1.1 200 OK\r\n", "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n", "\r\n", "3\r\nabc\r\n", "0\r\n\r\n",
                      "zz\r\n", "HTTP/1.1 100 Continue\r\n\r\n", ":", "\n"]
        var parser = HTTPResponseParser(maxHeadBytes: 1024)
        var bytes: [UInt8] = []
        for _ in 0..<(5 + random.below(30)) {
            bytes += random.below(5) == 0 ? [UInt8(random.below(256))] : Array(pieces[random.below(pieces.count)].utf8)
        }
        bytes.withUnsafeBytes { parser.append($0) }
        do throws(HTTPClientError) {
            guard try parser.parseHead(requestMethod: "GET") != nil else { return }
            for _ in 0..<1000 {
                if try parser.nextBody(endOfStream: true) == .end { return }
            }
            Issue.record("the body never ended")
        } catch {
            #expect(!error.description.isEmpty)
        }
    }
}
