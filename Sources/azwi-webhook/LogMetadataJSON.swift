import JSONText
import Logging

/// Writes log metadata values as JSON for the JSON log lines: strings as strings, numbers and
/// booleans as literals, lists as arrays, dictionaries as objects.
enum LogMetadataJSON {
    /// Appends a log metadata value: strings as strings, lists as arrays, dictionaries as objects.
    static func appendValue(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let string):
            JSONString.write(string, into: &out)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if isJSONLiteral(convertible) {
                out.append(contentsOf: text.utf8)
            } else {
                JSONString.write(text, into: &out)
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
                JSONString.write(key, into: &out)
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
