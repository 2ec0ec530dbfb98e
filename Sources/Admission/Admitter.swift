/// The admission logic: a pod and its ServiceAccount in, the AdmissionReview response out.
///
/// Pure and synchronous: no I/O, no clocks, no locks, so it is safe to call from any
/// connection thread and cheap to test.
public struct Admitter: Sendable {
    public let config: AdmissionConfig

    public init(config: AdmissionConfig) {
        self.config = config
    }

    /// Whether admitting `request` needs its ServiceAccount: a well-formed pod CREATE (not a mirror
    /// pod) and, with `requireLabel`, the pod's `azure.workload.identity/use: "true"` label. The
    /// server skips the lookup (and its possible live API call) when this is false.
    public func needsServiceAccount(_ request: AdmissionRequest) -> Bool {
        request.isJudgedPodCreate && (!config.requireLabel || request.isLabelled)
    }

    /// Denies `request` because its ServiceAccount could not be looked up (the API server did not
    /// answer in time), as upstream answers then: not allowed, status code 400, `message`.
    public func denyLookupFailure(_ request: AdmissionRequest, message: String) -> AdmissionOutcome {
        let decision = AdmissionDecision.denied(reason: "service-account-lookup-failed", message: message)
        let body = AdmissionResponseWriter.write(apiVersion: request.apiVersion, uid: request.uid, decision: decision, patch: nil, warnings: [])
        return AdmissionOutcome(decision: decision, responseBody: body, patch: nil, warnings: [])
    }

    /// Decides on a request and builds the response.
    ///
    /// - Parameters:
    ///   - request: the request read by ``AdmissionRequest/read(_:)``.
    ///   - serviceAccount: the ServiceAccount the request names, or nil when it does not exist
    ///     (the pod is then denied with `serviceaccounts "<name>" not found`). Ignored when
    ///     ``needsServiceAccount(_:)`` is false.
    ///   - nativeSidecars: whether the cluster runs Kubernetes 1.32 or later, so an injected proxy
    ///     becomes a native sidecar; the server learns it from the API server after start.
    public func admit(_ request: AdmissionRequest, serviceAccount: ServiceAccountFacts?, nativeSidecars: Bool) -> AdmissionOutcome {
        let (decision, patch, warnings) = request.body.withUnsafeBufferPointer { bytes in
            decide(request, serviceAccount: serviceAccount, nativeSidecars: nativeSidecars, bytes: bytes)
        }
        let body = AdmissionResponseWriter.write(
            apiVersion: request.apiVersion, uid: request.uid, decision: decision, patch: patch, warnings: warnings)
        return AdmissionOutcome(decision: decision, responseBody: body, patch: patch, warnings: warnings)
    }

    private func decide(
        _ request: AdmissionRequest,
        serviceAccount: ServiceAccountFacts?,
        nativeSidecars: Bool,
        bytes: UnsafeBufferPointer<UInt8>
    ) -> (AdmissionDecision, [UInt8]?, [String]) {
        let pod = request.pod
        guard request.isPodCreate else { return (.unchanged(reason: "not-a-pod-create"), nil, []) }
        if let shapeError = pod.shapeError ?? (pod.hasSpec ? nil : "the pod has no spec") {
            return (.denied(reason: "invalid-pod", message: "invalid pod: \(shapeError)"), nil, [])
        }
        if pod.isMirror { return (.unchanged(reason: "mirror-pod"), nil, []) }
        if config.requireLabel, !request.isLabelled {
            return (.unchanged(reason: "not-labelled"), nil, [])
        }
        guard let serviceAccount else {
            return (.denied(reason: "service-account-not-found",
                            message: "serviceaccounts \"\(request.serviceAccountName)\" not found"), nil, [])
        }
        do throws(Denial) {
            let binding = bindingChoice(pod, bytes: bytes)
            let settings = try settings(
                for: request, serviceAccount: serviceAccount, binding: binding.endpoint, nativeSidecars: nativeSidecars, bytes: bytes)
            var mutation = PodMutation(bytes: bytes, pod: pod, settings: settings)
            let patch = try mutation.build()
            var warnings = binding.warnings + mutation.warnings
            if settings.clientID.isEmpty {
                warnings.insert(binding.endpoint == nil
                    ? AdmissionWarnings.noClientID(namespace: request.namespace, serviceAccount: request.serviceAccountName)
                    : AdmissionWarnings.bindingWithoutClientID(namespace: request.namespace, serviceAccount: request.serviceAccountName), at: 0)
            }
            return (patch == nil ? .unchanged(reason: "already-mutated") : .mutated, patch, warnings)
        } catch {
            return (.denied(reason: error.reason, message: error.message), nil, [])
        }
    }

