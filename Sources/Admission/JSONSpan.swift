import JSONText

/// Where a JSON string sits in the request body: the bytes between its quotes, undecoded.
///
/// The scanner records spans instead of building Strings, so the hot path decodes only the few
/// values it really needs (container names, annotation values) and compares the rest in place.
struct JSONSpan: Sendable, Equatable {
    /// The bytes between the quotes.
    let range: Range<Int>
    /// Whether the string contains a backslash escape, so its bytes are not its value.
    let hasEscapes: Bool

    /// Whether the string's value equals `literal` (ASCII, no escapes needed).
    func equals(_ literal: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if hasEscapes { return decode(in: bytes) == literal.description }
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let base = literal.utf8Start
        var offset = 0
        for index in range {
            if bytes[index] != base[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Whether the string's value starts with `prefix` (ASCII).
    func hasPrefix(_ prefix: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if hasEscapes { return decode(in: bytes).hasPrefix(prefix.description) }
        let count = prefix.utf8CodeUnitCount
        guard range.count >= count else { return false }
        let base = prefix.utf8Start
        for offset in 0..<count where bytes[range.lowerBound + offset] != base[offset] { return false }
        return true
    }

    /// The string's value, with escapes resolved (lone surrogates become U+FFFD, as in Go).
    func decode(in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        if !hasEscapes { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            // The scanner validated every escape, so the bytes read below exist.
            let kind = raw[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = Self.hex4(raw, index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 5 < raw.count,
                   raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") {
                    let low = Self.hex4(raw, index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: UTF8.encode(value)!)
            default: out.append(kind) // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ start: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in start..<(start + 4) {
            value = value << 4 | UInt32(HexDigit.value(raw[index]) ?? 0)
        }
        return value
    }
}
