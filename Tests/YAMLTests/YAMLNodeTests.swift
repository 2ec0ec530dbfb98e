import Testing
import YAML

@Suite struct YAMLNodeTests {
    private func json(_ yaml: String) throws -> String {
        String(decoding: try YAMLNode.parse(Array(yaml.utf8)).jsonBytes(), as: UTF8.self)
    }

    @Test func plainScalarsAreTypedAndQuotedOnesStayStrings() throws {
        let out = try json("a: 1\nb: \"1\"\nc: true\nd: 'true'\ne: ~\nf: 1.5\ng: text\nh: -2e3\ni: 0755\n")
        #expect(out == #"{"a":1,"b":"1","c":true,"d":"true","e":null,"f":1.5,"g":"text","h":-2e3,"i":"0755"}"#)
    }

    @Test func jsonInputReadsBackUnchanged() throws {
        let source = #"{"kind":"Pod","spec":{"containers":[{"name":"a","args":["x\"y","\u00e9"]}]},"n":[1,2.5,false,null]}"#
        #expect(try json(source) == #"{"kind":"Pod","spec":{"containers":[{"name":"a","args":["x\"y","é"]}]},"n":[1,2.5,false,null]}"#)
    }

    @Test func multiDocumentStreamsSkipEmptyDocuments() throws {
        let documents = try YAMLNode.parseDocuments(Array("---\na: 1\n---\n---\nb: 2\n".utf8))
        #expect(documents.count == 2)
        #expect(documents[1]["b"]?.string == "2")
    }

    @Test func malformedInputIsAnErrorWithAPlace() {
        #expect(throws: YAMLError.self) { try YAMLNode.parse(Array("a: [1, 2\nb: }".utf8)) }
        #expect(throws: YAMLError.self) { try YAMLNode.parse([0x61, 0x3A, 0x20, 0xC3, 0x28]) }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: YAMLError.self) { try YAMLNode.parse(Array(deep.utf8)) }
    }

    @Test func aliasExpansionIsBounded() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...6 { yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(throws: YAMLError.self) { try YAMLNode.parse(Array(yaml.utf8)) }
    }

    @Test func emittedYAMLReadsBackAsTheSameTree() throws {
        let source = ##"{"metadata":{"name":"p","labels":{"x":"true","y":"010"}},"spec":{"containers":[{"name":"a","env":[{"name":"E","value":""}],"args":["a: b","- c","#d","https://x.example/","key:","a:b"]}],"volumes":[],"n":3}}"##
        let tree = try YAMLNode.parse(Array(source.utf8))
        let again = try YAMLNode.parse(tree.yamlBytes())
        #expect(again.jsonBytes() == tree.jsonBytes())
    }

    @Test func urlsArePlainAndColonsBeforeSpacesAreQuoted() throws {
        let tree = YAMLNode.mapping([YAMLPair(key: "url", value: .string("https://login.microsoftonline.com/")), YAMLPair(key: "pair", value: .string("a: b"))])
        #expect(String(decoding: tree.yamlBytes(), as: UTF8.self) == "url: https://login.microsoftonline.com/\npair: \"a: b\"\n")
    }
}
