/// The part of an object's `metadata` a list/watch loop needs to key and order it.
public struct ObjectMetadata: Decodable, Sendable, Equatable {
    public var name: String?
    /// Absent for cluster-scoped objects.
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?

    public init(name: String? = nil, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// One object of a LIST page or watch event: its metadata and the caller's shape of it, both
/// decoded from the same JSON object.
struct ListedObject<Object: Decodable>: Decodable {
    var metadata: ObjectMetadata?
    var object: Object

    private enum CodingKeys: String, CodingKey { case metadata }

    init(from decoder: any Decoder) throws {
        metadata = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(ObjectMetadata.self, forKey: .metadata)
        object = try Object(from: decoder)
    }
}

/// A LIST response page: the list's resourceVersion, the `continue` token, the items.
struct ListPage<Object: Decodable>: Decodable {
    struct Metadata: Decodable {
        var resourceVersion: String?
        var `continue`: String?
        /// How many items the pages after this one hold (an estimate the server may omit).
        var remainingItemCount: Int?
    }

    var metadata: Metadata
    var items: [ListedObject<Object>]?
}
