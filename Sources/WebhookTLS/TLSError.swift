internal import COpenSSL
public import WebhookPOSIX

/// A TLS failure, captured where it happened.
///
/// OpenSSL failures carry the thread's error queue as text. The socket or file under a TLS
/// operation fails with a ``SystemError`` (errno, timeout, peer closed, shutdown), carried as is
/// in ``system(_:)`` so a log line says what went wrong without a second lookup.
public enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An OpenSSL call failed; `message` is the drained error queue (or the `SSL_get_error` code).
    case openssl(operation: String, message: String)
    /// The socket or file under the TLS operation failed, timed out, closed or was interrupted.
    case system(SystemError)
    /// An argument or configuration value was refused before any I/O.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .openssl(operation, message): "\(operation) failed: \(message)"
        case let .system(error): error.description
        case let .invalidConfiguration(message): message
        }
    }

    /// The same failure as a ``StreamError``, for the ``ByteStream`` calls of a TLS connection
    /// and for callers that treat TCP and TLS alike.
    public var streamError: StreamError {
        switch self {
        case let .system(error): .system(error)
        case let .openssl(operation, message): .protocolFailure(operation: operation, message: message)
        case let .invalidConfiguration(message): .system(.invalidArgument(message))
        }
    }

    /// Runs file or socket calls on behalf of a TLS operation, carrying their failure as ``system(_:)``.
    static func carrying<Result>(_ body: () throws(SystemError) -> Result) throws(TLSError) -> Result {
        do throws(SystemError) {
            return try body()
        } catch {
            throw .system(error)
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
}
