import JSONText
import Testing

@Suite struct HexDigitTests {
    @Test func everyDigitReadsInEitherCase() {
        for (offset, byte) in "0123456789abcdef".utf8.enumerated() { #expect(HexDigit.value(byte) == UInt8(offset)) }
        for (offset, byte) in "ABCDEF".utf8.enumerated() { #expect(HexDigit.value(byte) == UInt8(offset + 10)) }
    }

    @Test func otherBytesAreNoDigits() {
        for byte in "gG/:@` xX-".utf8 { #expect(HexDigit.value(byte) == nil) }
    }

    @Test func nibblesWriteLowercaseUnlessAskedForUppercase() {
        #expect((0..<16).map { HexDigit.character($0) } == Array("0123456789abcdef".utf8))
        #expect((0..<16).map { HexDigit.character($0, uppercase: true) } == Array("0123456789ABCDEF".utf8))
    }
}
