/// Which pods the MutatingWebhookConfiguration sends to this webhook: its `namespaceSelector`
/// and `objectSelector`, read from the configuration (`--mutating-webhook-configuration-name`).
///
/// A pod the configuration does not select was never meant to be mutated, so repair leaves it
/// alone. Namespaces are judged by their labels; every namespace carries
/// `kubernetes.io/metadata.name` (set by the API server), so a selector on that key alone, as
/// the chart's default is, needs no read of the namespace.
public struct WebhookSelection: Sendable, Equatable {
    /// The name of this webhook in upstream's configuration; preferred when there are several.
    public static let webhookName = "mutation.azure-workload-identity.io"
    /// The label the API server sets on every namespace to its name.
    public static let namespaceNameLabel = "kubernetes.io/metadata.name"

    public var namespaceSelector: LabelSelector
    public var objectSelector: LabelSelector

    public init(namespaceSelector: LabelSelector = LabelSelector(), objectSelector: LabelSelector = LabelSelector()) {
        self.namespaceSelector = namespaceSelector
        self.objectSelector = objectSelector
    }

    /// The selectors of the configuration's webhook named ``webhookName``, else of its first
    /// webhook; nil when it has none.
    public init?(_ configuration: MutatingWebhookConfigurationShape) {
        let webhooks = configuration.webhooks ?? []
        guard let webhook = webhooks.first(where: { $0.name == Self.webhookName }) ?? webhooks.first else { return nil }
        self.init(namespaceSelector: webhook.namespaceSelector ?? LabelSelector(), objectSelector: webhook.objectSelector ?? LabelSelector())
    }

    /// Whether judging a namespace needs its labels from the API server (the selector looks at a
    /// key other than ``namespaceNameLabel``).
    public var needsNamespaceLabels: Bool {
        !namespaceSelector.keys.subtracting([Self.namespaceNameLabel]).isEmpty
    }

    /// Whether the namespace `name`, with `labels` (nil: not read, its name is all that is
    /// known), is selected.
    public func selects(namespace name: String, labels: [String: String]?) -> Bool {
        var labels = labels ?? [:]
        labels[Self.namespaceNameLabel] = name
        return namespaceSelector.matches(labels)
    }
}

/// The part of a MutatingWebhookConfiguration's JSON that says which objects each webhook sees.
public struct MutatingWebhookConfigurationShape: Sendable, Decodable {
    public struct Webhook: Sendable, Decodable {
        public var name: String?
        public var namespaceSelector: LabelSelector?
        public var objectSelector: LabelSelector?
    }

    public var webhooks: [Webhook]?
}
