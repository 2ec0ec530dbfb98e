internal import COpenSSL

/// Keeps OpenSSL's global state alive until the process is gone.
///
/// By default OpenSSL frees its global state in an `atexit` handler. Threads still running at
/// exit (ServiceAccount watches, the certificate rotator, a connection thread finishing) then use
/// freed memory, and the exit of a server that drained cleanly can crash (AddressSanitizer showed
/// use-after-free in OpenSSL's provider tables). The executable calls this before anything else.
public enum OpenSSLProcessState {
    /// Initialises OpenSSL without its exit-time cleanup; must come before any other OpenSSL call.
    public static func keepUntilExit() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
    }
}
