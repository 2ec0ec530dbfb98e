/// A YAML or JSON document as an ordered tree.
///
/// Kubernetes files (kubeconfig, `kubectl get -o yaml` output) arrive as YAML; the webhook
/// needs them as JSON bytes or as a few looked-up values. Mapping order is kept so that what
/// is printed back reads like what was read.
public indirect enum YAMLNode: Sendable, Equatable {
    /// A scalar and whether it was quoted: a quoted scalar is always a string, a plain one is
    /// resolved (null, bool, number, string) by the YAML core schema when turned into JSON.
    case scalar(String, quoted: Bool)
    case sequence([YAMLNode])
    case mapping([YAMLPair])

    /// A string scalar that always reads back as a string.
    public static func string(_ value: String) -> YAMLNode { .scalar(value, quoted: true) }

    /// The value under `key` when this is a mapping.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// The scalar's text, when this is a scalar that is not null.
    public var string: String? {
        guard case .scalar(let text, let quoted) = self else { return nil }
        if !quoted, ScalarResolution.isNull(text) { return nil }
        return text
    }

    /// The items, when this is a sequence.
    public var items: [YAMLNode]? {
        guard case .sequence(let items) = self else { return nil }
        return items
    }

    /// The key-value pairs in document order, when this is a mapping.
    public var pairs: [YAMLPair]? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs
    }

    /// Whether this is a null (a plain `null`, `~` or empty scalar).
    public var isNull: Bool {
        guard case .scalar(let text, let quoted) = self else { return false }
        return !quoted && ScalarResolution.isNull(text)
    }
}

/// One entry of a YAML mapping. Keys are strings: Kubernetes documents have no other kind.
public struct YAMLPair: Sendable, Equatable {
    public var key: String
    public var value: YAMLNode

    public init(key: String, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
