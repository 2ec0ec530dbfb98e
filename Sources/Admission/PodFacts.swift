/// What admission needs to know of the pod in a request, as spans into the request body.
///
/// ``PodReader`` fills it in one pass; the ``Admitter`` decides from it and writes patch
/// operations that refer to the pod by index and path, never by re-serialising it.
struct PodFacts: Sendable {
    /// Whether `metadata` is present as an object.
    var hasMetadata = false
    var name: JSONSpan?
    var generateName: JSONSpan?
    var namespace: JSONSpan?
    /// Whether `metadata.namespace` is present and non-empty.
    var hasNamespace: Bool { namespace.map { !$0.range.isEmpty } ?? false }
    /// Whether `metadata.annotations` is present as an object (not absent, not null).
    var hasAnnotations = false
    /// `metadata.labels["azure.workload.identity/use"]`.
    var useLabel: JSONSpan?
    var isMirror = false
    var tokenExpiration: JSONSpan?
    var skipContainers: JSONSpan?
    var includeContainers: JSONSpan?
    var injectProxySidecar: JSONSpan?
    var proxySidecarPort: JSONSpan?
    /// `azure.workload.identity/injected`: what an earlier pass injected.
    var injected: JSONSpan?
    /// Annotations `azure.workload.identity/use-<suffix>`: the identity bindings the pod asks for.
    var bindingAnnotations: [BindingAnnotation] = []

    /// One `azure.workload.identity/use-<suffix>` annotation.
    struct BindingAnnotation: Sendable {
        var key: JSONSpan
        var value: JSONSpan
    }

    /// Whether `spec` is present as an object.
    var hasSpec = false
    var serviceAccountName: JSONSpan?
    var hostNetwork = false
    /// `spec.initContainers`, nil when absent or null.
    var initContainers: [ContainerFacts]?
    /// `spec.containers`, nil when absent or null.
    var containers: [ContainerFacts]?
    /// Whether `spec.volumes` is present as an array.
    var hasVolumes = false
    /// The existing volume named `azure-identity-token`, if any.
    var tokenVolume: TokenVolumeFacts?

    /// The first shape error (e.g. `containers` not an array): the pod cannot be admitted.
    var shapeError: String?
}
