/// A JSON document as a tree, with an RFC 6902 `add`/`replace` applier, independent of the
/// admission scanner: the admission fuzz target (scripts/fuzz compiles this file) and the rule
/// table tests apply each patch to the request with it and admit the result again, which must
/// need no patch.
///
/// Scalars keep their exact bytes, so writing the tree back changes only what the patch changed.
/// Parsing refuses (returns nil) what the oracle should not judge: duplicate keys (the API server
/// never sends them, and which one counts is ambiguous) and nesting deeper than `maximumDepth`.
indirect enum JSONTree {
    case scalar([UInt8])
    case array([JSONTree])
    /// Members in document order; `key` is the decoded name, `rawKey` the bytes between the quotes.
    case object([(key: [UInt8], rawKey: [UInt8], value: JSONTree)])

    static let maximumDepth = 128

    /// The tree of `bytes`, which must already be valid JSON; nil for duplicate keys
    /// or deep nesting.
    static func parse(_ bytes: [UInt8]) -> JSONTree? {
        var parser = Parser(bytes: bytes)
        return parser.value(depth: 0)
    }

    subscript(key: String) -> JSONTree? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.key.elementsEqual(key.utf8) }?.value
    }

    /// Compact JSON.
    func write(into out: inout [UInt8]) {
        switch self {
        case let .scalar(bytes):
            out += bytes
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out += member.rawKey
                out += [UInt8(ascii: "\""), UInt8(ascii: ":")]
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Applies an RFC 6902 patch made only of `add` and `replace` operations.
    ///
    /// - Returns: nil when an operation is of another kind, lacks a field, or does not apply
    ///   (RFC 6902 §5: the whole patch then fails).
    func applying(_ patch: JSONTree) -> JSONTree? {
        guard case let .array(operations) = patch else { return nil }
        var document = self
        for operation in operations {
            guard let op = operation["op"].flatMap(\.decodedString).map({ String(decoding: $0, as: UTF8.self) }), let path = operation["path"].flatMap(\.decodedString),
                  let value = operation["value"], op == "add" || op == "replace", path.first == UInt8(ascii: "/")
            else { return nil }
            let tokens = path.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Self.unescapePointer)
            guard document.set(value, at: tokens[...], replacing: op == "replace") else { return nil }
        }
        return document
    }

    /// The decoded bytes of a string scalar.
    var decodedString: [UInt8]? {
        guard case let .scalar(bytes) = self, bytes.first == UInt8(ascii: "\"") else { return nil }
        return Self.unescapeString(bytes.dropFirst().dropLast())
    }

    private mutating func set(_ value: JSONTree, at tokens: ArraySlice<[UInt8]>, replacing: Bool) -> Bool {
        guard let token = tokens.first else {
            self = value
            return true
        }
        let rest = tokens.dropFirst()
        switch self {
        case var .object(members):
            if let index = members.firstIndex(where: { $0.key == token }) {
                guard members[index].value.set(value, at: rest, replacing: replacing) else { return false }
            } else {
                guard rest.isEmpty, !replacing else { return false }
                members.append((key: token, rawKey: Self.escape(token), value: value))
            }
            self = .object(members)
        case var .array(items):
            let appending = rest.isEmpty && !replacing
            if token == Array("-".utf8), appending {
                items.append(value)
            } else if let index = Int(String(decoding: token, as: UTF8.self)), String(index).utf8.elementsEqual(token),
                      index >= 0, index < items.count + (appending ? 1 : 0) {
                if appending {
                    items.insert(value, at: index)
                } else {
                    guard items[index].set(value, at: rest, replacing: replacing) else { return false }
                }
            } else {
                return false
            }
            self = .array(items)
        case .scalar:
            return false
        }
        return true
    }

    /// JSON Pointer unescaping (RFC 6901): `~1` is `/`, `~0` is `~`.
    private static func unescapePointer(_ token: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var index = token.startIndex
        while index < token.endIndex {
            if token[index] == UInt8(ascii: "~"), index + 1 < token.endIndex, token[index + 1] == UInt8(ascii: "0") || token[index + 1] == UInt8(ascii: "1") {
                out.append(token[index + 1] == UInt8(ascii: "0") ? UInt8(ascii: "~") : UInt8(ascii: "/"))
                index += 2
            } else {
                out.append(token[index])
                index += 1
            }
        }
        return out
    }

    /// The bytes a JSON string's contents stand for (escapes resolved, UTF-8; a lone surrogate
    /// becomes U+FFFD).
    static func unescapeString(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var index = raw.startIndex
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.endIndex else { return nil }
            return UInt32(String(decoding: raw[at..<at + 4], as: UTF8.self), radix: 16)
        }
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.endIndex else {
                out.append(byte)
                index += 1
                continue
            }
            let escaped = raw[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(index) ?? 0xFFFD
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 1 < raw.endIndex, raw[index] == UInt8(ascii: "\\"),
                   raw[index + 1] == UInt8(ascii: "u"), let low = hex(index + 2), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
            default: out.append(escaped)
            }
        }
        return out
    }

    /// A JSON string's contents for `bytes`: quotes, backslashes and control characters escaped.
    private static func escape(_ bytes: [UInt8]) -> [UInt8] {
        let hexDigits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case ..<0x20: out += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        return out
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func value(depth: Int) -> JSONTree? {
            skipWhitespace()
            guard index < bytes.count, depth <= JSONTree.maximumDepth else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONTree] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                    skipWhitespace()
                    guard index < bytes.count else { return nil }
                    index += 1
                    if bytes[index - 1] == UInt8(ascii: "]") { return .array(items) }
                    guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: [UInt8], rawKey: [UInt8], value: JSONTree)] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard let rawKey = string() else { return nil }
                    let key = JSONTree.unescapeString(rawKey[...])
                    guard !members.contains(where: { $0.key == key }) else { return nil }
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index += 1
                    guard let member = value(depth: depth + 1) else { return nil }
                    members.append((key: key, rawKey: rawKey, value: member))
                    skipWhitespace()
                    guard index < bytes.count else { return nil }
                    index += 1
                    if bytes[index - 1] == UInt8(ascii: "}") { return .object(members) }
                    guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "\""):
                guard let raw = string() else { return nil }
                return .scalar([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])
            default:
                let begin = index
                while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
                return index > begin ? .scalar(Array(bytes[begin..<index])) : nil
            }
        }

        /// The raw bytes between a string's quotes.
        mutating func string() -> [UInt8]? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let begin = index + 1
            index = begin
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { return nil }
            index += 1
            return Array(bytes[begin..<index - 1])
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
    }
}
