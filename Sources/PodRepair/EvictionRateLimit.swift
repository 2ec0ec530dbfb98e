/// At most `limit` evictions in any 60-second window: the times of the last `limit` attempts,
/// and a new one only when the oldest is a minute old.
///
/// Attempts count, whatever their answer, so a PodDisruptionBudget refusing evictions cannot
/// make repair hammer the API server.
public struct EvictionRateLimit: Sendable {
    public let limit: Int
    private var attempts: [ContinuousClock.Instant] = []
    private static let window = Duration.seconds(60)

    /// - Parameter limit: attempts per minute, at least 1.
    public init(perMinute limit: Int) {
        self.limit = max(1, limit)
    }

    /// When the next attempt is allowed (`now` or earlier when it is allowed now).
    public func nextAllowed(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        attempts.count < limit ? now : attempts[attempts.count - limit] + Self.window
    }

    /// Takes a slot for an attempt at `now`; `false` (and nothing taken) when the limit is reached.
    public mutating func take(now: ContinuousClock.Instant) -> Bool {
        guard nextAllowed(now: now) <= now else { return false }
        attempts.append(now)
        if attempts.count > limit { attempts.removeFirst(attempts.count - limit) }
        return true
    }
}
