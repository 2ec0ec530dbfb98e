import CShims
import CZlib
import Testing
@testable import WebhookHTTP

/// Inflates a gzip stream with zlib directly (an implementation independent of the encoder's settings).
private func gunzip(_ data: [UInt8]) -> [UInt8]? {
    var stream = z_stream()
    guard CShims_inflateInit2(&stream, 15 + 16) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: 1 << 20)
    var input = data
    let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
        output.withUnsafeMutableBufferPointer { outputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            stream.next_out = outputBuffer.baseAddress
            stream.avail_out = UInt32(outputBuffer.count)
            return inflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { return nil }
    return Array(output[0..<Int(stream.total_out)])
}

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
