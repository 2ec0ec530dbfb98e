#if canImport(Glibc)
import Glibc
#endif

/// Connection threads that have served their connection and wait a while to serve the next one.
///
/// Why: a thread per connection is the server's model, but starting one costs `pthread_create`
/// and then OpenSSL setting up, and at the thread's end freeing, its per-thread random
/// generators and error state — together 60–75 µs of the ~0.8 ms of CPU a new TLS connection
/// costs. A thread that has served a connection parks here instead of exiting; the acceptor
/// hands the next connection to a parked thread when one is free and starts a thread only when
/// none is. A thread leaves after `idleLifetime` without work, when `capacity` threads are
/// parked already, or when the server shuts down.
///
/// A handed-over connection is never stranded: it is handed over only while more threads are
/// parked than connections wait, and a parked thread leaving for any reason takes a waiting
/// connection first.
final class ParkedThreads: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeup = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let capacity: Int
    private let idleLifetime: Duration
    // Guarded by `mutex`.
    private var parked = 0
    private var waiting: [Int32] = []
    private var closed = false

    init(capacity: Int, idleLifetime: Duration) {
        self.capacity = capacity
        self.idleLifetime = idleLifetime
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wakeup, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(wakeup)
        pthread_mutex_destroy(mutex)
        wakeup.deallocate()
        mutex.deallocate()
    }

    /// Gives the accepted socket `fd` to a parked thread.
    ///
    /// - Returns: false when no parked thread is free; the caller starts a thread for `fd`.
    func handOver(_ fd: Int32) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard parked > waiting.count else { return false }
        waiting.append(fd)
        pthread_cond_signal(wakeup)
        return true
    }

    /// Parks the calling thread until a connection is handed over.
    ///
    /// - Returns: the connection's socket, or nil when the thread should exit instead.
    func next() -> Int32? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !closed, parked < capacity else { return nil }
        parked += 1
        defer { parked -= 1 }
        var deadline = Self.monotonicNow(plus: idleLifetime)
        while waiting.isEmpty, !closed {
            if pthread_cond_timedwait(wakeup, mutex, &deadline) == ETIMEDOUT { break }
        }
        return waiting.isEmpty ? nil : waiting.removeFirst()
    }

    /// Wakes every parked thread to exit; connections already handed over are still served.
    func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(wakeup)
        pthread_mutex_unlock(mutex)
    }

    private static func monotonicNow(plus duration: Duration) -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = duration.components
        var nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var wholeSeconds = Int(now.tv_sec) + Int(seconds)
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            wholeSeconds += 1
        }
        return timespec(tv_sec: wholeSeconds, tv_nsec: nanoseconds)
    }
}
