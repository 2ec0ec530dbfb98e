/// A Kubernetes `LabelSelector` with the API server's semantics, as a MutatingWebhookConfiguration's
/// `namespaceSelector` and `objectSelector` hold it.
///
/// Every requirement must hold; an empty or absent selector selects everything. `matchLabels`
/// entries are `In` requirements with one value; `NotIn` holds when the key is absent; `Exists`
/// and `DoesNotExist` look at the key only. An operator the API does not know (the API server
/// validates selectors, so only a hand-made object has one) holds for nothing: repair then
/// acts on nothing rather than on the wrong pods.
public struct LabelSelector: Sendable, Equatable, Decodable {
    /// One requirement: `key operator (values)`.
    public struct Requirement: Sendable, Equatable, Decodable {
        public var key: String
        public var `operator`: String
        public var values: [String]?

        public init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        /// Whether `labels` satisfy it.
        public func holds(for labels: [String: String]) -> Bool {
            let value = labels[key]
            switch self.operator {
            case "In": return value.map { (values ?? []).contains($0) } ?? false
            case "NotIn": return value.map { !(values ?? []).contains($0) } ?? true
            case "Exists": return value != nil
            case "DoesNotExist": return value == nil
            default: return false
            }
        }
    }

    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        (matchLabels ?? [:]).allSatisfy { labels[$0.key] == $0.value }
            && (matchExpressions ?? []).allSatisfy { $0.holds(for: labels) }
    }

    /// The label keys the selector looks at.
    public var keys: Set<String> {
        Set((matchLabels ?? [:]).keys).union((matchExpressions ?? []).map(\.key))
    }
}
