/// How long an admission may spend looking up its ServiceAccount, from the apiserver's `?timeout=`.
///
/// The apiserver appends the webhook's `timeoutSeconds` to the URL (`?timeout=10s`) and gives up
/// on the call after that long. A lookup that outlives it is wasted, and an answer that arrives
/// late is the same as none (the pod fails or is admitted unmutated, depending on
/// `failurePolicy`), so lookups stop `margin` before the apiserver would.
enum AdmissionDeadline {
    /// The timeout assumed when the URL carries none: the apiserver's default `timeoutSeconds`.
    static let defaultTimeout = Duration.seconds(10)
    /// Time kept back for admitting, writing the response and the network.
    static let margin = Duration.milliseconds(250)
    /// The shortest lookup budget: a tiny `timeout` still allows a cache hit.
    static let minimumBudget = Duration.milliseconds(50)

    /// The lookup budget for a request whose query string is `query`.
    static func budget(query: String?) -> Duration {
        var timeout = defaultTimeout
        if let query {
            for pair in query.split(separator: "&") where pair.hasPrefix("timeout=") {
                if let parsed = parseGoDuration(pair.dropFirst("timeout=".count)) { timeout = parsed }
            }
        }
        return max(minimumBudget, timeout - margin)
    }

    /// Parses a Go `time.Duration` string such as `10s`, `1m30s`, `1.5s` or `500ms`.
    ///
    /// - Returns: nil for anything else, including negative or empty durations.
    static func parseGoDuration(_ text: Substring) -> Duration? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = text
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total.isFinite, total <= 3600 else { return nil }
        return .nanoseconds(Int64(total * 1e9))
    }
}
