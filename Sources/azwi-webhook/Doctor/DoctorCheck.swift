/// One line of doctor's report: which check, how it went, what it found and, when it did not
/// pass, the fix as a command or a YAML snippet.
struct DoctorCheck: Equatable, Sendable {
    /// How a check went. Only `fail` makes the exit status 1.
    enum Status: String, Sendable {
        case pass, warn, fail, skip
    }

    /// The checks, in the order they run and are printed (the JSON output's `id`).
    enum ID: String, CaseIterable, Sendable {
        case webhookConfiguration = "webhook-configuration"
        case webhookEndpoints = "webhook-endpoints"
        case caBundle = "ca-bundle"
        case podLabel = "pod-label"
        case namespaceSelector = "namespace-selector"
        case serviceAccount = "service-account"
        case clientID = "client-id"
        case tenantID = "tenant-id"
        case injected
        case tokenIssuer = "token-issuer"
    }

    let id: ID
    let status: Status
    let message: String
    let fix: String?

    init(_ id: ID, _ status: Status, _ message: String, fix: String? = nil) {
        self.id = id
        self.status = status
        self.message = message
        self.fix = fix
    }

    static func pass(_ id: ID, _ message: String) -> DoctorCheck { DoctorCheck(id, .pass, message) }
    static func warn(_ id: ID, _ message: String, fix: String? = nil) -> DoctorCheck { DoctorCheck(id, .warn, message, fix: fix) }
    static func fail(_ id: ID, _ message: String, fix: String? = nil) -> DoctorCheck { DoctorCheck(id, .fail, message, fix: fix) }
    static func skip(_ id: ID, _ message: String, fix: String? = nil) -> DoctorCheck { DoctorCheck(id, .skip, message, fix: fix) }

    /// The `skip` a read that could not be made turns into: forbidden (naming the RBAC verb and
    /// resource), offline, or failed.
    static func skip(_ id: ID, unavailable: Unavailable) -> DoctorCheck {
        switch unavailable {
        case let .forbidden(access):
            return .skip(id, "forbidden: \(access.requirement)", fix: access.fix)
        case .offline:
            return .skip(id, "needs a cluster (offline check of --file)")
        case let .failed(message):
            return .skip(id, "could not be checked: \(message)")
        case let .missing(message):
            return .skip(id, message)
        }
    }
}
