// Compiled in one module with Sources/YAML (see scripts/fuzz).

/// Fuzzes `YAMLNode.parse`, the kubeconfig reader's parser: arbitrary bytes either throw a
/// `YAMLError` with a message or give a tree whose JSON form is valid JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func yamlFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    do {
        let node = try YAMLNode.parse(Array(UnsafeBufferPointer(start: data, count: size)))
        let json = node.jsonBytes()
        require(JSONValidity.isValid(json), "not JSON: \(String(decoding: json, as: UTF8.self))")
    } catch {
        require(!error.message.isEmpty, "a YAML error without a message")
    }
    return 0
}
