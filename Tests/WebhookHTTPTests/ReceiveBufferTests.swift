import Testing
@testable import WebhookHTTP

@Suite struct ReceiveBufferTests {
    private func append(_ text: String, to buffer: inout ReceiveBuffer) {
        Array(text.utf8).withUnsafeBytes { buffer.append($0) }
    }

    @Test func consumingMovesTheStartAndCountsTheStreamPosition() {
        var buffer = ReceiveBuffer()
        append("hello world", to: &buffer)
        buffer.consume(6)
        #expect(buffer.count == 5)
        #expect(buffer.consumedTotal == 6)
        #expect(buffer.take(5) == Array("world".utf8))
        #expect(buffer.count == 0)
    }

    @Test func appendingAfterEverythingWasConsumedReusesTheStorage() {
        var buffer = ReceiveBuffer()
        append("abc", to: &buffer)
        buffer.consume(3)
        append("de", to: &buffer)
        #expect(buffer.start == 0)
        #expect(buffer.bytes == Array("de".utf8))
        #expect(buffer.consumedTotal == 3)
    }

    @Test func consumedBytesAreDroppedOnceTheyPassSixtyFourKiB() {
        var buffer = ReceiveBuffer()
        append(String(repeating: "x", count: 70_000) + "tail", to: &buffer)
        buffer.consume(70_000)
        append("!", to: &buffer)
        #expect(buffer.start == 0)
        #expect(buffer.bytes == Array("tail!".utf8))
        #expect(buffer.consumedTotal == 70_000)
    }

    @Test func aLargeBufferIsReleasedOnlyOnceEmpty() {
        var buffer = ReceiveBuffer()
        append(String(repeating: "x", count: 100_000), to: &buffer)
        buffer.consume(99_999)
        buffer.releaseIfLargeAndEmpty()
        #expect(buffer.count == 1)
        buffer.consume(1)
        buffer.releaseIfLargeAndEmpty()
        #expect(buffer.capacity < 64 * 1024)
        #expect(buffer.consumedTotal == 100_000)
    }
}
