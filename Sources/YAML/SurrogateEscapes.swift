import JSONText

/// JSON encoders write a character outside the Basic Multilingual Plane as an escaped UTF-16
/// surrogate pair (`"\ud83d\ude00"`; Python's `json.dumps` does by default), and libyaml refuses
/// surrogate code points in escapes, so valid JSON failed to read. In a JSON document (first
/// significant byte `{` or `[`), each such pair inside a double-quoted string becomes YAML's
/// 32-bit escape (`"\U0001f600"`), which libyaml reads as the same character. A lone surrogate
/// is left alone and still refused: it is no character at all.
enum SurrogateEscapes {
    /// `bytes` with escaped surrogate pairs rewritten; `bytes` itself when there are none.
    static func rewritten(_ bytes: [UInt8]) -> [UInt8] {
        guard let first = bytes.first(where: { !isWhitespace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
              let start = firstHighSurrogateEscape(in: bytes)
        else { return bytes }
        var out = Array(bytes[..<start.copyUpTo])
        out.reserveCapacity(bytes.count)
        var index = start.copyUpTo
        var inString = start.inString
        while index < bytes.count {
            let byte = bytes[index]
            if !inString || byte != UInt8(ascii: "\\") {
                if byte == UInt8(ascii: "\"") { inString.toggle() }
                out.append(byte)
                index += 1
                continue
            }
            if let high = escapedUnit(bytes, at: index), (0xD800..<0xDC00).contains(high),
               let low = escapedUnit(bytes, at: index + 6), (0xDC00..<0xE000).contains(low) {
                let scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                out += Array("\\U".utf8) + Array(String(scalar, radix: 16).leftPadded(to: 8).utf8)
                index += 12
            } else {
                // Any other escape: the backslash and the byte it escapes, as they are.
                out += bytes[index..<min(index + 2, bytes.count)]
                index += 2
            }
        }
        return out
    }

    /// Where copying can stop being a plain copy: just before the first string holding a `\uD8…`
    /// to `\uDB…` escape, found without allocating (most documents have none).
    private static func firstHighSurrogateEscape(in bytes: [UInt8]) -> (copyUpTo: Int, inString: Bool)? {
        var index = 0
        var stringStart: Int?
        while index < bytes.count {
            let byte = bytes[index]
            if stringStart == nil {
                if byte == UInt8(ascii: "\"") { stringStart = index }
                index += 1
            } else if byte == UInt8(ascii: "\"") {
                stringStart = nil
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                if let unit = escapedUnit(bytes, at: index), (0xD800..<0xDC00).contains(unit), let stringStart {
                    return (stringStart, false)
                }
                index += 2
            } else {
                index += 1
            }
        }
        return nil
    }

    /// The code unit of a `\uXXXX` escape starting at `index`, if there is one.
    private static func escapedUnit(_ bytes: [UInt8], at index: Int) -> UInt32? {
        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
        var unit: UInt32 = 0
        for byte in bytes[index + 2..<index + 6] {
            guard let digit = HexDigit.value(byte) else { return nil }
            unit = unit << 4 | UInt32(digit)
        }
        return unit
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
