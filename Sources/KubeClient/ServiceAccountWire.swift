import FoundationEssentials

/// The metadata-only shapes of ServiceAccount JSON: a LIST page, a watch event, one object.
///
/// Decoded with FoundationEssentials' `JSONDecoder` (a cold path): every field not named here
/// (secrets, labels, managedFields) is skipped, so nothing but the metadata below is kept.
enum ServiceAccountWire {
    struct Metadata: Decodable {
        var name: String?
        var namespace: String?
        var resourceVersion: String?
        private var relevantAnnotations: RelevantAnnotations?
        /// Only the `azure.workload.identity/*` annotations: the others (last-applied-configuration
        /// can be kilobytes) are skipped while decoding, never allocated.
        var annotations: [String: String]? { relevantAnnotations?.values }

        private enum CodingKeys: String, CodingKey {
            case name, namespace, resourceVersion
            case relevantAnnotations = "annotations"
        }
    }

    struct RelevantAnnotations: Decodable {
        var values: [String: String] = [:]

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys where key.stringValue.hasPrefix(ServiceAccountInfo.annotationPrefix) {
                values[key.stringValue] = try container.decode(String.self, forKey: key)
            }
        }
    }

    struct Object: Decodable {
        var metadata: Metadata?
    }

    struct ListMetadata: Decodable {
        var resourceVersion: String?
        var `continue`: String?
        /// How many items the pages after this one hold (set by the server when paginating).
        var remainingItemCount: Int?
    }

    struct ListPage: Decodable {
        var metadata: ListMetadata
        var items: [Object]?
    }

    /// A watch event's object: a ServiceAccount, a BOOKMARK's bare metadata, or an ERROR's Status.
    struct EventObject: Decodable {
        var metadata: Metadata?
        var code: Int?
        var reason: String?
        var message: String?
    }

    struct Event: Decodable {
        var type: String
        var object: EventObject
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws(KubeClientError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .decoding("\(what): \(error) in \(String(decoding: bytes.prefix(160), as: UTF8.self))")
        }
    }
}

/// One decoded watch event, reduced to what the cache applies.
enum ServiceAccountEvent: Equatable {
    case upsert(ServiceAccountInfo, resourceVersion: String)
    case delete(namespace: String, name: String, resourceVersion: String)
    case bookmark(resourceVersion: String)
    /// An `ERROR` event: `code` 410 means the resourceVersion expired.
    case error(code: Int?, message: String)

    /// Decodes one line of a watch stream.
    ///
    /// - Throws: `KubeClientError.decoding` for JSON that is not an event, an unknown type, or an
    ///   object without the metadata its type needs.
    static func decode(_ line: [UInt8]) throws(KubeClientError) -> ServiceAccountEvent {
        let event = try ServiceAccountWire.decode(ServiceAccountWire.Event.self, line, what: "watch event")
        let metadata = event.object.metadata
        switch event.type {
        case "ADDED", "MODIFIED", "DELETED":
            guard let name = metadata?.name, let namespace = metadata?.namespace, let version = metadata?.resourceVersion else {
                throw .decoding("\(event.type) event without name, namespace or resourceVersion")
            }
            if event.type == "DELETED" { return .delete(namespace: namespace, name: name, resourceVersion: version) }
            return .upsert(ServiceAccountInfo(namespace: namespace, name: name, annotations: metadata?.annotations ?? [:]), resourceVersion: version)
        case "BOOKMARK":
            guard let version = metadata?.resourceVersion else { throw .decoding("BOOKMARK event without resourceVersion") }
            return .bookmark(resourceVersion: version)
        case "ERROR":
            return .error(code: event.object.code, message: event.object.message ?? event.object.reason ?? "watch error")
        default:
            throw .decoding("unknown watch event type \(event.type)")
        }
    }
}
