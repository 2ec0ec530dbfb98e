/// Capped exponential backoff with jitter, for retrying the API server without hammering it.
///
/// The n-th delay is drawn from [base/2, base] where base = min(maximum, initial × 2ⁿ), so many
/// webhook replicas restarting together spread out, and no delay ever exceeds `maximum`.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    /// Failures since the last success.
    public private(set) var attempt = 0

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before the next retry; `jitter` is a random number in 0..<1.
    public mutating func next(jitter: Double) -> Duration {
        var base = initial
        for _ in 0..<min(attempt, 62) where base < maximum { base = base * 2 }
        base = min(base, maximum)
        attempt += 1
        return base * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }

    /// After a success: the next failure starts again from `initial`.
    public mutating func reset() {
        attempt = 0
    }
}
