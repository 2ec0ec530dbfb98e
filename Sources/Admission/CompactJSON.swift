/// Compares JSON text from a request with compact JSON this webhook writes, ignoring the
/// whitespace between tokens: a pod mutated by us reads back equal however it was re-indented.
enum CompactJSON {
    /// Whether `raw` is `compact` with only insignificant whitespace added.
    static func matches(_ raw: Slice<UnsafeBufferPointer<UInt8>>, _ compact: [UInt8]) -> Bool {
        var position = 0
        var inString = false
        var escaped = false
        for byte in raw {
            if !inString, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { continue }
            guard position < compact.count, compact[position] == byte else { return false }
            position += 1
            if escaped {
                escaped = false
            } else if inString, byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString.toggle()
            }
        }
        return position == compact.count
    }
}
