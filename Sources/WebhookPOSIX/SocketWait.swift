#if canImport(Glibc)
import Glibc
#endif

/// `poll` on one descriptor (plus an optional wake descriptor) until it is ready or a deadline passes.
public enum SocketWait {
    /// Waits until `fd` reports one of `events`, an error or hang-up (the next call reports those).
    /// A deadline already passed still looks once, so `.now` asks "ready at this moment?".
    ///
    /// - Throws: `.timedOut(operation)` at the deadline, `.interrupted` when `wakeFD` is readable
    ///   and `fd` is not.
    public static func wait(
        fd: Int32, events: Int16, deadline: ContinuousClock.Instant, wakeFD: Int32?, operation: String
    ) throws(SystemError) {
        var fds = (pollfd(fd: fd, events: events, revents: 0), pollfd(fd: wakeFD ?? -1, events: Int16(POLLIN), revents: 0))
        while true {
            let timeout = millisecondsUntil(deadline)  // 0 at the deadline: one last look, no wait
            let rc = withUnsafeMutableBytes(of: &fds) { raw in
                poll(raw.baseAddress!.assumingMemoryBound(to: pollfd.self), wakeFD == nil ? 1 : 2, timeout)
            }
            if rc < 0 {
                if errno == EINTR { continue }
                throw .failed("poll")
            }
            if rc == 0 {
                if timeout == 0 { throw .timedOut(operation: operation) }
                continue  // re-check the deadline; rounding may have woken us early
            }
            // Data first: a request that arrived with the shutdown signal is still read and answered.
            if fds.0.revents != 0 { return }
            if fds.1.revents != 0 { throw .interrupted }
        }
    }

    /// Milliseconds left until `deadline`, rounded up, at least 1 while time remains; 0 when passed.
    public static func millisecondsUntil(_ deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = deadline - ContinuousClock.now
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        guard seconds < 86_400 else { return 86_400_000 }  // poll again after a day; avoids overflow
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(1, milliseconds))
    }
}
