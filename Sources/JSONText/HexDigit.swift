/// Hexadecimal digits as bytes, read and written: the one place the package converts them.
///
/// Why it lives here: JSON `\u` escapes (the admission scanner, ``JSONString``), YAML's surrogate
/// escapes, HTTP chunk sizes, percent-escapes in Kubernetes paths and the GUID check all need it,
/// and JSONText is the one target without dependencies that all of them can import; the pure
/// `Admission` target already depends on it and on nothing else. `@inlinable`, because the JSON
/// scanner calls it per escaped byte on the request path.
public enum HexDigit {
    /// The value (0–15) of an ASCII hex digit in either case, or `nil` for any other byte.
    @inlinable
    public static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The ASCII hex digit of `nibble` (0–15): lowercase (JSON's `\u00XX`), or uppercase (RFC 3986
    /// percent-escapes).
    @inlinable
    public static func character(_ nibble: UInt8, uppercase: Bool = false) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")) + nibble - 10
    }
}
