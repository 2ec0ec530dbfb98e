import JSONText

/// A bounds-checked, non-recursive JSON scanner over the request body.
///
/// It validates as it goes (RFC 8259 grammar, UTF-8, nesting depth) and throws on anything
/// malformed or truncated; it never traps and never recurses on attacker-chosen depth. Callers
/// walk only the members they need with ``enterObject()``/``nextKey(_:)`` and skip the rest
/// with ``skipValue()``, which records nothing.
struct JSONScanner {
    /// How deep `skipValue` lets arrays and objects nest before refusing the input.
    static let maxDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Cursor state of one object or array being walked: whether a member was read yet.
    struct Cursor {
        fileprivate var first = true
    }

    /// The first byte of the next value, after whitespace, without consuming it.
    @inline(__always)
    mutating func peek() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        return bytes[position]
    }

    /// Checks that only whitespace follows the top-level value.
    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if position < bytes.count { throw error("unexpected data after the JSON value") }
    }

    /// Consumes `{`; then call ``nextKey(_:)`` until it returns nil.
    mutating func enterObject() throws(JSONError) -> Cursor {
        try expect(UInt8(ascii: "{"))
        return Cursor()
    }

    /// Consumes `[`; then call ``nextElement(_:)`` until it returns false.
    mutating func enterArray() throws(JSONError) -> Cursor {
        try expect(UInt8(ascii: "["))
        return Cursor()
    }

    /// The next member's key (its `:` consumed), or nil after the closing `}`.
    mutating func nextKey(_ cursor: inout Cursor) throws(JSONError) -> JSONSpan? {
        var byte = try peek()
        if byte == UInt8(ascii: "}") {
            position += 1
            return nil
        }
        if !cursor.first {
            guard byte == UInt8(ascii: ",") else { throw error("expected ',' or '}' in an object") }
            position += 1
            byte = try peek()
        }
        cursor.first = false
        guard byte == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
        let key = try scanString()
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Whether another element follows (positioned at it), or false after the closing `]`.
    mutating func nextElement(_ cursor: inout Cursor) throws(JSONError) -> Bool {
        let byte = try peek()
        if byte == UInt8(ascii: "]") {
            position += 1
            return false
        }
        if !cursor.first {
            guard byte == UInt8(ascii: ",") else { throw error("expected ',' or ']' in an array") }
            position += 1
        }
        cursor.first = false
        return true
    }

    /// Reads a string value (the scanner must be at its opening quote, after whitespace).
    mutating func scanString() throws(JSONError) -> JSONSpan {
        try expect(UInt8(ascii: "\""))
        let start = position
        let end = bytes.count
        var index = position
        var escaped = false
        while true {
            // The common case first: a run of printable ASCII, eight bytes at a time, stopping at
            // the first byte that needs attention; then one by one near the end of the input.
            while end - index >= 8 {
                let flags = Self.attentionFlags(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
                if flags != 0 {
                    index += flags.trailingZeroBitCount / 8
                    break
                }
                index += 8
            }
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
                index += 1
            }
            guard index < end else {
                position = index
                throw error("unterminated string")
            }
            let byte = bytes[index]
            position = index
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return JSONSpan(range: start..<index, hasEscapes: escaped)
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                try scanEscape()
            } else if byte < 0x20 {
                throw error("control character in a string")
            } else {
                try scanUTF8Sequence(lead: byte)
            }
            index = position
        }
    }

    /// Reads a number and returns its bytes.
    mutating func scanNumber() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard try digits() > 0 else { throw error("invalid number") }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard try digits() > 0 else { throw error("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard try digits() > 0 else { throw error("invalid number") }
        }
        return start..<position
    }

    /// Skips one value of any kind, validating it, with an explicit stack instead of recursion.
    mutating func skipValue() throws(JSONError) {
        var stack = NestingStack()
        while true {
            // Expecting a value.
            switch try peek() {
            case UInt8(ascii: "{"):
                position += 1
                if try peek() == UInt8(ascii: "}") {
                    position += 1
                } else {
                    try stack.push(object: true, scanner: self)
                    try memberKey()
                    continue
                }
            case UInt8(ascii: "["):
                position += 1
                if try peek() == UInt8(ascii: "]") {
                    position += 1
                } else {
                    try stack.push(object: false, scanner: self)
                    continue
                }
            case UInt8(ascii: "\""): _ = try scanString()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
            default: throw error("unexpected character")
            }
            // After a value: close containers until one continues with a comma.
            while true {
                guard let inObject = stack.top else { return }
                let byte = try peek()
                position += 1
                if byte == UInt8(ascii: ",") {
                    if inObject { try memberKey() }
                    break
                } else if byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    stack.pop()
                } else {
                    position -= 1
                    throw error(inObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
                }
            }
        }
    }

    /// Flags, in the high bit of each byte, the bytes of eight string bytes (loaded little-endian)
    /// that are a quote, a backslash, a control character or non-ASCII: the classic "has a zero
    /// byte" bit trick, applied to each condition. Flags above the first flagged byte may be
    /// spurious (a borrow runs upward), but the lowest flag is exact: no borrow reaches it.
    @inline(__always)
    private static func attentionFlags(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control | (word & highs)
    }

    /// An error at the current position.
    func error(_ message: String) -> JSONError {
        JSONError(message: message, offset: position)
    }

    // MARK: - Pieces

    /// The byte at the current position, or 0 at the end (0 never starts valid JSON here).
    private var current: UInt8 {
        position < bytes.count ? bytes[position] : 0
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws(JSONError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw expected(byte) }
        position += 1
    }

    @inline(never)
    private func expected(_ byte: UInt8) -> JSONError {
        position < bytes.count ? error("expected '\(Character(Unicode.Scalar(byte)))'") : error("unexpected end of input")
    }

    private mutating func memberKey() throws(JSONError) {
        guard try peek() == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
        _ = try scanString()
        try expect(UInt8(ascii: ":"))
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] {
            throw error("invalid literal")
        }
        position += count
    }

    private mutating func digits() throws(JSONError) -> Int {
        let start = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        return position - start
    }

    private mutating func scanEscape() throws(JSONError) {
        guard position + 1 < bytes.count else { throw error("unterminated string") }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard position + 5 < bytes.count else { throw error("unterminated string") }
            for offset in 2...5 where HexDigit.value(bytes[position + offset]) == nil {
                throw error("invalid \\u escape")
            }
            position += 6
        default:
            throw error("invalid escape in a string")
        }
    }

    /// Validates one multi-byte UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF).
    private mutating func scanUTF8Sequence(lead: UInt8) throws(JSONError) {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw error("invalid UTF-8")
        }
        guard bytes.count - position >= length else { throw error("invalid UTF-8") }
        let second = bytes[position + 1]
        guard second >= low, second <= high else { throw error("invalid UTF-8") }
        for offset in 2..<length where bytes[position + offset] & 0xC0 != 0x80 {
            throw error("invalid UTF-8")
        }
        position += length
    }
}

/// A stack of "object or array?" flags for ``JSONScanner/skipValue()``: 64 levels in one word,
/// deeper levels in an array, capped at ``JSONScanner/maxDepth``.
private struct NestingStack {
    private var word: UInt64 = 0
    private var overflow: [Bool] = []
    private var depth = 0

    var top: Bool? {
        guard depth > 0 else { return nil }
        if depth > 64 { return overflow[depth - 65] }
        return word & (1 << UInt64(depth - 1)) != 0
    }

    mutating func push(object: Bool, scanner: JSONScanner) throws(JSONError) {
        guard depth < JSONScanner.maxDepth else {
            throw scanner.error("nesting deeper than \(JSONScanner.maxDepth) levels")
        }
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            word = object ? word | bit : word & ~bit
        } else {
            overflow.append(object)
        }
        depth += 1
    }

    mutating func pop() {
        if depth > 64 { overflow.removeLast() }
        depth -= 1
    }
}
