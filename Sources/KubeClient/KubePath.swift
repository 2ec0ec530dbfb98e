import JSONText

/// Building API paths and query strings from values that may hold reserved characters.
enum KubePath {
    /// Percent-encodes everything but RFC 3986 unreserved characters (for path segments and
    /// query values such as base64 `continue` tokens).
    static func escape(_ value: String) -> String {
        var output = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%"
                output.unicodeScalars.append(Unicode.Scalar(HexDigit.character(byte >> 4, uppercase: true)))
                output.unicodeScalars.append(Unicode.Scalar(HexDigit.character(byte & 0x0F, uppercase: true)))
            }
        }
        return output
    }

    /// Whether `name` can be a namespace or ServiceAccount name (a DNS subdomain: lower-case
    /// letters, digits, '-' and '.', at most 253 characters).
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 253 && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }
}
