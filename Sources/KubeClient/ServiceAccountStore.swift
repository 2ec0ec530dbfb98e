import WebhookPOSIX

/// The cache's contents behind one lock: the list/watch thread writes, request threads read.
///
/// A ``ServiceAccountTable`` holds every ServiceAccount compactly (interned namespaces, names in
/// one arena, annotations only for the annotated ones), and a LIST is gathered straight into a
/// new table; deletions leave a short-lived tombstone so a live GET answer that raced with a
/// DELETED event cannot bring a deleted ServiceAccount back.
final class ServiceAccountStore: ReflectorStore {
    typealias Object = ServiceAccountWire.Object

    struct Key: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    /// What is kept of a ServiceAccount: its `azure.workload.identity/*` annotations.
    typealias Entry = [String: String]

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

    func key(for metadata: ObjectMetadata) -> Key? {
        guard let name = metadata.name, let namespace = metadata.namespace else { return nil }
        return Key(namespace: namespace, name: name)
    }

    func entry(for object: Object, metadata: ObjectMetadata) -> Entry? {
        ServiceAccountInfo.relevant(object.metadata?.annotations)
    }

    func makeListing(capacity: Int) -> ServiceAccountTable {
        ServiceAccountTable()
    }

    func add(_ entry: Entry, for key: Key, to listing: inout ServiceAccountTable) {
        listing.set(namespace: key.namespace, name: key.name, annotations: entry)
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
    func upsert(_ entry: Entry, for key: Key) {
        let count = state.withLock { state in
            state.tombstones[key] = nil
            state.table.set(namespace: key.namespace, name: key.name, annotations: entry)
            return state.table.count
        }
        metrics.cached(count)
    }

    /// Applies a DELETED event.
    func delete(_ key: Key, metadata: ObjectMetadata) {
        let count = state.withLock { state in
            state.table.remove(namespace: key.namespace, name: key.name)
            if state.tombstones.count >= Self.maxTombstones { state.tombstones.removeAll() }
            state.tombstones[key] = metadata.resourceVersion.flatMap { UInt64($0) } ?? UInt64.max
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

/// Swaps `value` with `replacement` and returns the old value.
private func exchange<T>(_ value: inout T, with replacement: consuming T) -> T {
    var replacement = replacement
    swap(&value, &replacement)
    return replacement
}
