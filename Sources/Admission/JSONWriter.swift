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

    /// Appends bytes as is.
    mutating func raw(_ other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
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
        let table = alphabet.utf8Start
        bytes.reserveCapacity(bytes.count + (data.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= data.count {
            let chunk = UInt32(data[index]) << 16 | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2])
            bytes.append(table[Int(chunk >> 18)])
            bytes.append(table[Int(chunk >> 12 & 0x3F)])
            bytes.append(table[Int(chunk >> 6 & 0x3F)])
            bytes.append(table[Int(chunk & 0x3F)])
            index += 3
        }
        let rest = data.count - index
        if rest > 0 {
            let chunk = UInt32(data[index]) << 16 | (rest == 2 ? UInt32(data[index + 1]) << 8 : 0)
            bytes.append(table[Int(chunk >> 18)])
            bytes.append(table[Int(chunk >> 12 & 0x3F)])
            bytes.append(rest == 2 ? table[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "="))
            bytes.append(UInt8(ascii: "="))
        }
    }

    private mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>, pointer: Bool) {
        let hex: StaticString = "0123456789abcdef"
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case UInt8(ascii: "~") where pointer: raw("~0")
            case UInt8(ascii: "/") where pointer: raw("~1")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(hex.utf8Start[Int(byte >> 4)])
                bytes.append(hex.utf8Start[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
    }
}
