import WebhookTLS
/// The cache's contents behind one lock: the watch thread writes, request threads read.
///
/// A ``ServiceAccountTable`` holds every ServiceAccount compactly (interned namespaces, names in
/// one arena, annotations only for the annotated ones); deletions leave a short-lived tombstone
/// so a live GET answer that raced with a DELETED event cannot bring a deleted ServiceAccount back.
final class ServiceAccountStore: Sendable {
    struct Key: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    private struct State {
        var table = ServiceAccountTable()
        var tombstones: [Key: UInt64] = [:]
        var synced = false
    }

    private static let maxTombstones = 10_000
    private let state = Locked(State())
    private let metrics: KubeMetrics

    init(metrics: KubeMetrics = KubeMetrics()) {
        self.metrics = metrics
    }

    var isSynced: Bool { state.withLock { $0.synced } }
    var count: Int { state.withLock { $0.table.count } }

    /// The ServiceAccount if cached; one without `azure.workload.identity/*` annotations is found
    /// with none.
    func lookup(namespace: String, name: String) -> ServiceAccountInfo? {
        guard let annotations = state.withLock({ $0.table.annotations(namespace: namespace, name: name) }) else { return nil }
        return ServiceAccountInfo(namespace: namespace, name: name, annotations: annotations)
    }

    /// Replaces everything with a fresh LIST result and marks the cache synced.
    func replaceAll(_ table: consuming ServiceAccountTable) {
        let fresh = table
        let count = fresh.count
        let old = state.withLock { state in
            defer {
                state.tombstones = [:]
                state.synced = true
            }
            return exchange(&state.table, with: fresh)
        }
        _ = consume old  // freed outside the lock
        metrics.cached(count)
    }

    /// Applies an ADDED or MODIFIED event.
    func upsert(_ info: ServiceAccountInfo, resourceVersion: String) {
        let key = Key(namespace: info.namespace, name: info.name)
        let count = state.withLock { state in
            state.tombstones[key] = nil
            state.table.set(namespace: info.namespace, name: info.name, annotations: info.annotations)
            return state.table.count
        }
        metrics.cached(count)
    }

    /// Applies a DELETED event.
    func delete(namespace: String, name: String, resourceVersion: String) {
        let key = Key(namespace: namespace, name: name)
        let count = state.withLock { state in
            state.table.remove(namespace: namespace, name: name)
            if state.tombstones.count >= Self.maxTombstones { state.tombstones.removeAll() }
            state.tombstones[key] = UInt64(resourceVersion) ?? UInt64.max
            return state.table.count
        }
        metrics.cached(count)
    }

    /// Stores what a live GET found, unless the watch already has it or deleted it since.
    func storeLive(_ info: ServiceAccountInfo, resourceVersion: String) {
        let key = Key(namespace: info.namespace, name: info.name)
        let version = UInt64(resourceVersion) ?? 0
        let count = state.withLock { state -> Int? in
            if state.table.contains(namespace: info.namespace, name: info.name) { return nil }
            if let deletedAt = state.tombstones[key], deletedAt >= version { return nil }
            state.table.set(namespace: info.namespace, name: info.name, annotations: info.annotations)
            return state.table.count
        }
        if let count { metrics.cached(count) }
    }
}

extension ServiceAccountTable: ExpressibleByDictionaryLiteral {
    init(dictionaryLiteral elements: (ServiceAccountStore.Key, [String: String])...) {
        self.init()
        for (key, annotations) in elements { set(namespace: key.namespace, name: key.name, annotations: annotations) }
    }
}

/// Swaps `value` with `replacement` and returns the old value.
private func exchange<T>(_ value: inout T, with replacement: consuming T) -> T {
    var replacement = replacement
    swap(&value, &replacement)
    return replacement
}