    /// The identity binding the pod opts in to (its `azure.workload.identity/use-<suffix>`
    /// annotation is `true`, any case), and warnings for binding annotations that ask for nothing
    /// this webhook serves.
    private func bindingChoice(_ pod: PodFacts, bytes: UnsafeBufferPointer<UInt8>) -> (endpoint: CustomTokenEndpoint?, warnings: [String]) {
        guard !pod.bindingAnnotations.isEmpty else { return (nil, []) }
        var chosen: CustomTokenEndpoint?
        var warnings: [String] = []
        for annotation in pod.bindingAnnotations {
            let key = annotation.key.decode(in: bytes)
            guard let endpoint = config.customTokenEndpoint, key == endpoint.annotationKey else {
                warnings.append(AdmissionWarnings.unservedBinding(key: key))
                continue
            }
            let value = annotation.value.decode(in: bytes)
            switch value.lowercased() {
            case "true": chosen = endpoint
            case "false": break
            default: warnings.append(AdmissionWarnings.bindingValue(key: key, value: value))
            }
        }
        return (chosen, warnings)
    }

    /// Everything the mutation needs, from the config, the ServiceAccount and the pod's annotations.
    private func settings(
        for request: AdmissionRequest,
        serviceAccount: ServiceAccountFacts,
        binding: CustomTokenEndpoint?,
        nativeSidecars: Bool,
        bytes: UnsafeBufferPointer<UInt8>
    ) throws(Denial) -> PodMutation.Settings {
        let pod = request.pod
        let injectProxy = try AnnotationRules.injectProxySidecar(pod.injectProxySidecar?.decode(in: bytes)).get()
        var proxyPort: Int?
        if injectProxy {
            if pod.hostNetwork {
                throw Denial(reason: "host-network", message: "hostNetwork is set to true, cannot inject proxy sidecar")
            }
            proxyPort = try AnnotationRules.proxyPort(pod.proxySidecarPort?.decode(in: bytes)).get()
        }
        let lifetime = try AnnotationRules.tokenExpiration(
            pod: pod.tokenExpiration?.decode(in: bytes),
            serviceAccount: serviceAccount.annotations[WorkloadIdentity.tokenExpirationAnnotation.description]
        ).get()
        let clientID = serviceAccount.annotations[WorkloadIdentity.clientIDAnnotation] ?? ""
        let tenantID = serviceAccount.annotations[WorkloadIdentity.tenantIDAnnotation] ?? config.tenantID
        let variables: [(InjectedVariable, String)] = [
            (.clientID, clientID),
            (.tenantID, tenantID),
            (.federatedTokenFile, WorkloadIdentity.tokenFile),
            (.authorityHost, config.authorityHost),
        ].filter { !$0.1.isEmpty } + (binding?.variables ?? [])
        return PodMutation.Settings(
            namespace: request.namespace,
            serviceAccountName: request.serviceAccountName,
            clientID: clientID,
            tenantID: tenantID,
            objects: InjectedObjects(
                variables: variables, tokenExpiration: lifetime, audience: binding?.audience ?? config.audience,
                caSourceJSON: binding?.caSourceJSON),
            proxyPort: proxyPort,
            proxyImage: config.proxyImage,
            proxyInitImage: config.proxyInitImage,
            logLevel: config.logLevel,
            nativeSidecars: nativeSidecars,
            skip: Set(pod.skipContainers.map { AnnotationRules.containerNames($0.decode(in: bytes)) } ?? []),
            include: pod.includeContainers.map { Set(AnnotationRules.containerNames($0.decode(in: bytes))) }
        )
    }
}
