/// A TLS failure, captured where it happened with OpenSSL's error queue.
public enum TLSError: Error, Equatable, Sendable {
    case openssl(operation: String, message: String)
}
