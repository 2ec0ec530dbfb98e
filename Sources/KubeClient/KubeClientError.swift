/// A failure talking to the Kubernetes API, or setting up to.
///
/// Each case carries a message meant for a log line or a start-up error, so callers never need to
/// look up what a code means.
public enum KubeClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kubeconfig or in-cluster setup is missing, unreadable or uses something unsupported.
    case configuration(String)
    /// The connection, TLS handshake or HTTP exchange failed, or its deadline passed.
    case transport(String)
    /// The API server answered with an unexpected status.
    case status(code: Int, message: String)
    /// The API server's answer could not be decoded.
    case decoding(String)

    public var description: String {
        switch self {
        case let .configuration(message): "kube configuration: \(message)"
        case let .transport(message): "kube API transport: \(message)"
        case let .status(code, message): "kube API status \(code): \(message)"
        case let .decoding(message): "kube API decoding: \(message)"
        }
    }
}
