import Foundation
import Testing
@testable import Admission

/// Scans `text` as one complete JSON value, the way `AdmissionRequest.read` does.
private func scan(_ bytes: [UInt8]) throws(JSONError) {
    try bytes.withUnsafeBufferPointer { buffer throws(JSONError) in
        var scanner = JSONScanner(buffer)
        try scanner.skipValue()
        try scanner.expectEnd()
    }
}

private func scan(_ text: String) throws(JSONError) {
    try scan(Array(text.utf8))
}

private func decodeString(_ json: String) throws -> String {
    let bytes = Array(json.utf8)
    return try bytes.withUnsafeBufferPointer { buffer in
        var scanner = JSONScanner(buffer)
        return try scanner.scanString().decode(in: buffer)
    }
}

@Test(arguments: [
    "{}", "[]", "\"\"", "0", "-0", "1.5e10", "-12.25E-3", "true", "false", "null",
    " { \"a\" : [ 1 , { \"b\" : null } , \"c\" ] } ",
    "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
    "\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\"",
    "\"héllo ✓ 😀\"",
])
func scannerAcceptsValidJSON(_ text: String) throws {
    try scan(text)
}

@Test(arguments: [
    "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":}", "[1 2]", "01", "1.", ".5", "1e",
    "-", "+1", "tru", "nul", "True", "\"abc", "\"\\x\"", "\"\\u12g4\"", "\"\\u12\"", "\"a\tb\"", "[1]]", "{} {}",
    "'single'", "[NaN]", "[Infinity]", "{\"a\":1}x",
])
func scannerRejectsMalformedJSON(_ text: String) {
    #expect(throws: JSONError.self) { try scan(text) }
}

@Test func scannerAgreesWithJSONSerializationOnValidity() {
    // Not in the corpus, where we accept like Go and Foundation refuses: a lone surrogate escape
    // (decoded as U+FFFD) and a number out of Double's range (skipped, never converted).
    let corpus = ["{\"a\":[1,2,{\"b\":\"c\"}]}", "[1,,2]", "[-0.0e+1]",
                  "{\"\":\"\"}", "[\"\\u0000\"]", "[00]", "[\"\u{7F}\"]", "{\"a\":1 \"b\":2}"]
    for text in corpus {
        let foundation = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
        let ours = (try? scan(text)) != nil
        #expect(foundation == ours, "\(text)")
    }
}

@Test func scannerRejectsEveryTruncationOfARealReview() throws {
    let review = try fixture("deployment-pod-review.json")
    try scan(review)
    let end = review.lastIndex(of: UInt8(ascii: "}"))!
    for length in 0...end {
        #expect(throws: JSONError.self) { try scan(Array(review[..<length])) }
    }
}

@Test(arguments: [
    [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
    [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22],
] as [[UInt8]])
func scannerRejectsInvalidUTF8(_ bytes: [UInt8]) {
    #expect(throws: JSONError.self) { try scan(bytes) }
}

@Test func scannerRefusesNestingTenThousandDeepWithoutRecursing() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(throws: JSONError(message: "nesting deeper than 512 levels", offset: 513)) { try scan(deep) }
    let objects = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
    #expect(throws: JSONError.self) { try scan(objects) }
}

@Test func scannerAcceptsNestingJustUnderTheLimitAcrossTheInlineStack() throws {
    let depth = JSONScanner.maxDepth
    try scan(String(repeating: "[{\"k\":", count: depth / 2) + "0" + String(repeating: "}]", count: depth / 2))
    #expect(throws: JSONError.self) { try scan(String(repeating: "[", count: 100) + String(repeating: "}", count: 100)) }
}

@Test func scannerReadsAHugeStringInOnePass() throws {
    let huge = "\"" + String(repeating: "x", count: 4_000_000) + "\""
    try scan(huge)
    #expect(throws: JSONError.self) { try scan(String(huge.dropLast())) }
}

@Test func stringsDecodeEscapesAndUnicode() throws {
    #expect(try decodeString(#""plain""#) == "plain")
    #expect(try decodeString(#""a\"b\\c\/d\b\f\n\r\t""#) == "a\"b\\c/d\u{8}\u{C}\n\r\t")
    #expect(try decodeString(#""\u00e9\u4e2d\ud83d\ude00""#) == "é中😀")
    #expect(try decodeString(#""lone \ud800 surrogate""#) == "lone \u{FFFD} surrogate")
    #expect(try decodeString("\"héllo ✓\"") == "héllo ✓")
}

@Test func spansCompareWithAndWithoutEscapes() throws {
    let bytes = Array(#""name" "n\u0061me" "names""#.utf8)
    try bytes.withUnsafeBufferPointer { buffer in
        var scanner = JSONScanner(buffer)
        let plain = try scanner.scanString()
        let escaped = try scanner.scanString()
        let longer = try scanner.scanString()
        #expect(plain.equals("name", in: buffer) && !plain.hasEscapes)
        #expect(escaped.equals("name", in: buffer) && escaped.hasEscapes)
        #expect(!longer.equals("name", in: buffer))
    }
}

@Test func objectWalkReportsKeysInOrderAndSkipsValues() throws {
    let bytes = Array(#"{"a": {"x": [1, 2]}, "b": "two", "c": null}"#.utf8)
    let keys = try bytes.withUnsafeBufferPointer { buffer in
        var scanner = JSONScanner(buffer)
        var cursor = try scanner.enterObject()
        var keys: [String] = []
        while let key = try scanner.nextKey(&cursor) {
            keys.append(key.decode(in: buffer))
            try scanner.skipValue()
        }
        try scanner.expectEnd()
        return keys
    }
    #expect(keys == ["a", "b", "c"])
}

/// A file from Tests/Fixtures/admission.
func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/admission/\(name)")
    return Array(try Data(contentsOf: url))
}

@Test func specialBytesAreFoundAtEveryOffsetOfTheEightByteFastPath() throws {
    for offset in 0..<20 {
        let pad = String(repeating: "a", count: offset)
        #expect(try decodeString("\"\(pad)\\\"\(pad)\"") == "\(pad)\"\(pad)")
        #expect(try decodeString("\"\(pad)é✓\(pad)\"") == "\(pad)é✓\(pad)")
        #expect(try decodeString("\"\(pad)\"tail") == pad)
        #expect(throws: JSONError.self) { try scan("\"\(pad)\u{1}\(pad)\"") }
        #expect(throws: JSONError.self) { try scan(Array("\"\(pad)".utf8) + [0xFF] + Array("\(pad)\"".utf8)) }
        #expect(throws: JSONError.self) { try scan("\"\(pad)") }
    }
}
