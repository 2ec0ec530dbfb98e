#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex, with a condition variable on the monotonic clock: for a
/// thread that sleeps until another thread changes the value, or until a timeout passes.
///
/// Why its own type: threads here block on POSIX primitives off the Swift cooperative pool (the
/// rotation loop, parked connection threads), and a pthread mutex is what ThreadSanitizer can
/// see (see ``Locked``). The wait is on the monotonic clock, so a change of the wall clock
/// neither cuts a wait short nor stretches it.
public final class LockedCondition<Value>: @unchecked Sendable {
    /// Which waiters a change wakes.
    public enum Wake: Sendable {
        /// None: the change is nothing a waiter waits for.
        case none
        /// One waiter: the change is work for a single thread.
        case one
        /// Every waiter.
        case all
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
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

    /// Changes the value under the mutex, then wakes `wake` waiters.
    public func update<Result>(waking wake: Wake = .all, _ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let result = body(&value)
        switch wake {
        case .none: break
        case .one: pthread_cond_signal(condition)
        case .all: pthread_cond_broadcast(condition)
        }
        return result
    }

    /// Sleeps until `ready(value)` or `timeout` has passed, then runs `body` on the value; both
    /// checks and `body` run under the mutex, so no change between them is missed.
    public func wait<Result>(timeout: Duration, until ready: (Value) -> Bool, then body: (inout Value) -> Result) -> Result {
        var deadline = Self.monotonicDeadline(after: timeout)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(value) {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        return body(&value)
    }

    private static func monotonicDeadline(after timeout: Duration) -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        return timespec(tv_sec: now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000, tv_nsec: nanoseconds % 1_000_000_000)
    }
}
