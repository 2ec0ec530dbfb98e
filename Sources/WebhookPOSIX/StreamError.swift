/// Why a ``ByteStream`` operation failed: the socket under it, or the protocol layered on it.
///
/// Why it exists: the HTTP server and client speak to plain TCP and to TLS through one protocol,
/// so its error must say both "the socket failed" (``SystemError``, including closed, timed out
/// and interrupted) and "TLS failed" without this module knowing TLS. WebhookTLS fills
/// ``protocolFailure(operation:message:)`` from its own error.
public enum StreamError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The socket call failed, timed out, was interrupted, or the peer closed.
    case system(SystemError)
    /// The protocol over the socket (TLS) failed; `message` is that layer's account (OpenSSL's error queue).
    case protocolFailure(operation: String, message: String)

    public var description: String {
        switch self {
        case let .system(error): error.description
        case let .protocolFailure(operation, message): "\(operation) failed: \(message)"
        }
    }
}
