internal import COpenSSL

/// OpenSSL's per-thread state (each thread's random generators), released on demand.
///
/// OpenSSL frees it by itself when a thread ends. A connection thread, though, tells the server
/// it is done before it ends, and the process may exit in between, leaving that state behind
/// (LeakSanitizer reports it). Releasing it first keeps shutdown exact.
public enum OpenSSLThreadState {
    /// Frees the calling thread's OpenSSL state; OpenSSL makes new state if the thread uses it again.
    public static func release() {
        OPENSSL_thread_stop()
    }
}
