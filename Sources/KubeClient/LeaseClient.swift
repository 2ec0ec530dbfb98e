import FoundationEssentials

/// Reads, creates and conditionally updates one named `coordination.k8s.io/v1` Lease.
///
/// Every update carries the resourceVersion last read, so the API server answers 409 Conflict
/// when another writer got there first: two candidates can never both believe they wrote the
/// Lease. Needs RBAC `get`, `create` and `update` on that one Lease.
public struct LeaseClient: Sendable {
    public let namespace: String
    public let name: String
    private let transport: any KubeTransport
    private let timeout: Duration

    /// - Parameter timeout: the time limit of each request.
    public init(transport: any KubeTransport, namespace: String, name: String, timeout: Duration = .seconds(5)) {
        self.transport = transport
        self.namespace = namespace
        self.name = name
        self.timeout = timeout
    }

    /// The Leases collection of the namespace.
    public var collectionPath: String { "/apis/coordination.k8s.io/v1/namespaces/\(KubePath.escape(namespace))/leases" }
    /// The Lease's API path.
    public var path: String { "\(collectionPath)/\(KubePath.escape(name))" }

    /// GETs the Lease; nil when it does not exist.
    ///
    /// - Throws: `KubeClientError.status` for any answer but 200 and 404, `.transport`, or `.decoding`.
    public func get() throws(KubeClientError) -> Lease? {
        let response = try transport.get(path, deadline: .now + timeout)
        switch response.status {
        case 200: return try Self.decode(response.body)
        case 404: return nil
        default: throw .status(code: response.status, message: response.message)
        }
    }

    /// Creates the Lease with `record`.
    ///
    /// - Returns: `.conflict` when it already exists (409 AlreadyExists).
    /// - Throws: `KubeClientError.status` for any other refusal, `.transport`, or `.decoding`.
    public func create(_ record: Lease.Record) throws(KubeClientError) -> LeaseWriteResult {
        try send("POST", collectionPath, record, resourceVersion: nil)
    }

    /// Replaces the Lease's spec with `record`, on condition that it is still at `resourceVersion`.
    ///
    /// - Returns: `.conflict` on 409 (written by someone else since it was read).
    /// - Throws: `KubeClientError.status` for any other refusal (404 when deleted meanwhile), `.transport`, or `.decoding`.
    ///
    /// - Parameter deadline: when to give up waiting for the answer (default: the client's timeout from now).
    public func update(_ record: Lease.Record, resourceVersion: String, deadline: ContinuousClock.Instant? = nil) throws(KubeClientError) -> LeaseWriteResult {
        try send("PUT", path, record, resourceVersion: resourceVersion, deadline: deadline)
    }

    private func send(_ method: String, _ target: String, _ record: Lease.Record, resourceVersion: String?, deadline: ContinuousClock.Instant? = nil) throws(KubeClientError) -> LeaseWriteResult {
        let body = Wire(metadata: .init(name: name, namespace: namespace, resourceVersion: resourceVersion), spec: record)
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder().encode(body))
        } catch {
            throw .decoding("cannot encode the Lease: \(error)")
        }
        let response = try transport.write(method, target, contentType: "application/json", body: bytes, deadline: min(deadline ?? .now + timeout, .now + timeout))
        switch response.status {
        case 200, 201: return .written(try Self.decode(response.body))
        case 409: return .conflict(response.message)
        default: throw .status(code: response.status, message: response.message)
        }
    }

    private struct Wire: Codable {
        struct Metadata: Codable {
            var name: String?
            var namespace: String?
            var resourceVersion: String?
        }

        var apiVersion: String? = "coordination.k8s.io/v1"
        var kind: String? = "Lease"
        var metadata: Metadata?
        var spec: Lease.Record?

        init(metadata: Metadata, spec: Lease.Record) {
            self.metadata = metadata
            self.spec = spec
        }
    }

    static func decode(_ bytes: [UInt8]) throws(KubeClientError) -> Lease {
        let wire = try KubeJSON.decode(Wire.self, bytes, what: "Lease")
        guard let resourceVersion = wire.metadata?.resourceVersion else { throw .decoding("Lease without metadata.resourceVersion") }
        return Lease(record: wire.spec ?? Lease.Record(holderIdentity: nil, leaseDurationSeconds: nil, acquireTime: nil, renewTime: nil, leaseTransitions: nil),
                     resourceVersion: resourceVersion)
    }
}
