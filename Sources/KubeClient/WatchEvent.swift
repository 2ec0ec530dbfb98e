/// One line of a watch stream of `Object`s, decoded.
enum WatchEvent<Object: Decodable> {
    /// ADDED or MODIFIED.
    case upsert(ObjectMetadata, Object)
    case delete(ObjectMetadata, Object)
    case bookmark(resourceVersion: String)
    /// An `ERROR` event: `code` 410 means the resourceVersion expired.
    case error(code: Int?, message: String)

    /// Decodes one line of a watch stream.
    ///
    /// - Throws: `KubeClientError.decoding` for JSON that is not an event, an unknown type, or an
    ///   object without the name and resourceVersion its type needs.
    static func decode(_ line: [UInt8]) throws(KubeClientError) -> WatchEvent {
        try KubeJSON.decode(Wire.self, line, what: "watch event").event
    }

    private struct Wire: Decodable {
        let event: WatchEvent

        private enum CodingKeys: String, CodingKey { case type, object }
        private struct Bookmark: Decodable { var metadata: ObjectMetadata? }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "ADDED", "MODIFIED", "DELETED":
                let listed = try container.decode(ListedObject<Object>.self, forKey: .object)
                guard let metadata = listed.metadata, metadata.name != nil, metadata.resourceVersion != nil else {
                    throw DecodingError.dataCorruptedError(forKey: .object, in: container, debugDescription: "\(type) event without name or resourceVersion")
                }
                event = type == "DELETED" ? .delete(metadata, listed.object) : .upsert(metadata, listed.object)
            case "BOOKMARK":
                guard let version = try container.decode(Bookmark.self, forKey: .object).metadata?.resourceVersion else {
                    throw DecodingError.dataCorruptedError(forKey: .object, in: container, debugDescription: "BOOKMARK event without resourceVersion")
                }
                event = .bookmark(resourceVersion: version)
            case "ERROR":
                let status = try container.decode(KubeStatus.self, forKey: .object)
                event = .error(code: status.code, message: status.message ?? status.reason ?? "watch error")
            default:
                throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
            }
        }
    }
}
