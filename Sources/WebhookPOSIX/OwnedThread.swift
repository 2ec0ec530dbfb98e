#if canImport(Glibc)
import Glibc
#endif

/// Starts detached pthreads with a small stack, for blocking work kept off the Swift
/// cooperative pool (connection loops, the acceptor, the certificate reloader).
public enum OwnedThread {
    private final class Job: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Runs `body` on a new detached thread.
    ///
    /// - Parameter stackSize: bytes of stack (only touched pages cost memory).
    /// - Throws: `SystemError.failed` when the thread cannot be created (e.g. thread limit reached).
    public static func start(stackSize: Int = 256 * 1024, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let job = Unmanaged.passRetained(Job(body)).toOpaque()
        let rc = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, job)
        if rc != 0 {
            Unmanaged<Job>.fromOpaque(job).release()
            throw .failed("pthread_create", errno: rc)
        }
    }
}
