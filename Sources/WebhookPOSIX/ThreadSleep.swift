#if canImport(Glibc)
import Glibc
#endif

/// Blocking sleeps for owned threads (backoff between API retries); never call on the cooperative pool.
public enum ThreadSleep {
    /// Sleeps for `duration` (nothing for zero or negative durations).
    public static func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}
