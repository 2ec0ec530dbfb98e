/// Builds the patch for one pod: the proxy, then every init container, then every container,
/// then the volume, then the bookkeeping (namespace, the `injected` annotation).
///
/// It writes patch operations against the request's raw JSON by index and path, and never
/// re-serialises anything it read, so fields it does not know survive byte-for-byte.
struct PodMutation {
    struct Settings {
        let namespace: String
        let serviceAccountName: String
        let clientID: String
        let tenantID: String
        let objects: InjectedObjects
        /// The proxy port when the proxy is injected, else nil.
        let proxyPort: Int?
        let proxyImage: String
        let proxyInitImage: String
        let logLevel: String
        let nativeSidecars: Bool
        let skip: Set<String>
        let include: Set<String>?
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let pod: PodFacts
    let settings: Settings
    private var patch = PatchWriter()
    private(set) var warnings: [String] = []

    init(bytes: UnsafeBufferPointer<UInt8>, pod: PodFacts, settings: Settings) {
        self.bytes = bytes
        self.pod = pod
        self.settings = settings
    }

    /// The patch (nil when nothing changes).
    /// - Throws: a ``Denial`` when the pod conflicts with what must be injected.
    mutating func build() throws(Denial) -> [UInt8]? {
        addNamespace()
        let (initShift, containerShift) = addProxy()
        let recorded = InjectionRecord.parse(pod.injected?.decode(in: bytes))
        for (index, container) in (pod.initContainers ?? []).enumerated() {
            try mutate(container, group: "/spec/initContainers", index: index + initShift, recorded: recorded)
        }
        for (index, container) in (pod.containers ?? []).enumerated() {
            try mutate(container, group: "/spec/containers", index: index + containerShift, recorded: recorded)
        }
        try addVolume()
        addRecord()
        warnUnknownSkippedContainers()
        return patch.finish()
    }

    // MARK: - Steps

    /// Adds `metadata.namespace` when absent (and `metadata` itself when the pod has none).
    private mutating func addNamespace() {
        guard !pod.hasNamespace else { return }
        if pod.hasMetadata {
            patch.begin("add")
            patch.path("/metadata/namespace")
            patch.value()
            patch.json.string(settings.namespace)
        } else {
            patch.begin("add")
            patch.path("/metadata")
            patch.value()
            patch.json.raw("{\"namespace\":")
            patch.json.string(settings.namespace)
            patch.json.raw("}")
        }
        patch.end()
    }

    /// Injects the proxy containers when asked; returns how far existing init containers and
    /// containers moved (a prepended sidecar shifts their indices by one).
    private mutating func addProxy() -> (initShift: Int, containerShift: Int) {
        guard let port = settings.proxyPort else { return (0, 0) }
        // Container names are unique across both lists, so a proxy already in either one (say,
        // injected before the cluster moved to native sidecars) is not added again.
        let existing = names(pod.initContainers) + names(pod.containers)
        let needsInit = !existing.contains(WorkloadIdentity.proxyInitContainerName)
        let needsProxy = !existing.contains(WorkloadIdentity.proxyContainerName)
        let objects = settings.objects
        let initMutated = isMutated(WorkloadIdentity.proxyInitContainerName)
        let proxyMutated = isMutated(WorkloadIdentity.proxyContainerName)
        let prependToInit = needsProxy && settings.nativeSidecars
        let prependToContainers = needsProxy && !settings.nativeSidecars

        if pod.initContainers == nil, needsInit || prependToInit {
            patch.begin("add")
            patch.path("/spec/initContainers")
            patch.value()
            patch.json.raw("[")
            if prependToInit {
                objects.writeProxy(image: settings.proxyImage, port: port, logLevel: settings.logLevel, native: true, mutated: proxyMutated, to: &patch.json)
                if needsInit { patch.json.raw(",") }
            }
            if needsInit {
                objects.writeProxyInit(image: settings.proxyInitImage, port: port, mutated: initMutated, to: &patch.json)
            }
            patch.json.raw("]")
            patch.end()
        } else {
            if prependToInit {
                patch.begin("add")
                patch.path("/spec/initContainers/0")
                patch.value()
                objects.writeProxy(image: settings.proxyImage, port: port, logLevel: settings.logLevel, native: true, mutated: proxyMutated, to: &patch.json)
                patch.end()
            }
            if needsInit {
                patch.begin("add")
                patch.path("/spec/initContainers/-")
                patch.value()
                objects.writeProxyInit(image: settings.proxyInitImage, port: port, mutated: initMutated, to: &patch.json)
                patch.end()
            }
        }
        if prependToContainers {
            patch.begin("add")
            patch.path(pod.containers == nil ? "/spec/containers" : "/spec/containers/0")
            patch.value()
            if pod.containers == nil { patch.json.raw("[") }
            objects.writeProxy(image: settings.proxyImage, port: port, logLevel: settings.logLevel, native: false, mutated: proxyMutated, to: &patch.json)
            if pod.containers == nil { patch.json.raw("]") }
            patch.end()
        }
        return (prependToInit && pod.initContainers != nil ? 1 : 0, prependToContainers && pod.containers != nil ? 1 : 0)
    }

