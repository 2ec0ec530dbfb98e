/// The environment variables admission injects, in injection order: the four every pod gets,
/// then the four of an identity binding (``CustomTokenEndpoint``).
enum InjectedVariable: Int, Sendable {
    case clientID, tenantID, federatedTokenFile, authorityHost
    case kubernetesTokenProxy, kubernetesSNIName, kubernetesCAFile, kubernetesCAData

    /// The variable an env entry named `name` sets, if it is one of ours.
    static func named(_ name: JSONSpan, in bytes: UnsafeBufferPointer<UInt8>) -> InjectedVariable? {
        guard name.hasEscapes || (15...28).contains(name.range.count) else { return nil }
        if name.equals("AZURE_CLIENT_ID", in: bytes) { return .clientID }
        if name.equals("AZURE_TENANT_ID", in: bytes) { return .tenantID }
        if name.equals("AZURE_FEDERATED_TOKEN_FILE", in: bytes) { return .federatedTokenFile }
        if name.equals("AZURE_AUTHORITY_HOST", in: bytes) { return .authorityHost }
        guard name.hasEscapes || name.range.count >= 24 else { return nil }
        if name.equals("AZURE_KUBERNETES_TOKEN_PROXY", in: bytes) { return .kubernetesTokenProxy }
        if name.equals("AZURE_KUBERNETES_SNI_NAME", in: bytes) { return .kubernetesSNIName }
        if name.equals("AZURE_KUBERNETES_CA_FILE", in: bytes) { return .kubernetesCAFile }
        if name.equals("AZURE_KUBERNETES_CA_DATA", in: bytes) { return .kubernetesCAData }
        return nil
    }

    var name: StaticString {
        switch self {
        case .clientID: "AZURE_CLIENT_ID"
        case .tenantID: "AZURE_TENANT_ID"
        case .federatedTokenFile: "AZURE_FEDERATED_TOKEN_FILE"
        case .authorityHost: "AZURE_AUTHORITY_HOST"
        case .kubernetesTokenProxy: "AZURE_KUBERNETES_TOKEN_PROXY"
        case .kubernetesSNIName: "AZURE_KUBERNETES_SNI_NAME"
        case .kubernetesCAFile: "AZURE_KUBERNETES_CA_FILE"
        case .kubernetesCAData: "AZURE_KUBERNETES_CA_DATA"
        }
    }
}
