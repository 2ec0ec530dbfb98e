/// A pod's `metadata.uid` in 16 bytes when it is a canonical lower-case UUID (as the API server
/// makes them), else as text.
///
/// Why its own type: repair keeps one per labelled pod, and a 36-character string costs a heap
/// allocation each; the uid keys the pod store and conditions every eviction.
public struct PodUID: Hashable, Sendable, CustomStringConvertible {
    private enum Storage: Hashable, Sendable {
        case uuid(UInt64, UInt64)
        case text(String)
    }

    private let storage: Storage

    public init(_ text: String) {
        storage = Self.parse(text).map { .uuid($0.0, $0.1) } ?? .text(text)
    }

    /// The uid exactly as the API server wrote it.
    public var description: String {
        switch storage {
        case let .text(text): return text
        case let .uuid(high, low):
            let hex = Array("0123456789abcdef".utf8)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(36)
            for index in 0..<32 {
                if index == 8 || index == 12 || index == 16 || index == 20 { bytes.append(UInt8(ascii: "-")) }
                let word = index < 16 ? high : low
                let shift = UInt64(60 - 4 * (index % 16))
                bytes.append(hex[Int((word >> shift) & 0xF)])
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The two halves of `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex.
    private static func parse(_ text: String) -> (UInt64, UInt64)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0, digits = 0
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            if digits < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
            digits += 1
        }
        return (high, low)
    }
}
