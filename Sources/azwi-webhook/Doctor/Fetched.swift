import KubeClient

/// The result of one read doctor makes: the value, or why there is none.
///
/// Every check turns the "why not" into its own status: a missing ServiceAccount is a `fail`,
/// a forbidden read is a `skip` naming the permission, and offline reads are skipped.
enum Fetched<Value> {
    case found(Value)
    case unavailable(Unavailable)

    /// The value, if found.
    var value: Value? {
        if case let .found(value) = self { return value }
        return nil
    }

    /// Why there is no value, if there is none.
    var unavailable: Unavailable? {
        if case let .unavailable(reason) = self { return reason }
        return nil
    }

    /// Applies `transform` to a found value.
    func map<Other>(_ transform: (Value) -> Other) -> Fetched<Other> {
        switch self {
        case let .found(value): .found(transform(value))
        case let .unavailable(reason): .unavailable(reason)
        }
    }

    /// Chains a read that needs this one's value.
    func flatMap<Other>(_ transform: (Value) -> Fetched<Other>) -> Fetched<Other> {
        switch self {
        case let .found(value): transform(value)
        case let .unavailable(reason): .unavailable(reason)
        }
    }
}

/// Why a read gave no value.
enum Unavailable: Equatable, Sendable {
    /// 404: the object does not exist (the server's message).
    case missing(String)
    /// 403: RBAC forbids it.
    case forbidden(Access)
    /// Offline (`--file`): there is no cluster to ask.
    case offline
    /// Anything else (transport, decoding, another status), with a message.
    case failed(String)
}

/// One permission a read needs, for the `skip` message of a forbidden read.
struct Access: Equatable, Sendable {
    /// The RBAC verb: `get`, `list`, `create`.
    let verb: String
    /// The resource as RBAC names it: `pods`, `deployments.apps`, `serviceaccounts/token`.
    let resource: String
    /// The namespace, or nil for a cluster-scoped resource or URL.
    let namespace: String?

    init(_ verb: String, _ resource: String, namespace: String?) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
    }

    init(_ verb: String, _ resource: KubeResource, namespace: String?) {
        self.init(verb, resource.qualifiedName, namespace: resource.isNamespaced ? namespace : nil)
    }

    /// "needs RBAC get on deployments.apps in namespace production"
    var requirement: String {
        "needs RBAC \(verb) on \(resource)" + (namespace.map { " in namespace \($0)" } ?? "")
    }

    /// How to see the missing permission, and where to get it.
    var fix: String {
        let nonResource = resource.hasPrefix("/")
        let scope = nonResource ? "" : (namespace.map { " -n \($0)" } ?? "")
        return "kubectl auth can-i \(verb) \(resource)\(scope)   # ask your cluster admin to bind the chart's doctor ClusterRoles (--set doctor.rbac.create=true)"
    }
}
