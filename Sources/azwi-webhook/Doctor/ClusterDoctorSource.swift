import KubeClient
import YAML

/// Doctor's reads from the API server, with each refusal mapped to what the checks report:
/// 403 to the RBAC permission that was missing, 404 to "missing", anything else to "failed".
struct ClusterDoctorSource: DoctorSource {
    private let objects: KubeObjectClient
    private let tokens: TokenRequestClient

    init(transport: any KubeTransport) {
        objects = KubeObjectClient(transport: transport)
        tokens = TokenRequestClient(transport: transport)
    }

    var isOffline: Bool { false }

    func get(_ resource: KubeResource, namespace: String?, name: String) -> Fetched<YAMLNode> {
        Self.fetch(Access("get", resource, namespace: namespace)) { () throws(KubeClientError) in
            try objects.get(resource.path(namespace: namespace, name: name))
        }
    }

    func list(_ resource: KubeResource, namespace: String, labelSelector: String?) -> Fetched<[YAMLNode]> {
        Self.fetch(Access("list", resource, namespace: namespace)) { () throws(KubeClientError) in
            try objects.list(resource.collectionPath(namespace: namespace), labelSelector: labelSelector)
        }
    }

    /// The path of the API server's OpenID Connect discovery document.
    static let openIDConfigurationPath = "/.well-known/openid-configuration"

    func openIDConfiguration() -> Fetched<YAMLNode> {
        Self.fetch(Access("get", Self.openIDConfigurationPath, namespace: nil)) { () throws(KubeClientError) in
            try objects.get(Self.openIDConfigurationPath)
        }
    }

    func token(namespace: String, serviceAccount: String, audience: String, expirationSeconds: Int) -> Fetched<ServiceAccountToken> {
        Self.fetch(Access("create", "serviceaccounts/token", namespace: namespace)) { () throws(KubeClientError) in
            try tokens.requestToken(namespace: namespace, serviceAccount: serviceAccount, audience: audience, expirationSeconds: expirationSeconds)
        }
    }

    private static func fetch<Value>(_ access: Access, _ read: () throws(KubeClientError) -> Value) -> Fetched<Value> {
        do throws(KubeClientError) {
            return .found(try read())
        } catch {
            switch error {
            case .status(403, _): return .unavailable(.forbidden(access))
            case let .status(404, message): return .unavailable(.missing(message))
            default: return .unavailable(.failed("\(error)"))
            }
        }
    }
}
