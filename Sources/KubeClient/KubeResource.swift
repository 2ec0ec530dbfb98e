/// A kind of Kubernetes object as the API serves it: its group, version, plural name and scope,
/// so a caller can build its paths and name it in RBAC terms.
///
/// Only the kinds something in this package reads are listed; `azwi-webhook doctor` reads most of them.
public struct KubeResource: Sendable, Equatable, Hashable {
    /// The API group; empty for the core group (`/api/v1`).
    public let group: String
    public let version: String
    /// The plural resource name (`pods`, `deployments`), as in paths and RBAC rules.
    public let plural: String
    /// Whether objects live in a namespace (pods) or not (namespaces, webhook configurations).
    public let isNamespaced: Bool

    public init(group: String, version: String, plural: String, isNamespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.isNamespaced = isNamespaced
    }

    public static let pods = KubeResource(group: "", version: "v1", plural: "pods", isNamespaced: true)
    public static let serviceAccounts = KubeResource(group: "", version: "v1", plural: "serviceaccounts", isNamespaced: true)
    public static let namespaces = KubeResource(group: "", version: "v1", plural: "namespaces", isNamespaced: false)
    public static let services = KubeResource(group: "", version: "v1", plural: "services", isNamespaced: true)
    public static let configMaps = KubeResource(group: "", version: "v1", plural: "configmaps", isNamespaced: true)
    public static let secrets = KubeResource(group: "", version: "v1", plural: "secrets", isNamespaced: true)
    public static let endpointSlices = KubeResource(group: "discovery.k8s.io", version: "v1", plural: "endpointslices", isNamespaced: true)
    public static let deployments = KubeResource(group: "apps", version: "v1", plural: "deployments", isNamespaced: true)
    public static let replicaSets = KubeResource(group: "apps", version: "v1", plural: "replicasets", isNamespaced: true)
    public static let statefulSets = KubeResource(group: "apps", version: "v1", plural: "statefulsets", isNamespaced: true)
    public static let daemonSets = KubeResource(group: "apps", version: "v1", plural: "daemonsets", isNamespaced: true)
    public static let jobs = KubeResource(group: "batch", version: "v1", plural: "jobs", isNamespaced: true)
    public static let cronJobs = KubeResource(group: "batch", version: "v1", plural: "cronjobs", isNamespaced: true)
    public static let mutatingWebhookConfigurations = KubeResource(
        group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingwebhookconfigurations", isNamespaced: false)

    /// The resource as `kubectl auth can-i` and RBAC messages name it: `pods`, `deployments.apps`.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The collection's path: `/api/v1/namespaces/NS/pods`, `/apis/apps/v1/namespaces/NS/deployments`,
    /// `/api/v1/namespaces`. `namespace` is ignored for cluster-scoped resources.
    public func collectionPath(namespace: String?) -> String {
        let root = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        guard isNamespaced, let namespace else { return "\(root)/\(plural)" }
        return "\(root)/namespaces/\(KubePath.escape(namespace))/\(plural)"
    }

    /// One object's path.
    public func path(namespace: String?, name: String) -> String {
        "\(collectionPath(namespace: namespace))/\(KubePath.escape(name))"
    }
}
