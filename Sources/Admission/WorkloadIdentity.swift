/// The names upstream Azure Workload Identity 1.5 uses for its labels, annotations, volume and
/// containers, in one place so the reader, the rules and the writer cannot disagree.
enum WorkloadIdentity {
    static let useLabel: StaticString = "azure.workload.identity/use"
    static let clientIDAnnotation = "azure.workload.identity/client-id"
    static let tenantIDAnnotation = "azure.workload.identity/tenant-id"
    static let tokenExpirationAnnotation: StaticString = "azure.workload.identity/service-account-token-expiration"
    static let skipContainersAnnotation: StaticString = "azure.workload.identity/skip-containers"
    static let includeContainersAnnotation: StaticString = "azure.workload.identity/include-containers"
    static let injectProxySidecarAnnotation: StaticString = "azure.workload.identity/inject-proxy-sidecar"
    static let proxySidecarPortAnnotation: StaticString = "azure.workload.identity/proxy-sidecar-port"
    static let injectedAnnotation: StaticString = "azure.workload.identity/injected"
    static let mirrorAnnotation: StaticString = "kubernetes.io/config.mirror"
    /// `azure.workload.identity/use-<suffix>`: a pod opting in to an identity binding (upstream 1.6).
    static let bindingAnnotationPrefix: StaticString = "azure.workload.identity/use-"

    static let volumeName: StaticString = "azure-identity-token"
    static let mountPath: StaticString = "/var/run/secrets/azure/tokens"
    static let tokenPath: StaticString = "azure-identity-token"
    static let tokenFile = "/var/run/secrets/azure/tokens/azure-identity-token"
    /// Where an identity binding's CA lands in the token volume (upstream 1.6 keeps it beside the token).
    static let caFile = "/var/run/secrets/azure/tokens/ca-cert/ca.crt"

    static let proxyInitContainerName = "azwi-proxy-init"
    static let proxyContainerName = "azwi-proxy"
    static let defaultProxyPort = 8000

    static let minTokenExpiration = 3600
    static let maxTokenExpiration = 86400
    static let defaultTokenExpiration = 3600
}
