import FoundationEssentials

/// The `caBundle` of every webhook in a MutatingWebhookConfiguration, and the resourceVersion
/// they were read at: what the API server trusts when it calls the webhook.
public struct WebhookCABundles: Sendable, Equatable {
    /// The version this read saw; a patch is conditional on it.
    public let resourceVersion: String
    /// Each webhook's caBundle (PEM), in order; empty when a webhook has none.
    public let caBundles: [[UInt8]]

    public init(resourceVersion: String, caBundles: [[UInt8]]) {
        self.resourceVersion = resourceVersion
        self.caBundles = caBundles
    }

    private struct Wire: Decodable {
        struct Metadata: Decodable { var resourceVersion: String? }
        struct ClientConfig: Decodable { var caBundle: String? }
        struct Webhook: Decodable { var clientConfig: ClientConfig? }
        var metadata: Metadata?
        var webhooks: [Webhook]?
    }

    private struct EventWire: Decodable {
        var type: String
        var object: Wire
    }

    /// Decodes a MutatingWebhookConfiguration's JSON.
    ///
    /// - Throws: `KubeClientError.decoding` when it is not one, has no resourceVersion, or a
    ///   caBundle is not base64.
    public static func decode(_ bytes: [UInt8]) throws(KubeClientError) -> WebhookCABundles {
        try make(KubeJSON.decode(Wire.self, bytes, what: "MutatingWebhookConfiguration"))
    }

    /// Decodes one watch event line: its type and, unless it is DELETED, the configuration.
    public static func decodeEvent(_ line: [UInt8]) throws(KubeClientError) -> (type: String, bundles: WebhookCABundles?) {
        let event = try KubeJSON.decode(EventWire.self, line, what: "MutatingWebhookConfiguration watch event")
        return (event.type, event.type == "DELETED" ? nil : try make(event.object))
    }

    private static func make(_ wire: Wire) throws(KubeClientError) -> WebhookCABundles {
        guard let resourceVersion = wire.metadata?.resourceVersion else {
            throw .decoding("MutatingWebhookConfiguration without metadata.resourceVersion")
        }
        var bundles: [[UInt8]] = []
        for webhook in wire.webhooks ?? [] {
            let text = webhook.clientConfig?.caBundle ?? ""
            guard let decoded = Data(base64Encoded: text) else { throw .decoding("a caBundle is not base64") }
            bundles.append(Array(decoded))
        }
        return WebhookCABundles(resourceVersion: resourceVersion, caBundles: bundles)
    }
}
