internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// A TLS or socket failure, captured where it happened.
///
/// OpenSSL failures carry the thread's error queue as text, socket failures carry `errno` and its
/// message, so a log line says what went wrong without a second lookup.
public enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An OpenSSL call failed; `message` is the drained error queue (or the `SSL_get_error` code).
    case openssl(operation: String, message: String)
    /// A system call failed with `errno`.
    case system(operation: String, errno: Int32, message: String)
    /// The operation did not finish before its deadline.
    case timedOut(operation: String)
    /// The peer closed the connection (clean TLS close_notify or TCP end of stream mid-operation).
    case closed
    /// The wake descriptor fired: the owner asked the operation to stop (server shutdown).
    case interrupted
    /// An argument or configuration value was refused before any I/O.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .openssl(operation, message): "\(operation) failed: \(message)"
        case let .system(operation, code, message): "\(operation) failed: \(message) (errno \(code))"
        case let .timedOut(operation): "\(operation) timed out"
        case .closed: "connection closed by peer"
        case .interrupted: "operation interrupted by shutdown"
        case let .invalidConfiguration(message): message
        }
    }

    /// Builds an `.openssl` error from the thread's OpenSSL error queue, draining it.
    static func openssl(_ operation: String, detail: String? = nil) -> TLSError {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        if let detail { messages.insert(detail, at: 0) }
        return .openssl(operation: operation, message: messages.isEmpty ? "unknown error" : messages.joined(separator: "; "))
    }

    /// Builds a `.system` error from the current `errno` (or `code`), with its message.
    public static func system(_ operation: String, errno code: Int32? = nil) -> TLSError {
        let code = code ?? errno
        return .system(operation: operation, errno: code, message: String(cString: strerror(code)))
    }
}
