#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, received synchronously with `sigwait` instead of a signal handler.
///
/// `block()` must run before any thread starts: threads inherit the mask, so the signals stay
/// pending until the one thread calling `wait()` takes them, and no connection thread is ever
/// interrupted mid-write. SIGPIPE is ignored, so a peer that vanishes is an error, not a kill.
enum ShutdownSignals {
    /// Blocks SIGTERM and SIGINT in the calling thread (and every thread it starts later).
    static func block() {
        signal(SIGPIPE, SIG_IGN)
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for SIGTERM or SIGINT and returns its name.
    static func wait() -> String {
        var set = signalSet()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received == SIGTERM ? "SIGTERM" : "SIGINT"
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }
}
