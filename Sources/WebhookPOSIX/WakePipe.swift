#if canImport(Glibc)
import Glibc
#endif

/// A one-shot wake-up signal that any number of threads can `poll` on.
///
/// `signal()` writes one byte that nobody reads, so the read end stays readable for good: every
/// poller, now or later, wakes (server shutdown, reloader stop).
public final class WakePipe: Sendable {
    /// The descriptor to include in a `poll` set (readable once signalled).
    public let readFD: Int32
    private let writeFD: Int32

    public init() throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .failed("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        _ = close(readFD)
        _ = close(writeFD)
    }

    /// Wakes every current and future waiter.
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Whether `signal()` was called.
    public var isSignalled: Bool {
        var entry = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1
    }

    /// Sleeps until `deadline` or until signalled; returns `true` when signalled.
    public func wait(until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            var entry = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let timeout = SocketWait.millisecondsUntil(deadline)
            if timeout == 0 { return isSignalled }
            let rc = poll(&entry, 1, timeout)
            if rc > 0 { return true }
            if rc < 0, errno != EINTR { return isSignalled }
        }
    }
}
