import JSONText

/// Evicts pods through the Eviction API (`policy/v1`), the way `kubectl drain` does, so the
/// API server applies PodDisruptionBudgets: it refuses with 429 while one forbids the eviction.
///
/// Each eviction is conditional on the pod's uid, so a pod recreated under the same name (a
/// StatefulSet's) is never evicted in place of the one that was judged. Needs RBAC `create` on
/// `pods/eviction`.
public struct PodEvictionClient: Sendable {
    /// How one eviction ended.
    public enum Result: Sendable, Equatable {
        /// Accepted: the pod is being deleted, its controller recreates it.
        case evicted
        /// 429: a PodDisruptionBudget forbids it now; the message is the server's. Retry later.
        case blocked(String)
        /// The pod judged no longer exists (404, or 409: the uid precondition failed).
        case gone
    }

    private let transport: any KubeTransport
    private let timeout: Duration

    /// - Parameter timeout: the time limit of each request.
    public init(transport: any KubeTransport, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.timeout = timeout
    }

    /// Asks the API server to evict the pod `namespace/name` if its uid is still `uid`.
    ///
    /// - Throws: `KubeClientError.status` for any other answer (403 without RBAC, 500 when the
    ///   pod is covered by several budgets), or `.transport`.
    public func evict(namespace: String, name: String, uid: String) throws(KubeClientError) -> Result {
        let target = "/api/v1/namespaces/\(KubePath.escape(namespace))/pods/\(KubePath.escape(name))/eviction"
        var body: [UInt8] = []
        body.append(contentsOf: #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"#.utf8)
        JSONString.write(name, into: &body)
        body.append(contentsOf: #","namespace":"#.utf8)
        JSONString.write(namespace, into: &body)
        body.append(contentsOf: #"},"deleteOptions":{"preconditions":{"uid":"#.utf8)
        JSONString.write(uid, into: &body)
        body.append(contentsOf: "}}}".utf8)
        let response = try transport.write("POST", target, contentType: "application/json", body: body, deadline: .now + timeout)
        switch response.status {
        case 200, 201: return .evicted
        case 429: return .blocked(response.message)
        case 404, 409: return .gone
        default: throw .status(code: response.status, message: response.message)
        }
    }
}
