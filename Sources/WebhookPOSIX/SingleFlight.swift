import Dispatch

/// Runs one computation per key at a time: callers arriving while it runs wait for its result
/// instead of starting their own (twenty pods of one new ServiceAccount make one GET).
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private final class Flight: Sendable {
        let done = DispatchSemaphore(value: 0)
        let state = Locked<(result: Value?, waiters: Int)>((nil, 0))
    }

    private let flights = Locked<[Key: Flight]>([:])

    /// No key in flight.
    public init() {}

    /// Runs `body` for `key`, or waits for the run already in flight until `deadline`.
    ///
    /// - Parameter timedOut: what a waiter gets when `deadline` passes first.
    public func run(_ key: Key, deadline: ContinuousClock.Instant, timedOut: Value, _ body: () -> Value) -> Value {
        let (flight, leads) = flights.withLock { map -> (Flight, Bool) in
            if let existing = map[key] {
                existing.state.withLock { $0.waiters += 1 }
                return (existing, false)
            }
            let flight = Flight()
            map[key] = flight
            return (flight, true)
        }
        if leads {
            let value = body()
            let waiters = flights.withLock { map in
                map[key] = nil
                return flight.state.withLock { state in
                    state.result = value
                    return state.waiters
                }
            }
            for _ in 0..<waiters { flight.done.signal() }
            return value
        }
        let remaining = deadline - .now
        guard remaining > .zero else { return timedOut }
        let (seconds, attoseconds) = remaining.components
        let nanoseconds = Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000)
        guard flight.done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return timedOut }
        return flight.state.withLock { $0.result } ?? timedOut
    }
}
