extension CustomTokenEndpoint {
    /// The environment variables the feature reads (a `CONFIG_`-prefixed name winning is the caller's rule).
    public static let environmentNames = [
        "AZURE_KUBERNETES_TOKEN_PROXY", "AZURE_KUBERNETES_SNI_NAME", "AZURE_KUBERNETES_CA_DATA",
        "AZURE_KUBERNETES_CA_CONFIGMAP_NAME", "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME", "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR",
    ]

    /// Checks the flags and environment as upstream 1.6 does (its messages), and as we add.
    ///
    /// The CA variables are checked at every start, feature on or off. The feature is on when
    /// either flag is non-empty.
    ///
    /// - Parameters:
    ///   - annotationSuffix: `--custom-token-endpoint-annotation-suffix`.
    ///   - audience: `--custom-token-endpoint-audience`.
    ///   - environment: the value of each of ``environmentNames`` that is set.
    /// - Returns: the configuration, or nil when the feature is off.
    /// - Throws: ``CustomTokenEndpointError`` naming the flag or variable at fault.
    public static func resolve(
        annotationSuffix: String, audience: String, environment: [String: String]
    ) throws(CustomTokenEndpointError) -> CustomTokenEndpoint? {
        let caData = environment["AZURE_KUBERNETES_CA_DATA"] ?? ""
        let configMap = environment["AZURE_KUBERNETES_CA_CONFIGMAP_NAME"] ?? ""
        let signer = environment["AZURE_KUBERNETES_CA_CTB_SIGNER_NAME"] ?? ""
        let selectorText = environment["AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR"] ?? ""
        var selector: LabelSelector?
        if selectorText.contains(where: { !$0.isWhitespace }) {
            switch LabelSelector.parse(selectorText) {
            case .success(let parsed): selector = parsed
            case .failure(let error):
                throw CustomTokenEndpointError(message: "AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR is not a valid LabelSelector: \(error.message)")
            }
        }
        if [caData, configMap, signer].filter({ !$0.isEmpty }).count > 1 {
            throw CustomTokenEndpointError(message:
                "only one of AZURE_KUBERNETES_CA_DATA, AZURE_KUBERNETES_CA_CONFIGMAP_NAME or AZURE_KUBERNETES_CA_CTB_SIGNER_NAME can be set")
        }
        if selector != nil, signer.isEmpty {
            throw CustomTokenEndpointError(message:
                "AZURE_KUBERNETES_CA_CTB_SIGNER_NAME needs to be set when AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR is set")
        }

        guard !annotationSuffix.isEmpty || !audience.isEmpty else { return nil }
        if annotationSuffix.isEmpty {
            throw CustomTokenEndpointError(message: "custom token endpoint annotation suffix cannot be empty when audience is set")
        }
        if audience.isEmpty {
            throw CustomTokenEndpointError(message: "custom token endpoint audience cannot be empty when annotation suffix is set")
        }
        if audience.lowercased() == AdmissionConfig.defaultAudience.lowercased() {
            throw CustomTokenEndpointError(message:
                "custom token endpoint audience cannot be equal to default audience \"\(AdmissionConfig.defaultAudience)\"")
        }
        let key = WorkloadIdentity.bindingAnnotationPrefix.description + annotationSuffix
        let problems = QualifiedName.problems(key.lowercased())
        if !problems.isEmpty {
            throw CustomTokenEndpointError(message:
                "custom token endpoint annotation key \(goQuoted(key)) is not valid: \(problems.joined(separator: ", "))")
        }
        let tokenProxy = environment["AZURE_KUBERNETES_TOKEN_PROXY"] ?? ""
        if !tokenProxy.lowercased().hasPrefix("https://") || tokenProxy.utf8.count <= "https://".utf8.count {
            throw CustomTokenEndpointError(message: tokenProxy.isEmpty
                ? "AZURE_KUBERNETES_TOKEN_PROXY must be set when the custom token endpoint is on: set it to the token proxy's https:// URL"
                : "AZURE_KUBERNETES_TOKEN_PROXY \(goQuoted(tokenProxy)) is not valid: it must be an https:// URL")
        }
        let caSource: CASource? = !configMap.isEmpty ? .configMap(name: configMap)
            : !signer.isEmpty ? .clusterTrustBundle(signerName: signer, labelSelector: selector) : nil
        return CustomTokenEndpoint(
            annotationKey: key, audience: audience, tokenProxy: tokenProxy,
            sniName: environment["AZURE_KUBERNETES_SNI_NAME"] ?? "", caData: caData, caSource: caSource)
    }

    /// `text` in double quotes, escaped as a JSON string (as Go's `%q` shows printable text).
    private static func goQuoted(_ text: String) -> String {
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
