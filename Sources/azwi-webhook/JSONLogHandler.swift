#if canImport(Glibc)
import JSONText
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
        var line = format(event)
        line.append(UInt8(ascii: "\n"))
        Standard.errorLine(line)
    }

    /// The JSON object for one event, without the newline.
    func format(_ event: LogEvent) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(contentsOf: #"{"ts":"#.utf8)
        Self.appendTimestamp(to: &out)
        out.append(contentsOf: #","level":"#.utf8)
        JSONString.write(event.level.rawValue, into: &out)
        out.append(contentsOf: #","logger":"#.utf8)
        JSONString.write(label, into: &out)
        out.append(contentsOf: #","msg":"#.utf8)
        JSONString.write(event.message.description, into: &out)
        let fields = mergedMetadata(event)
        for key in fields.keys.sorted() where !Self.isStandardField(key) {
            out.append(UInt8(ascii: ","))
            JSONString.write(key, into: &out)
            out.append(UInt8(ascii: ":"))
            LogMetadataJSON.appendValue(fields[key]!, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The handler's, the provider's and the event's metadata, later ones winning; no copy or
    /// merge in the common case of an admission line, whose metadata is all the event's.
    private func mergedMetadata(_ event: LogEvent) -> Logger.Metadata {
        let provided = metadataProvider?.get() ?? [:]
        var fields: Logger.Metadata
        if metadata.isEmpty && provided.isEmpty {
            fields = event.metadata ?? [:]
        } else {
            fields = metadata
            fields.merge(provided) { _, new in new }
            if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        }
        if let error = event.error { fields["error"] = .string("\(error)") }
        return fields
    }

    /// The fields every line starts with, which metadata cannot override.
    private static func isStandardField(_ key: String) -> Bool {
        switch key {
        case "ts", "level", "logger", "msg": true
        default: false
        }
    }

    /// Appends the current UTC time as quoted RFC 3339 with milliseconds (`"2026-11-23T10:15:20.123Z"`), digit by digit:
    /// this runs once per admission, so it builds no intermediate strings.
    static func appendTimestamp(to out: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var remainder = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(remainder / divisor % 10))
                remainder %= divisor
                divisor /= 10
            }
        }
        out.append(UInt8(ascii: "\""))
        digits(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec) / 1_000_000, 3)
        out.append(contentsOf: "Z\"".utf8)
    }
}
