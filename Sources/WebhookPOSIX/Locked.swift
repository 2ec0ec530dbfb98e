#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex: the lock every module here uses for shared state.
///
/// Why not `Synchronization.Mutex`: on Linux its contended path hands the lock over inside the
/// kernel (a priority-inheritance futex), which ThreadSanitizer cannot see, so every contended
/// critical section was reported as a data race and real races would have hidden among the
/// suppressions. A pthread mutex costs the same when uncontended (a compare-exchange in user
/// space) and ThreadSanitizer understands it.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
