import YAML

/// Asks the API server for a ServiceAccount token (the TokenRequest API: `create` on
/// `serviceaccounts/token`), as the kubelet does for a projected token volume.
///
/// `azwi-webhook doctor` uses it to see the exact `iss`, `sub` and `aud` a pod's token carries,
/// which a federated identity credential must match character for character.
public struct TokenRequestClient: Sendable {
    private let objects: KubeObjectClient

    /// - Parameter timeout: the time limit of each request.
    public init(transport: any KubeTransport, timeout: Duration = .seconds(10)) {
        objects = KubeObjectClient(transport: transport, timeout: timeout)
    }

    /// Requests a token for `serviceAccount` in `namespace`.
    ///
    /// - Parameters:
    ///   - audience: the token's single audience (`api://AzureADTokenExchange`).
    ///   - expirationSeconds: the lifetime asked for; the server may shorten it.
    /// - Throws: `KubeClientError.status` (403 without `create` on `serviceaccounts/token`, 404
    ///   when the ServiceAccount does not exist), `.transport`, or `.decoding` when the answer
    ///   carries no `status.token`.
    public func requestToken(namespace: String, serviceAccount: String, audience: String, expirationSeconds: Int) throws(KubeClientError) -> ServiceAccountToken {
        let path = KubeResource.serviceAccounts.path(namespace: namespace, name: serviceAccount) + "/token"
        let answer = try objects.create(path, body: Self.body(audience: audience, expirationSeconds: expirationSeconds))
        guard let jwt = answer["status"]?["token"]?.string, !jwt.isEmpty else {
            throw .decoding("TokenRequest answer without status.token")
        }
        return ServiceAccountToken(jwt: jwt)
    }

    /// The TokenRequest object to POST.
    static func body(audience: String, expirationSeconds: Int) -> [UInt8] {
        let spec = YAMLNode.mapping([
            YAMLPair(key: "audiences", value: .sequence([.string(audience)])),
            YAMLPair(key: "expirationSeconds", value: .scalar(String(expirationSeconds), quoted: false)),
        ])
        return YAMLNode.mapping([
            YAMLPair(key: "apiVersion", value: .string("authentication.k8s.io/v1")),
            YAMLPair(key: "kind", value: .string("TokenRequest")),
            YAMLPair(key: "spec", value: spec),
        ]).jsonBytes()
    }
}
