import YAML

/// A Kubernetes `LabelSelector` (`matchLabels` and `matchExpressions`), with the API server's
/// semantics, so doctor can say whether the webhook's `namespaceSelector` and `objectSelector`
/// select a pod, and which requirement does not hold.
///
/// Every requirement must hold (AND); an empty selector selects everything. `In` needs the key
/// with one of the values, `NotIn` holds when the key is absent or has none of them, `Exists`
/// and `DoesNotExist` look at the key only.
struct LabelSelector: Equatable, Sendable {
    /// One requirement: `key op (values)`.
    struct Requirement: Equatable, Sendable, CustomStringConvertible {
        enum Operator: String, Sendable {
            case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
        }

        let key: String
        let op: Operator
        let values: [String]

        func holds(for labels: [String: String]) -> Bool {
            switch op {
            case .in: labels[key].map(values.contains) ?? false
            case .notIn: labels[key].map { !values.contains($0) } ?? true
            case .exists: labels[key] != nil
            case .doesNotExist: labels[key] == nil
            }
        }

        /// As `kubectl get -l` writes it: `a=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
        var description: String {
            switch op {
            case .in: values.count == 1 ? "\(key)=\(values[0])" : "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: key
            case .doesNotExist: "!\(key)"
            }
        }
    }

    let requirements: [Requirement]

    /// The selector that selects everything.
    static let everything = LabelSelector(requirements: [])

    init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    /// Reads a selector object; nil or null is the empty selector.
    ///
    /// - Throws: ``DoctorFailure`` for an operator the API does not know or `In`/`NotIn` without values.
    init(_ node: YAMLNode?) throws(DoctorFailure) {
        guard let node, !node.isNull else {
            self = .everything
            return
        }
        var requirements: [Requirement] = []
        for pair in node["matchLabels"]?.pairs ?? [] {
            requirements.append(Requirement(key: pair.key, op: .in, values: [pair.value.string ?? ""]))
        }
        for expression in node["matchExpressions"]?.items ?? [] {
            let key = expression["key"]?.string ?? ""
            let text = expression["operator"]?.string ?? ""
            guard let op = Requirement.Operator(rawValue: text) else {
                throw DoctorFailure("label selector operator \"\(text)\" is not In, NotIn, Exists or DoesNotExist")
            }
            let values = (expression["values"]?.items ?? []).compactMap(\.string)
            if (op == .in || op == .notIn) && values.isEmpty {
                throw DoctorFailure("label selector requirement on \(key): \(text) needs values")
            }
            requirements.append(Requirement(key: key, op: op, values: values))
        }
        self.init(requirements: requirements)
    }

    /// Whether the labels satisfy every requirement.
    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.holds(for: labels) }
    }

    /// The requirements the labels do not satisfy, in selector order.
    func unmet(by labels: [String: String]) -> [Requirement] {
        requirements.filter { !$0.holds(for: labels) }
    }

    /// The `matchLabels` part as a query (`a=b,c=d`), for narrowing a LIST; nil when there is none.
    var equalityQuery: String? {
        let equalities = requirements.filter { $0.op == .in && $0.values.count == 1 }.map(\.description)
        return equalities.isEmpty ? nil : equalities.joined(separator: ",")
    }

    /// `a=b, c notin (x)`, or `(everything)`.
    var summary: String {
        requirements.isEmpty ? "(everything)" : requirements.map(\.description).joined(separator: ", ")
    }
}
