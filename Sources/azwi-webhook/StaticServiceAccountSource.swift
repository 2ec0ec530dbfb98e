import Admission

/// ServiceAccounts loaded once from local files (`--service-accounts`, or `examples/` in dev mode).
///
/// For running the server without a cluster: the set never changes, so it is always synced and
/// a lookup is one dictionary read.
struct StaticServiceAccountSource: ServiceAccountSource {
    private let accounts: [Key: ServiceAccountFacts]

    private struct Key: Hashable {
        let namespace: String
        let name: String
    }

    init(_ accounts: [ServiceAccountFacts]) {
        var byKey: [Key: ServiceAccountFacts] = [:]
        for account in accounts {
            byKey[Key(namespace: account.namespace, name: account.name)] = account
        }
        self.accounts = byKey
    }

    /// How many ServiceAccounts the source holds.
    var count: Int { accounts.count }

    var isSynced: Bool { true }

    func lookup(namespace: String, name: String, deadline: ContinuousClock.Instant) -> ServiceAccountLookup {
        accounts[Key(namespace: namespace, name: name)].map { .found($0) } ?? .notFound
    }
}
