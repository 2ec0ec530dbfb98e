internal import COpenSSL

/// The lowest TLS protocol version a context accepts.
///
/// Only TLS 1.2 and 1.3 exist here: older versions are broken and refused at configuration time,
/// with a message that names the accepted values.
public enum TLSVersion: Sendable, Equatable, CustomStringConvertible {
    case tls12
    case tls13

    /// Parses a command-line value such as `--tls-min-version 1.3`.
    ///
    /// - Throws: `TLSError.invalidConfiguration` for "1.0", "1.1" or anything else.
    public init(flag: String) throws(TLSError) {
        switch flag.trimmingWhitespace() {
        case "1.2", "VersionTLS12", "TLS1.2", "tls1.2": self = .tls12
        case "1.3", "VersionTLS13", "TLS1.3", "tls1.3": self = .tls13
        case "1.0", "1.1", "VersionTLS10", "VersionTLS11":
            throw .invalidConfiguration("TLS minimum version \(flag) is insecure and not supported; use 1.2 or 1.3")
        default:
            throw .invalidConfiguration("unknown TLS minimum version \"\(flag)\"; expected 1.2 or 1.3")
        }
    }

    public var description: String {
        switch self {
        case .tls12: "1.2"
        case .tls13: "1.3"
        }
    }

    /// The OpenSSL protocol constant.
    var openSSLVersion: Int32 {
        switch self {
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
