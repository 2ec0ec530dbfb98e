#if canImport(Glibc)
import Glibc
#endif
import Logging

/// A swift-log handler that writes one JSON object per line to standard error.
///
/// Log collectors (Fluent Bit, the Azure Monitor agent) parse one object per line without
/// configuration, which is why the server logs JSON by default, as upstream does. Each line is
/// written with one `write(2)`, so lines from concurrent connection threads never interleave.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        Standard.error(String(decoding: format(event), as: UTF8.self))
    }

    /// The JSON object for one event, without the newline.
    func format(_ event: LogEvent) -> [UInt8] {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        if let error = event.error { fields["error"] = .string("\(error)") }

        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: #"{"ts":"#.utf8)
        JSONText.appendString(Self.timestamp(), to: &out)
        out.append(contentsOf: #","level":"#.utf8)
        JSONText.appendString(event.level.rawValue, to: &out)
        out.append(contentsOf: #","logger":"#.utf8)
        JSONText.appendString(label, to: &out)
        out.append(contentsOf: #","msg":"#.utf8)
        JSONText.appendString(event.message.description, to: &out)
        for key in fields.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendValue(fields[key]!, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The current UTC time as RFC 3339 with milliseconds, e.g. `2026-11-23T10:15:20.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