    /// Env, corrections after a ServiceAccount change, and the mount, for one existing container.
    private mutating func mutate(_ container: ContainerFacts, group: StaticString, index: Int, recorded: InjectionRecord?) throws(Denial) {
        let name = container.name?.decode(in: bytes) ?? ""
        guard isMutated(name) else { return }
        if let volume = container.foreignMountAtTokenPath {
            throw Denial(reason: "mount-path-conflict", message:
                "container \"\(AnnotationRules.clip(name))\" mounts volume \"\(AnnotationRules.clip(volume.decode(in: bytes)))\" at /var/run/secrets/azure/tokens, where the azure-identity-token volume must be mounted")
        }

        var missing: [(InjectedVariable, String)] = []
        for (variable, value) in settings.objects.variables where !container.envEntries.contains(where: { $0.variable == variable }) {
            missing.append((variable, value))
        }
        for entry in container.envEntries {
            let desired = settings.objects.variables.first { $0.0 == entry.variable }?.1 ?? ""
            let current = entry.value?.decode(in: bytes) ?? ""
            if !entry.hasValueFrom, let recordedValue = recorded?.value(of: entry.variable), !recordedValue.isEmpty,
               current == recordedValue, current != desired {
                patch.begin("replace")
                patch.path(group)
                patch.index(index)
                patch.path("/env")
                patch.index(entry.index)
                patch.path("/value")
                patch.value()
                patch.json.string(desired)
                patch.end()
            } else if !desired.isEmpty, entry.hasValueFrom || current != desired {
                warnings.append(AdmissionWarnings.shadowedVariable(entry.variable, container: name))
            }
        }
        if container.hasEnvFrom {
            warnings.append(AdmissionWarnings.envFrom(container: name))
        }
        if !missing.isEmpty {
            if container.hasEnv {
                for (variable, value) in missing {
                    patch.begin("add")
                    patch.path(group)
                    patch.index(index)
                    patch.path("/env/-")
                    patch.value()
                    InjectedObjects.writeEnv(variable, value, to: &patch.json)
                    patch.end()
                }
            } else {
                patch.begin("add")
                patch.path(group)
                patch.index(index)
                patch.path("/env")
                patch.value()
                patch.json.raw("[")
                InjectedObjects.writeEnvEntries(missing, to: &patch.json, leadingComma: false)
                patch.json.raw("]")
                patch.end()
            }
        }

        if let mountIndex = container.tokenMountIndex {
            guard !container.tokenMountIsExact else { return }
            patch.begin("replace")
            patch.path(group)
            patch.index(index)
            patch.path("/volumeMounts")
            patch.index(mountIndex)
        } else {
            patch.begin("add")
            patch.path(group)
            patch.index(index)
            patch.path(container.hasVolumeMounts ? "/volumeMounts/-" : "/volumeMounts")
        }
        patch.value()
        if container.tokenMountIndex == nil, !container.hasVolumeMounts { patch.json.raw("[") }
        settings.objects.writeMount(to: &patch.json)
        if container.tokenMountIndex == nil, !container.hasVolumeMounts { patch.json.raw("]") }
        patch.end()
    }

