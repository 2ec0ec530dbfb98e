#if canImport(Glibc)
import Glibc
#endif

/// Wakes the rotation loop early (a watch saw a change, or shutdown began), and tells shutdown
/// when the loop has ended.
///
/// A condition variable on the monotonic clock; a `trigger()` that arrives while the loop is busy
/// is remembered, so no change is ever missed (several collapse into one pass, which suffices:
/// each pass reads everything afresh). `@unchecked Sendable`: the pthread objects are only
/// touched under their own mutex.
final class ReconcileSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending = false
    private var stopped = false
    private var finished = false

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Asks for a pass as soon as possible.
    func trigger() {
        locked { pending = true }
    }

    /// Ends every current and future wait.
    func stop() {
        locked { stopped = true }
    }

    /// Waits until triggered, stopped, or `timeout` passed.
    ///
    /// - Returns: `false` once stopped, else `true` (triggered or timed out).
    func wait(timeout: Duration) -> Bool {
        waitLocked(timeout: timeout, until: { pending || stopped }) {
            pending = false
            return !stopped
        }
    }

    /// Records that the loop has ended (its thread touches nothing more).
    func markFinished() {
        locked { finished = true }
    }

    /// Waits until `markFinished()` or `timeout`; `true` if the loop ended.
    func waitUntilFinished(timeout: Duration) -> Bool {
        waitLocked(timeout: timeout, until: { finished }) { finished }
    }

    /// Under the mutex: sleeps until `done()` or the timeout, then returns `result()`.
    private func waitLocked(timeout: Duration, until done: () -> Bool, _ result: () -> Bool) -> Bool {
        var deadline = Self.monotonicDeadline(after: timeout)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !done() {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        return result()
    }

    private static func monotonicDeadline(after timeout: Duration) -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        return timespec(tv_sec: now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000, tv_nsec: nanoseconds % 1_000_000_000)
    }

    private func locked(_ body: () -> Void) {
        pthread_mutex_lock(mutex)
        body()
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
