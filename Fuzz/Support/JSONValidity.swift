/// A strict RFC 8259 syntax check, independent of the scanner under test, for fuzz oracles.
///
/// Iterative (an explicit stack), so a deep document cannot exhaust the fuzzer's stack.
enum JSONValidity {
    /// Whether `bytes` is exactly one JSON value, optionally surrounded by whitespace.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var checker = Checker(bytes: bytes)
        return checker.document()
    }

    /// The first byte that is not JSON whitespace, if any.
    static func firstSignificantByte(_ bytes: [UInt8]) -> UInt8? {
        bytes.first { !isWhitespace($0) }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private struct Checker {
        let bytes: [UInt8]
        var index = 0

        /// What the innermost open container expects next.
        enum Frame { case arrayStart, arrayNext, objectStart, objectNext }

        mutating func document() -> Bool {
            var stack: [Frame] = []
            skipWhitespace()
            guard value(&stack) else { return false }
            while let top = stack.last {
                skipWhitespace()
                guard index < bytes.count else { return false }
                let byte = bytes[index]
                switch top {
                case .arrayStart, .arrayNext:
                    if byte == UInt8(ascii: "]") {
                        index += 1
                        stack.removeLast()
                        continue
                    }
                    if top == .arrayNext {
                        guard byte == UInt8(ascii: ",") else { return false }
                        index += 1
                        skipWhitespace()
                    }
                    stack[stack.count - 1] = .arrayNext
                    guard value(&stack) else { return false }
                case .objectStart, .objectNext:
                    if byte == UInt8(ascii: "}") {
                        index += 1
                        stack.removeLast()
                        continue
                    }
                    if top == .objectNext {
                        guard byte == UInt8(ascii: ",") else { return false }
                        index += 1
                        skipWhitespace()
                    }
                    stack[stack.count - 1] = .objectNext
                    guard string() else { return false }
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                    index += 1
                    skipWhitespace()
                    guard value(&stack) else { return false }
                }
            }
            skipWhitespace()
            return index == bytes.count
        }

        /// Reads a scalar, or opens a container by pushing a frame.
        mutating func value(_ stack: inout [Frame]) -> Bool {
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"): index += 1; stack.append(.objectStart); return true
            case UInt8(ascii: "["): index += 1; stack.append(.arrayStart); return true
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: String) -> Bool {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else {
                return false
            }
            index += expected.count
            return true
        }

        mutating func digits() -> Int {
            let begin = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - begin
        }

        mutating func number() -> Bool {
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                return false
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return false }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return false }
            }
            return true
        }

        /// A string with valid escapes, no raw control characters, and valid UTF-8.
        mutating func string() -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
            index += 1
            let begin = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let valid = String(validating: bytes[begin..<index], as: UTF8.self) != nil
                    index += 1
                    return valid
                }
                if byte < 0x20 { return false }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count else { return false }
                    switch bytes[index] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 1
                    case UInt8(ascii: "u"):
                        guard index + 4 < bytes.count,
                              bytes[index + 1...index + 4].allSatisfy({ isHexDigit($0) })
                        else { return false }
                        index += 5
                    default:
                        return false
                    }
                    continue
                }
                index += 1
            }
            return false
        }

        mutating func skipWhitespace() {
            while index < bytes.count, JSONValidity.isWhitespace(bytes[index]) { index += 1 }
        }

        func isHexDigit(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
        }
    }
}