    /// Adds the token volume, replaces a projected one of our name that differs, denies another kind.
    private mutating func addVolume() throws(Denial) {
        let objects = settings.objects
        if let volume = pod.tokenVolume {
            if let kind = volume.otherKind {
                throw Denial(reason: "volume-conflict", message:
                    "volume \"azure-identity-token\" already exists as a \(AnnotationRules.clip(kind)) volume; the name is reserved for the workload identity token")
            }
            if isOurs(volume) { return }
            patch.begin("replace")
            patch.path("/spec/volumes")
            patch.index(volume.index)
        } else {
            patch.begin("add")
            patch.path(pod.hasVolumes ? "/spec/volumes/-" : "/spec/volumes")
        }
        patch.value()
        if pod.tokenVolume == nil, !pod.hasVolumes { patch.json.raw("[") }
        objects.writeVolume(to: &patch.json)
        if pod.tokenVolume == nil, !pod.hasVolumes { patch.json.raw("]") }
        patch.end()
    }

    private func isOurs(_ volume: TokenVolumeFacts) -> Bool {
        guard volume.isPlainTokenVolume, let path = volume.tokenPath, let audience = volume.audience,
              let seconds = volume.expirationSeconds else { return false }
        let caSource = settings.objects.caSourceJSON
        guard volume.laterSources.count == (caSource == nil ? 0 : 1) else { return false }
        if let caSource, let raw = volume.laterSources.first, !CompactJSON.matches(bytes[raw], caSource) { return false }
        return path.equals(WorkloadIdentity.tokenPath, in: bytes)
            && audience.decode(in: bytes) == settings.objects.audience
            && String(decoding: UnsafeBufferPointer(rebasing: bytes[seconds]), as: UTF8.self) == String(settings.objects.tokenExpiration)
    }

    /// Records what this pass injected in the `azure.workload.identity/injected` annotation.
    private mutating func addRecord() {
        let record = InjectionRecord(serviceAccount: settings.serviceAccountName, clientID: settings.clientID, tenantID: settings.tenantID)
        let text = record.json()
        guard pod.injected?.decode(in: bytes) != text else { return }
        if pod.hasAnnotations {
            patch.begin(pod.injected == nil ? "add" : "replace")
            patch.path("/metadata/annotations/")
            patch.json.pointerToken(WorkloadIdentity.injectedAnnotation)
            patch.value()
            patch.json.string(text)
        } else {
            patch.begin("add")
            patch.path("/metadata/annotations")
            patch.value()
            patch.json.raw("{")
            patch.json.string(WorkloadIdentity.injectedAnnotation)
            patch.json.raw(":")
            patch.json.string(text)
            patch.json.raw("}")
        }
        patch.end()
    }

    private mutating func warnUnknownSkippedContainers() {
        guard !settings.skip.isEmpty else { return }
        var known = Set(names(pod.initContainers) + names(pod.containers))
        if settings.proxyPort != nil {
            known.insert(WorkloadIdentity.proxyInitContainerName)
            known.insert(WorkloadIdentity.proxyContainerName)
        }
        for name in settings.skip.sorted() where !known.contains(name) {
            warnings.append(AdmissionWarnings.unknownSkippedContainer(name))
        }
    }

    // MARK: - Helpers

    private func isMutated(_ name: String) -> Bool {
        ContainerSelection(skip: settings.skip, include: settings.include).includes(name)
    }

    private func names(_ containers: [ContainerFacts]?) -> [String] {
        (containers ?? []).map { $0.name?.decode(in: bytes) ?? "" }
    }
}
