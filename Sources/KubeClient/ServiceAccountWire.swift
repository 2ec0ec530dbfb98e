/// The metadata-only shape of a ServiceAccount's JSON.
///
/// Decoded with ``KubeJSON`` (a cold path): every field not named here (secrets, labels,
/// managedFields) is skipped, so nothing but the metadata below is kept.
enum ServiceAccountWire {
    struct Metadata: Decodable {
        var resourceVersion: String?
        var annotations: [String: String]?
    }

    struct Object: Decodable {
        var metadata: Metadata?
    }
}
