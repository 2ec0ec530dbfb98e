import Testing
import YAML

/// JSON's escaped surrogate pairs (found by the random-pod property test: `mutate --review` refused
/// a review Python's `json.dumps` wrote for a pod with "𐀀" in a subPath).
@Suite struct SurrogateEscapesTests {
    private func json(_ text: String) throws -> String {
        String(decoding: try YAMLNode.parse(Array(text.utf8)).jsonBytes(), as: UTF8.self)
    }

    @Test func escapedSurrogatePairsInJSONReadAsTheirCharacter() throws {
        #expect(try json(#"{"subPath":"\ud800\udc00","e":["a\uD83D\uDE00b"]}"#) == #"{"subPath":"𐀀","e":["a😀b"]}"#)
    }

    @Test func otherEscapesAroundThePairAreKept() throws {
        #expect(try json(#"["\\ud83d\ud83d\ude00", "\"\ud83d\ude00\"", "\u00e9"]"#) == #"["\\ud83d😀","\"😀\"","é"]"#)
    }

    @Test func loneSurrogatesAreStillRefused() {
        #expect(throws: YAMLError.self) { try YAMLNode.parse(Array(#"{"a":"\ud83d"}"#.utf8)) }
        #expect(throws: YAMLError.self) { try YAMLNode.parse(Array(#"{"a":"\ude00\ud83d"}"#.utf8)) }
    }
}
