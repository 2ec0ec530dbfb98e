import JSONText

/// Compares JSON text from a request with compact JSON this webhook writes, as JSON values rather
/// than as bytes: whitespace between tokens and the way a string is escaped (`\/` or `/`,
/// `\u0041` or `A`) do not count, so a pod mutated by us reads back as equal however a client
/// re-encoded it. Member order still counts (the API server keeps its own).
enum CompactJSON {
    /// Whether `raw` and `compact` are the same JSON text up to whitespace and string escapes.
    static func matches(_ raw: Slice<UnsafeBufferPointer<UInt8>>, _ compact: [UInt8]) -> Bool {
        let rawText = canonical(UnsafeBufferPointer(rebasing: raw))
        return compact.withUnsafeBufferPointer { canonical($0) } == rawText
    }

    /// `bytes` without whitespace outside strings, each string re-escaped the one way we write it.
    private static func canonical(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            case UInt8(ascii: "\""):
                var end = index + 1
                var escaped = false
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\") {
                        escaped = true
                        end += 1
                    }
                    end += 1
                }
                let span = JSONSpan(range: (index + 1)..<min(end, bytes.count), hasEscapes: escaped)
                JSONString.write(span.decode(in: bytes), into: &out)
                index = end + 1
            default:
                out.append(byte)
                index += 1
            }
        }
        return out
    }
}
