import Testing
@testable import WebhookHTTP

@Suite struct GzipEncoderTests {
    @Test func roundTripThroughZlibInflate() throws {
        let body = Array(String(repeating: #"{"op":"add","path":"/spec/containers/0/env/-"},"#, count: 100).utf8)
        let encoder = GzipEncoder()
        let compressed = try #require(encoder.compress(body))
        #expect(compressed.count < body.count / 4)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])  // gzip magic
        #expect(gunzip(compressed) == body)
    }

    @Test func encoderIsReusableAcrossBodies() throws {
        let encoder = GzipEncoder()
        for length in [0, 1, 5000, 70_000] {
            let body = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
            let compressed = try #require(encoder.compress(body))
            #expect(gunzip(compressed) == body)
        }
    }

    @Test(arguments: [
        ("gzip", true), ("deflate, gzip;q=0.5", true), ("GZIP", true), ("gzip;q=0", false), ("gzip; q=0.000", false),
        ("identity", false), ("br, deflate", false), ("xgzip", false),
    ])
    func acceptEncodingNegotiation(_ header: String, _ accepted: Bool) {
        #expect(GzipEncoder.accepts(header) == accepted)
    }
}
