/// What the webhook keeps of one ServiceAccount: its namespace, name and `azure.workload.identity/*`
/// annotations, nothing else.
///
/// Whole objects would cost hundreds of megabytes at tens of thousands of ServiceAccounts
/// (labels, managedFields, last-applied-configuration); admission reads only these annotations.
/// The executable maps it to the admission layer's own value.
public struct ServiceAccountInfo: Sendable, Equatable {
    public let namespace: String
    public let name: String
    /// The annotations whose key starts with `azure.workload.identity/`.
    public let annotations: [String: String]

    public init(namespace: String, name: String, annotations: [String: String]) {
        self.namespace = namespace
        self.name = name
        self.annotations = Self.relevant(annotations)
    }

    /// The prefix of the annotations admission reads.
    public static let annotationPrefix = "azure.workload.identity/"

    /// Only the `azure.workload.identity/*` annotations; an empty result shares one empty storage.
    static func relevant(_ annotations: [String: String]?) -> [String: String] {
        guard let annotations, annotations.keys.contains(where: { $0.hasPrefix(annotationPrefix) }) else { return [:] }
        return annotations.filter { $0.key.hasPrefix(annotationPrefix) }
    }
}

/// The answer to a ServiceAccount lookup.
public enum ServiceAccountLookup: Sendable, Equatable {
    case found(ServiceAccountInfo)
    /// The API server says it does not exist (404).
    case notFound
    /// It could not be determined (API error, deadline); the message says why.
    case failed(String)
}
