import WebhookPOSIX

/// Wakes the rotation loop early (a watch saw a change, or shutdown began), and tells shutdown
/// when the loop has ended.
///
/// A `trigger()` that arrives while the loop is busy is remembered, so no change is ever missed
/// (several collapse into one pass, which suffices: each pass reads everything afresh).
final class ReconcileSignal: Sendable {
    private struct State {
        var pending = false
        var stopped = false
        var finished = false
    }

    private let state = LockedCondition(State())

    /// Asks for a pass as soon as possible.
    func trigger() {
        state.update { $0.pending = true }
    }

    /// Ends every current and future wait.
    func stop() {
        state.update { $0.stopped = true }
    }

    /// Waits until triggered, stopped, or `timeout` passed.
    ///
    /// - Returns: `false` once stopped, else `true` (triggered or timed out).
    func wait(timeout: Duration) -> Bool {
        state.wait(timeout: timeout, until: { $0.pending || $0.stopped }) { state in
            state.pending = false
            return !state.stopped
        }
    }

    /// Records that the loop has ended (its thread touches nothing more).
    func markFinished() {
        state.update { $0.finished = true }
    }

    /// Waits until `markFinished()` or `timeout`; `true` if the loop ended.
    func waitUntilFinished(timeout: Duration) -> Bool {
        state.wait(timeout: timeout, until: { $0.finished }) { $0.finished }
    }
}
