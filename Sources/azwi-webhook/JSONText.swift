import Logging

/// Writes JSON strings and log metadata values as bytes, with RFC 8259 escaping.
///
/// Used by the JSON log lines and by the denial responses the server builds itself; both need
/// only strings, so a full JSON encoder (and Foundation) is not worth its cost here.
enum JSONText {
    /// Appends `value` as a quoted, escaped JSON string.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a log metadata value: strings as strings, lists as arrays, dictionaries as objects.
    static func appendValue(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let string):
            appendString(string, to: &out)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if isJSONLiteral(convertible) {
                out.append(contentsOf: text.utf8)
            } else {
                appendString(text, to: &out)
            }
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let fields):
            out.append(UInt8(ascii: "{"))
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendValue(fields[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whether a value's description is already a JSON number or boolean. `Double` comes first:
    /// it is the one every admission line has (`durationMs`), and a concrete cast is cheaper than
    /// the existential check for `BinaryInteger`.
    private static func isJSONLiteral(_ value: any CustomStringConvertible & Sendable) -> Bool {
        if let double = value as? Double { return double.isFinite }
        return value is any BinaryInteger || value is Bool
    }
}
