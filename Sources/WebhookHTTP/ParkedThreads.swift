import WebhookPOSIX

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
final class ParkedThreads: Sendable {
    private struct State {
        var parked = 0
        var waiting: [Int32] = []
        var closed = false
    }

    private let state = LockedCondition(State())
    private let capacity: Int
    private let idleLifetime: Duration

    init(capacity: Int, idleLifetime: Duration) {
        self.capacity = capacity
        self.idleLifetime = idleLifetime
    }

    /// Gives the accepted socket `fd` to a parked thread.
    ///
    /// - Returns: false when no parked thread is free; the caller starts a thread for `fd`.
    func handOver(_ fd: Int32) -> Bool {
        state.update(waking: .one) { state in
            guard state.parked > state.waiting.count else { return false }
            state.waiting.append(fd)
            return true
        }
    }

    /// Parks the calling thread until a connection is handed over.
    ///
    /// - Returns: the connection's socket, or nil when the thread should exit instead.
    func next() -> Int32? {
        let parks = state.update(waking: .none) { state in
            guard !state.closed, state.parked < capacity else { return false }
            state.parked += 1
            return true
        }
        guard parks else { return nil }
        return state.wait(timeout: idleLifetime, until: { !$0.waiting.isEmpty || $0.closed }) { state in
            state.parked -= 1
            return state.waiting.isEmpty ? nil : state.waiting.removeFirst()
        }
    }

    /// Wakes every parked thread to exit; connections already handed over are still served.
    func close() {
        state.update { $0.closed = true }
    }
}
