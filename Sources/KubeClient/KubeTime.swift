#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock timestamps as the API server writes them: `Time` (RFC 3339, seconds) and
/// `MicroTime` (RFC 3339 with six fraction digits), always UTC.
///
/// For what objects record for people and other tools to read (a Lease's renewTime, an Event's
/// timestamps); decisions about time use the monotonic clock, never these.
public struct KubeTime: Sendable, Equatable {
    /// Seconds since the epoch.
    public let seconds: Int
    /// Nanoseconds within the second.
    public let nanoseconds: Int

    public init(seconds: Int, nanoseconds: Int = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The wall clock now.
    public static func now() -> KubeTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return KubeTime(seconds: Int(now.tv_sec), nanoseconds: Int(now.tv_nsec))
    }

    /// `2026-01-02T03:04:05Z`.
    public var time: String { format(micro: false) }
    /// `2026-01-02T03:04:05.123456Z`.
    public var microTime: String { format(micro: true) }
    /// Nanoseconds since the epoch, as client-go suffixes Event names.
    public var unixNanoseconds: Int { seconds &* 1_000_000_000 &+ nanoseconds }

    private func format(micro: Bool) -> String {
        var value = seconds
        var parts = tm()
        gmtime_r(&value, &parts)
        func pad(_ number: Int, _ width: Int) -> String {
            let text = String(number)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
        text += "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
        if micro { text += ".\(pad(nanoseconds / 1000, 6))" }
        return text + "Z"
    }
}
