import KubeClient

/// Namespace labels for a `namespaceSelector` that looks past `kubernetes.io/metadata.name`,
/// read by GET one namespace at a time and kept for a minute.
///
/// Why GETs and not a namespace watch: only namespaces holding an unmutated pod are ever read,
/// and normally there are none, so a cluster's namespaces cost nothing until a pod needs one;
/// and with the chart's selector (the namespace name only) nothing is read at all. A label
/// changed on a namespace is seen within a minute. Needs RBAC `get` on namespaces.
struct NamespaceLabels {
    /// What is known of one namespace.
    enum Answer: Equatable {
        case labels([String: String])
        /// It does not exist (any more).
        case absent
        /// It could not be read; judge its pods later.
        case unknown
    }

    private let transport: any KubeTransport
    private let lifetime: Duration
    private var cache: [String: (answer: Answer, at: ContinuousClock.Instant)] = [:]

    init(transport: any KubeTransport, lifetime: Duration = .seconds(60)) {
        self.transport = transport
        self.lifetime = lifetime
    }

    private struct Shape: Decodable {
        struct Metadata: Decodable { var labels: [String: String]? }
        var metadata: Metadata?
    }

    /// The labels of `namespace`, from the cache or a GET.
    ///
    /// - Returns: the answer, and the error when the GET failed.
    mutating func labels(of namespace: String, now: ContinuousClock.Instant) -> (Answer, KubeClientError?) {
        if let cached = cache[namespace], now - cached.at < lifetime { return (cached.answer, nil) }
        let answer: Answer
        do throws(KubeClientError) {
            let response = try transport.get("/api/v1/namespaces/\(namespace)", deadline: .now + .seconds(5))
            switch response.status {
            case 200: answer = .labels(try KubeJSON.decode(Shape.self, response.body, what: "Namespace").metadata?.labels ?? [:])
            case 404: answer = .absent
            default: throw .status(code: response.status, message: response.message)
            }
        } catch {
            return (.unknown, error)
        }
        cache[namespace] = (answer, now)
        return (answer, nil)
    }

    /// Forgets every namespace (at each resync).
    mutating func clear() {
        cache = [:]
    }
}
