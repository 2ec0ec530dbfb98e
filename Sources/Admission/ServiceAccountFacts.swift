/// What admission needs to know of one ServiceAccount, and nothing more.
///
/// Caches hold millions of these in large clusters, so only the `azure.workload.identity/*`
/// annotations are kept, never the whole object.
public struct ServiceAccountFacts: Sendable, Equatable {
    public let namespace: String
    public let name: String
    /// The ServiceAccount's annotations whose key starts with `azure.workload.identity/`.
    public let annotations: [String: String]

    public init(namespace: String, name: String, annotations: [String: String]) {
        self.namespace = namespace
        self.name = name
        self.annotations = annotations.filter { $0.key.hasPrefix(ServiceAccountFacts.annotationPrefix) }
    }

    /// The prefix of the annotations admission reads.
    public static let annotationPrefix = "azure.workload.identity/"
}
