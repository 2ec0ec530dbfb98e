import JSONText

extension YAMLNode {
    /// The node as block-style YAML, as `kubectl get -o yaml` prints objects.
    ///
    /// A string is written plain only when it would read back as the same string; otherwise
    /// it is double-quoted with JSON escapes (a JSON string is a valid YAML double-quoted one).
    public func yamlBytes() -> [UInt8] {
        var out = [UInt8]()
        switch self {
        case .mapping(let pairs) where !pairs.isEmpty: Self.writeMapping(pairs, indent: 0, into: &out)
        case .sequence(let items) where !items.isEmpty: Self.writeSequence(items, indent: 0, into: &out)
        default:
            writeInline(into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private static func writeMapping(_ pairs: [YAMLPair], indent: Int, into out: inout [UInt8]) {
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent)) }
            writeKeyed(pair, indent: indent, into: &out)
        }
    }

    /// Writes `key: value` where the cursor already stands at the indentation.
    private static func writeKeyed(_ pair: YAMLPair, indent: Int, into out: inout [UInt8]) {
        YAMLNode.string(pair.key).writeInline(into: &out)
        out.append(UInt8(ascii: ":"))
        switch pair.value {
        case .mapping(let pairs) where !pairs.isEmpty:
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
            writeMapping(pairs, indent: indent + 2, into: &out)
        case .sequence(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "\n"))
            writeSequence(items, indent: indent, into: &out)
        default:
            out.append(UInt8(ascii: " "))
            pair.value.writeInline(into: &out)
            out.append(UInt8(ascii: "\n"))
        }
    }

    private static func writeSequence(_ items: [YAMLNode], indent: Int, into out: inout [UInt8]) {
        for item in items {
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
            out.append(contentsOf: "- ".utf8)
            switch item {
            case .mapping(let pairs) where !pairs.isEmpty: writeMapping(pairs, indent: indent + 2, into: &out)
            case .sequence(let inner) where !inner.isEmpty:
                out.append(UInt8(ascii: "\n"))
                writeSequence(inner, indent: indent + 2, into: &out)
            default:
                item.writeInline(into: &out)
                out.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// Writes a scalar or an empty collection on the current line.
    private func writeInline(into out: inout [UInt8]) {
        switch self {
        case .sequence: out.append(contentsOf: "[]".utf8)
        case .mapping: out.append(contentsOf: "{}".utf8)
        case .scalar(let text, let quoted):
            if !quoted || Self.isSafePlain(text) {
                out.append(contentsOf: (quoted || !ScalarResolution.isNull(text) ? text : "null").utf8)
            } else {
                JSONString.write(text, into: &out)
            }
        }
    }

    /// Whether a string can be written without quotes and still read back as that string.
    private static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last,
              first != UInt8(ascii: " "), last != UInt8(ascii: " "),
              !ScalarResolution.needsQuoting(text) else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".utf8.contains(first) { return false }
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            // A colon is plain text unless a space or the end follows it (then it starts a mapping).
            if byte == UInt8(ascii: ":") {
                if index + 1 == bytes.count || bytes[index + 1] == UInt8(ascii: " ") { return false }
                continue
            }
            let allowed = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "-_./=+@ ".utf8.contains(byte)
            if !allowed { return false }
        }
        return true
    }
}
