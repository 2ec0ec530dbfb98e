import Foundation
import Testing
@testable import Admission

@Test(arguments: [
    ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
])
func base64MatchesRFC4648Vectors(_ input: String, _ expected: String) {
    var writer = JSONWriter()
    writer.base64(Array(input.utf8))
    #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
}

@Test func base64MatchesFoundationOnEveryByteValueAndLength() {
    var generator = SystemRandomNumberGenerator()
    for length in 0..<300 {
        let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var writer = JSONWriter()
        writer.base64(data)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == Data(data).base64EncodedString())
    }
}

@Test func pointerTokensEscapeTildeThenSlash() {
    var writer = JSONWriter()
    writer.pointerToken("azure.workload.identity/injected")
    writer.raw(" ")
    writer.pointerToken("a~b/c~1")
    #expect(String(decoding: writer.bytes, as: UTF8.self) == "azure.workload.identity~1injected a~0b~1c~01")
}

@Test func stringsAreEscapedSoFoundationReadsThemBack() throws {
    let values = ["plain", "quote \" backslash \\ slash /", "controls \u{0} \u{1F} \n\r\t", "unicode é 中 😀", ""]
    for value in values {
        var writer = JSONWriter()
        writer.raw("[")
        writer.string(value)
        writer.raw("]")
        let decoded = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String]
        #expect(decoded == [value])
    }
}

@Test func integersAreWrittenInDecimal() {
    var writer = JSONWriter()
    for value in [0, 7, -42, 86400, Int.max] {
        writer.int(value)
        writer.raw(",")
    }
    #expect(String(decoding: writer.bytes, as: UTF8.self) == "0,7,-42,86400,\(Int.max),")
}
