public import KubeClient
public import WebhookTLS

/// Why a rotation step failed, naming the object involved so that the log line says what to fix
/// (a 403 here usually means the RBAC rules for the Secret or the configuration are missing).
public enum CertificateRotationError: Error, Sendable, CustomStringConvertible {
    case secret(name: String, KubeClientError)
    case webhookConfiguration(name: String, KubeClientError)
    case generation(TLSError)
    case tooManyConflicts(String)
    case kube(KubeClientError)
    case thread(String)

    public var description: String {
        switch self {
        case let .secret(name, error): "Secret \(name): \(error)\(Self.hint(error, "get and update secrets"))"
        case let .webhookConfiguration(name, error):
            "MutatingWebhookConfiguration \(name): \(error)\(Self.hint(error, "get, watch and patch mutatingwebhookconfigurations"))"
        case let .generation(error): "generating certificates: \(error)"
        case let .tooManyConflicts(what): "\(what) kept changing under every write"
        case let .kube(error): "\(error)"
        case let .thread(message): "cannot start a rotation thread: \(message)"
        }
    }

    private static func hint(_ error: KubeClientError, _ verbs: String) -> String {
        if case .status(403, _) = error { return " (the webhook's RBAC must allow \(verbs))" }
        return ""
    }
}
