public import YAML

/// Reads any object, list or document of the API server as a tree, by path.
///
/// The webhook's own clients decode just the fields they act on (``SecretClient``,
/// ``WebhookConfigurationClient``); a diagnostic such as `azwi-webhook doctor` looks at a dozen
/// kinds and a few fields of each, so it reads whole objects into a ``YAMLNode`` (JSON is YAML)
/// and picks what it needs. Calls block: use them from an owned thread or a command-line tool.
public struct KubeObjectClient: Sendable {
    private let transport: any KubeTransport
    private let timeout: Duration

    /// - Parameter timeout: the time limit of each request.
    public init(transport: any KubeTransport, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.timeout = timeout
    }

    /// GETs one object (or any JSON document, such as `/.well-known/openid-configuration`).
    ///
    /// - Throws: `KubeClientError.status` for any answer but 200 (404 missing, 403 forbidden),
    ///   `.transport`, or `.decoding` when the body is not a JSON object.
    public func get(_ path: String) throws(KubeClientError) -> YAMLNode {
        let response = try transport.get(path, deadline: .now + timeout)
        guard response.status == 200 else { throw .status(code: response.status, message: response.message) }
        return try Self.object(response.body, what: path)
    }

    /// GETs a collection and returns its `items`.
    ///
    /// - Parameter labelSelector: an equality selector (`app=web,tier=front`), or nil for all.
    /// - Throws: as ``get(_:)``.
    public func list(_ collectionPath: String, labelSelector: String? = nil) throws(KubeClientError) -> [YAMLNode] {
        var target = collectionPath
        if let labelSelector, !labelSelector.isEmpty { target += "?labelSelector=\(KubePath.escape(labelSelector))" }
        return try get(target)["items"]?.items ?? []
    }

    /// POSTs `body` (JSON) to `path`, creating an object or a subresource such as a TokenRequest.
    ///
    /// - Returns: the object the server answered with (200 or 201).
    /// - Throws: `KubeClientError.status` for any other answer, `.transport`, or `.decoding`.
    public func create(_ path: String, body: [UInt8]) throws(KubeClientError) -> YAMLNode {
        let response = try transport.write("POST", path, contentType: "application/json", body: body, deadline: .now + timeout)
        guard response.status == 200 || response.status == 201 else {
            throw .status(code: response.status, message: response.message)
        }
        return try Self.object(response.body, what: path)
    }

    private static func object(_ body: [UInt8], what: String) throws(KubeClientError) -> YAMLNode {
        do throws(YAMLError) {
            let node = try YAMLNode.parse(body)
            guard node.pairs != nil else { throw YAMLError(message: "not a JSON object") }
            return node
        } catch {
            throw .decoding("\(what): \(error)")
        }
    }
}
