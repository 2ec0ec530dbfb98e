/// Reads and conditionally updates one named Secret (the webhook's certificate Secret).
///
/// Updates are PUTs of the object as read, so the API server refuses them with 409 Conflict when
/// anyone wrote the Secret in between: several replicas starting at once can never overwrite
/// each other's certificates blindly.
public struct SecretClient: Sendable {
    public let namespace: String
    public let name: String
    private let transport: any KubeTransport
    private let timeout: Duration

    /// - Parameter timeout: the time limit of each request.
    public init(transport: any KubeTransport, namespace: String, name: String, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.namespace = namespace
        self.name = name
        self.timeout = timeout
    }

    /// The Secret's API path.
    public var path: String { "/api/v1/namespaces/\(KubePath.escape(namespace))/secrets/\(KubePath.escape(name))" }
    /// The collection to watch it in (with a `metadata.name` field selector).
    public var collectionPath: String { "/api/v1/namespaces/\(KubePath.escape(namespace))/secrets" }

    /// GETs the Secret.
    ///
    /// - Throws: `KubeClientError.status` for any answer but 200 (404 when it does not exist,
    ///   403 when RBAC forbids it), `.transport`, or `.decoding`.
    public func get() throws(KubeClientError) -> KubeSecret {
        let response = try transport.get(path, deadline: .now + timeout)
        guard response.status == 200 else { throw .status(code: response.status, message: response.message) }
        return try KubeSecret.decode(response.body)
    }

    /// Sets `changes` in the Secret's `data`, on condition that it is still at `secret`'s resourceVersion.
    ///
    /// - Returns: `.conflict` on 409 (someone else wrote it first).
    /// - Throws: `KubeClientError.status` for any other refusal, or `.transport`.
    public func update(_ secret: KubeSecret, setting changes: [String: [UInt8]]) throws(KubeClientError) -> KubeWriteResult {
        let response = try transport.write("PUT", path, contentType: "application/json", body: secret.updateBody(setting: changes), deadline: .now + timeout)
        switch response.status {
        case 200, 201: return .written
        case 409: return .conflict(response.message)
        default: throw .status(code: response.status, message: response.message)
        }
    }
}
