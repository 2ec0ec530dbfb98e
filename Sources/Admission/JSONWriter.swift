import JSONText

/// Appends JSON text to a byte buffer: escaped strings, JSON Pointer tokens, numbers, base64.
///
/// The patch operations and the AdmissionReview response are written with it, so nothing on
/// the hot path goes through Foundation or a typed model.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends JSON text as is.
    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends JSON text this webhook wrote earlier, as is.
    mutating func raw(_ text: [UInt8]) {
        bytes.append(contentsOf: text)
    }

    /// Appends a quoted, escaped JSON string.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { escape($0, pointer: false) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a quoted, escaped JSON string from ASCII text.
    mutating func string(_ value: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        escape(UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount), pointer: false)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends one JSON Pointer reference token (`~` → `~0`, `/` → `~1`), JSON-escaped, no quotes.
    mutating func pointerToken(_ value: StaticString) {
        escape(UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount), pointer: true)
    }

    /// Appends a decimal integer.
    mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends `data` as standard base64 with padding (RFC 4648 §4), unquoted.
    mutating func base64(_ data: [UInt8]) {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let table = UnsafeBufferPointer(start: alphabet.utf8Start, count: 64)
        let encoded = [UInt8](unsafeUninitializedCapacity: (data.count + 2) / 3 * 4) { out, initialized in
            data.withUnsafeBufferPointer { input in
                var index = 0
                var position = 0
                while index + 3 <= input.count {
                    let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                    out[position] = table[Int(chunk >> 18)]
                    out[position + 1] = table[Int(chunk >> 12 & 0x3F)]
                    out[position + 2] = table[Int(chunk >> 6 & 0x3F)]
                    out[position + 3] = table[Int(chunk & 0x3F)]
                    index += 3
                    position += 4
                }
                let rest = input.count - index
                if rest > 0 {
                    let chunk = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
                    out[position] = table[Int(chunk >> 18)]
                    out[position + 1] = table[Int(chunk >> 12 & 0x3F)]
                    out[position + 2] = rest == 2 ? table[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "=")
                    out[position + 3] = UInt8(ascii: "=")
                    position += 4
                }
                initialized = position
            }
        }
        bytes.append(contentsOf: encoded)
    }

    private mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>, pointer: Bool) {
        JSONString.appendEscaped(utf8, pointerToken: pointer, into: &bytes)
    }
}
