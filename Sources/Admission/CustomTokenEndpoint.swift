/// AKS identity bindings (upstream 1.6's custom token endpoint): pods that opt in get a token for
/// an in-cluster token proxy instead of Entra ID, and the env vars the Azure SDK uses to find it.
///
/// Entra ID allows 20 federated credentials per identity; with identity bindings the proxy
/// exchanges the pod's token instead, so one identity serves any number of ServiceAccounts.
/// Resolved once at start by ``resolve(annotationSuffix:audience:environment:)``; `nil` in
/// ``AdmissionConfig/customTokenEndpoint`` when the feature is off.
public struct CustomTokenEndpoint: Sendable, Equatable {
    /// The pod annotation that opts a pod in, `azure.workload.identity/use-<suffix>`, exactly as configured.
    public let annotationKey: String
    /// The audience of the opted-in pod's token (the proxy's, never Entra ID's).
    public let audience: String
    /// `AZURE_KUBERNETES_TOKEN_PROXY`: the proxy's https:// URL.
    let tokenProxy: String
    /// `AZURE_KUBERNETES_SNI_NAME`: the server name the SDK sends the proxy.
    let sniName: String
    /// `AZURE_KUBERNETES_CA_DATA`: the proxy's CA, as PEM, when it is passed inline.
    let caData: String
    /// Where the projected volume gets the proxy's CA from, when not inline.
    let caSource: CASource?

    /// A CA the kubelet projects into the token volume at `ca-cert/ca.crt`.
    enum CASource: Sendable, Equatable {
        case configMap(name: String)
        case clusterTrustBundle(signerName: String, labelSelector: LabelSelector?)
    }

    /// The ClusterTrustBundle signer the CA comes from, if that is the CA source: the server then
    /// checks at start that the cluster serves ClusterTrustBundles.
    public var clusterTrustBundleSignerName: String? {
        if case .clusterTrustBundle(let signerName, _)? = caSource { return signerName }
        return nil
    }

    /// The variables an opted-in container gets after the usual four, in order, empty ones left out.
    let variables: [(InjectedVariable, String)]
    /// The projected volume source after the token, as compact JSON in the API server's field
    /// order (so a mutated pod compares equal when it comes back), or nil without one.
    let caSourceJSON: [UInt8]?

    init(annotationKey: String, audience: String, tokenProxy: String, sniName: String, caData: String, caSource: CASource?) {
        self.annotationKey = annotationKey
        self.audience = audience
        self.tokenProxy = tokenProxy
        self.sniName = sniName
        self.caData = caData
        self.caSource = caSource
        // Built once here, not per admission.
        variables = Self.variables(tokenProxy: tokenProxy, sniName: sniName, caData: caData, caSource: caSource)
        caSourceJSON = caSource.map(Self.json)
    }

    public static func == (lhs: CustomTokenEndpoint, rhs: CustomTokenEndpoint) -> Bool {
        lhs.annotationKey == rhs.annotationKey && lhs.audience == rhs.audience && lhs.tokenProxy == rhs.tokenProxy
            && lhs.sniName == rhs.sniName && lhs.caData == rhs.caData && lhs.caSource == rhs.caSource
    }

    /// `AZURE_KUBERNETES_CA_FILE` only with a projected CA: with inline CA data the Azure SDK
    /// refuses to start when both are set (upstream always injects it).
    private static func variables(tokenProxy: String, sniName: String, caData: String, caSource: CASource?) -> [(InjectedVariable, String)] {
        [
            (.kubernetesTokenProxy, tokenProxy),
            (.kubernetesSNIName, sniName),
            (.kubernetesCAFile, caSource == nil ? "" : WorkloadIdentity.caFile),
            (.kubernetesCAData, caData),
        ].filter { !$0.1.isEmpty }
    }

    private static func json(_ caSource: CASource) -> [UInt8] {
        var json = JSONWriter(capacity: 160)
        switch caSource {
        case .configMap(let name):
            json.raw("{\"configMap\":{\"name\":")
            json.string(name)
            json.raw(",\"items\":[{\"key\":\"ca.crt\",\"path\":\"ca-cert/ca.crt\"}],\"optional\":false}}")
        case .clusterTrustBundle(let signerName, let labelSelector):
            json.raw("{\"clusterTrustBundle\":{\"signerName\":")
            json.string(signerName)
            if let labelSelector {
                json.raw(",\"labelSelector\":")
                labelSelector.write(to: &json)
            }
            json.raw(",\"optional\":false,\"path\":\"ca-cert/ca.crt\"}}")
        }
        return json.bytes
    }
}

/// Why the identity-binding configuration cannot be used; the server refuses to start with this message.
public struct CustomTokenEndpointError: Error, Equatable, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
}
