/// RFC 8259 string escaping: the one implementation behind every JSON this package writes (the
/// admission response and patch, YAML converted to JSON, Kubernetes patches, log lines).
///
/// A target of its own so the pure admission layer and the I/O layers share it without depending
/// on each other. `@inlinable`: it is on the admission hot path, across a module boundary.
public enum JSONString {
    /// Appends `value` as a quoted, escaped JSON string.
    @inlinable
    public static func write(_ value: String, into out: inout [UInt8]) {
        var value = value
        out.append(UInt8(ascii: "\""))
        value.withUTF8 { appendEscaped($0, pointerToken: false, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 text escaped for the inside of a JSON string, without quotes.
    ///
    /// - Parameter pointerToken: also escape `~` as `~0` and `/` as `~1`, for a JSON Pointer
    ///   reference token (RFC 6901) inside a JSON string.
    @inlinable
    public static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, pointerToken: Bool, into out: inout [UInt8]) {
        // Fast path: nothing to escape, one copy.
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
            || (pointerToken && ($0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/"))) }) {
            out.append(contentsOf: utf8)
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(byte)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case UInt8(ascii: "~") where pointerToken: out.append(UInt8(ascii: "~")); out.append(UInt8(ascii: "0"))
            case UInt8(ascii: "/") where pointerToken: out.append(UInt8(ascii: "~")); out.append(UInt8(ascii: "1"))
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hexDigit(byte >> 4), hexDigit(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
    }

    /// The lowercase hex digit of `nibble` (0–15).
    @inlinable
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
