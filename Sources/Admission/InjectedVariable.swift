/// The environment variables admission injects, in injection order.
enum InjectedVariable: Int, Sendable {
    case clientID, tenantID, federatedTokenFile, authorityHost

    /// The variable an env entry named `name` sets, if it is one of ours.
    static func named(_ name: JSONSpan, in bytes: UnsafeBufferPointer<UInt8>) -> InjectedVariable? {
        guard name.hasEscapes || (15...26).contains(name.range.count) else { return nil }
        if name.equals("AZURE_CLIENT_ID", in: bytes) { return .clientID }
        if name.equals("AZURE_TENANT_ID", in: bytes) { return .tenantID }
        if name.equals("AZURE_FEDERATED_TOKEN_FILE", in: bytes) { return .federatedTokenFile }
        if name.equals("AZURE_AUTHORITY_HOST", in: bytes) { return .authorityHost }
        return nil
    }

    var name: StaticString {
        switch self {
        case .clientID: "AZURE_CLIENT_ID"
        case .tenantID: "AZURE_TENANT_ID"
        case .federatedTokenFile: "AZURE_FEDERATED_TOKEN_FILE"
        case .authorityHost: "AZURE_AUTHORITY_HOST"
        }
    }
}
