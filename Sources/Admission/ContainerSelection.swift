/// Which of a pod's containers the webhook mutates: all of them, minus those named in
/// `azure.workload.identity/skip-containers`, and only those named in
/// `azure.workload.identity/include-containers` when that annotation is present.
///
/// Public so that tools outside admission (`azwi-webhook doctor`) explain a skipped container
/// with exactly the rule the mutation applies.
public struct ContainerSelection: Sendable, Equatable {
    /// The names the pod skips.
    public let skip: Set<String>
    /// The allow-list, when the pod has one.
    public let include: Set<String>?

    init(skip: Set<String>, include: Set<String>?) {
        self.skip = skip
        self.include = include
    }

    /// The selection a pod's annotations ask for.
    ///
    /// - Parameters:
    ///   - skipContainers: the `skip-containers` annotation value, if present (`;`-separated, each trimmed).
    ///   - includeContainers: the `include-containers` annotation value, if present.
    public init(skipContainers: String?, includeContainers: String?) {
        self.init(
            skip: Set(skipContainers.map(AnnotationRules.containerNames) ?? []),
            include: includeContainers.map { Set(AnnotationRules.containerNames($0)) })
    }

    /// The annotation keys the selection is read from.
    public static let skipAnnotation = WorkloadIdentity.skipContainersAnnotation.description
    public static let includeAnnotation = WorkloadIdentity.includeContainersAnnotation.description

    /// Whether the container called `name` is mutated.
    public func includes(_ name: String) -> Bool {
        !skip.contains(name) && (include?.contains(name) ?? true)
    }
}
