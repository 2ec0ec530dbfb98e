#if canImport(Glibc)
import Glibc
#endif

/// A failed system call or a refused argument, captured where it happened.
///
/// Why its own type: sockets, pipes, threads and files fail with `errno`, not with anything TLS
/// knows about, so their callers (the HTTP listener, the Kubernetes client, certificate rotation)
/// need not import TLS to name the error. Modelled on FlyingFox's `SocketError`: the failing call
/// and `errno` with its message, so a log line says what went wrong without a second lookup.
public enum SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed with `errno`.
    case failed(operation: String, errno: Int32, message: String)
    /// The operation did not finish before its deadline.
    case timedOut(operation: String)
    /// The peer closed the connection (end of stream or reset mid-operation).
    case closed
    /// The wake descriptor fired: the owner asked the operation to stop (server shutdown).
    case interrupted
    /// An argument was refused before any call was made.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .failed(operation, code, message): "\(operation) failed: \(message) (errno \(code))"
        case let .timedOut(operation): "\(operation) timed out"
        case .closed: "connection closed by peer"
        case .interrupted: "operation interrupted by shutdown"
        case let .invalidArgument(message): message
        }
    }

    /// Builds a `.failed` error from the current `errno` (or `code`), with its message; call it
    /// right after the failing call, before anything else can change `errno`.
    public static func failed(_ operation: String, errno code: Int32? = nil) -> SystemError {
        let code = code ?? errno
        return .failed(operation: operation, errno: code, message: String(cString: strerror(code)))
    }
}
