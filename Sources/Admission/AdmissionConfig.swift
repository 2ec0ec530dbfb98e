/// The cluster-wide settings the mutation needs, resolved once at start.
///
/// The executable builds it from flags and environment (see `CloudEnvironment` for the
/// authority host); the admission logic only reads it.
public struct AdmissionConfig: Sendable, Equatable {
    /// The cluster's tenant ID (`AZURE_TENANT_ID`), used unless the ServiceAccount names its own.
    public var tenantID: String
    /// The Entra ID authority host, with its trailing slash (`AZURE_AUTHORITY_HOST`).
    public var authorityHost: String
    /// The audience of the projected token (`--audience`).
    public var audience: String
    /// The image of the `azwi-proxy` sidecar (`PROXY_IMAGE`).
    public var proxyImage: String
    /// The image of the `azwi-proxy-init` init container (`PROXY_INIT_IMAGE`).
    public var proxyInitImage: String
    /// The webhook's log level, copied into the proxy's `--log-level=` argument.
    public var logLevel: String
    /// Whether pods without the `azure.workload.identity/use: "true"` label are left unchanged.
    public var requireLabel: Bool
    /// Identity bindings (upstream 1.6's custom token endpoint); nil when off.
    public var customTokenEndpoint: CustomTokenEndpoint?

    public init(
        tenantID: String,
        authorityHost: String,
        audience: String = AdmissionConfig.defaultAudience,
        proxyImage: String = AdmissionConfig.defaultProxyImage,
        proxyInitImage: String = AdmissionConfig.defaultProxyInitImage,
        logLevel: String = "info",
        requireLabel: Bool = false,
        customTokenEndpoint: CustomTokenEndpoint? = nil
    ) {
        self.tenantID = tenantID
        self.authorityHost = authorityHost
        self.audience = audience
        self.proxyImage = proxyImage
        self.proxyInitImage = proxyInitImage
        self.logLevel = logLevel
        self.requireLabel = requireLabel
        self.customTokenEndpoint = customTokenEndpoint
    }

    /// The token audience Entra ID expects for workload identity federation.
    public static let defaultAudience = "api://AzureADTokenExchange"
    /// Upstream 1.5's proxy image.
    public static let defaultProxyImage = "mcr.microsoft.com/oss/azure/workload-identity/proxy:v1.5.1"
    /// Upstream 1.5's proxy-init image.
    public static let defaultProxyInitImage = "mcr.microsoft.com/oss/azure/workload-identity/proxy-init:v1.5.1"
}
