import JSONText

extension YAMLNode {
    /// The node as compact JSON: quoted scalars become strings, plain ones are typed by the
    /// YAML core schema (null, true/false, numbers, else strings).
    public func jsonBytes() -> [UInt8] {
        var out = [UInt8]()
        writeJSON(into: &out)
        return out
    }

    /// Appends the node as compact JSON.
    public func writeJSON(into out: inout [UInt8]) {
        switch self {
        case .scalar(let text, let quoted):
            if quoted {
                JSONString.write(text, into: &out)
            } else if ScalarResolution.isNull(text) {
                out.append(contentsOf: "null".utf8)
            } else if let flag = ScalarResolution.bool(text) {
                out.append(contentsOf: (flag ? "true" : "false").utf8)
            } else if let number = ScalarResolution.jsonNumber(text) {
                out.append(contentsOf: number.utf8)
            } else {
                JSONString.write(text, into: &out)
            }
        case .sequence(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.writeJSON(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .mapping(let pairs):
            out.append(UInt8(ascii: "{"))
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.write(pair.key, into: &out)
                out.append(UInt8(ascii: ":"))
                pair.value.writeJSON(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
