import ArgumentParser

/// A duration flag value: seconds (`10`, `0.5`) or a Go duration (`10s`, `500ms`, `2m`).
///
/// Operators coming from upstream write Go durations; plain seconds are what the help shows.
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible {
    let duration: Duration
    let description: String

    init(seconds: Int) {
        duration = .seconds(seconds)
        description = "\(seconds)s"
    }

    init(minutes: Int) {
        duration = .seconds(minutes * 60)
        description = "\(minutes)m"
    }

    init?(argument: String) {
        if let seconds = Double(argument), seconds.isFinite, seconds > 0, seconds <= 3600 {
            duration = .nanoseconds(Int64(seconds * 1e9))
        } else if let parsed = AdmissionDeadline.parseGoDuration(Substring(argument)), parsed > .zero {
            duration = parsed
        } else {
            return nil
        }
        description = argument
    }

    var defaultValueDescription: String { description }
}
