import WebhookPOSIX
/// The cache's contents behind one lock: the list/watch thread writes, request threads read.
///
/// Each entry keeps the `azure.workload.identity/*` annotations and the resourceVersion it was
/// seen at; deletions leave a short-lived tombstone so a live GET answer that raced with a
/// DELETED event cannot bring a deleted ServiceAccount back.
final class ServiceAccountStore: ReflectorStore {
    typealias Object = ServiceAccountWire.Object

    struct Key: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    struct Entry: Sendable {
        var annotations: [String: String]
        var resourceVersion: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
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
    var count: Int { state.withLock { $0.entries.count } }

    func lookup(namespace: String, name: String) -> ServiceAccountInfo? {
        let key = Key(namespace: namespace, name: name)
        guard let entry = state.withLock({ $0.entries[key] }) else { return nil }
        return ServiceAccountInfo(namespace: namespace, name: name, annotations: entry.annotations)
    }

    func key(for metadata: ObjectMetadata) -> Key? {
        guard let name = metadata.name, let namespace = metadata.namespace else { return nil }
        return Key(namespace: namespace, name: name)
    }

    /// The `azure.workload.identity/*` annotations and the resourceVersion.
    func entry(for object: Object, metadata: ObjectMetadata) -> Entry? {
        Entry(annotations: ServiceAccountInfo.relevant(object.metadata?.annotations),
              resourceVersion: metadata.resourceVersion.flatMap { UInt64($0) } ?? 0)
    }

    /// Replaces everything with a fresh LIST result and marks the cache synced.
    func replaceAll(_ entries: [Key: Entry]) {
        let fresh = entries
        let count = fresh.count
        let old = state.withLock { state in
            defer {
                state.tombstones = [:]
                state.synced = true
            }
            return exchange(&state.entries, with: fresh)
        }
        _ = consume old  // freed outside the lock
        metrics.cached(count)
    }

    /// Applies an ADDED or MODIFIED event.
    func upsert(_ entry: Entry, for key: Key) {
        let count = state.withLock { state in
            state.tombstones[key] = nil
            state.entries[key] = entry
            return state.entries.count
        }
        metrics.cached(count)
    }

    /// Applies a DELETED event.
    func delete(_ key: Key, metadata: ObjectMetadata) {
        let count = state.withLock { state in
            state.entries[key] = nil
            if state.tombstones.count >= Self.maxTombstones { state.tombstones.removeAll() }
            state.tombstones[key] = metadata.resourceVersion.flatMap { UInt64($0) } ?? UInt64.max
            return state.entries.count
        }
        metrics.cached(count)
    }

    /// Stores what a live GET found, unless the watch already has it or deleted it since.
    func storeLive(_ info: ServiceAccountInfo, resourceVersion: String) {
        let key = Key(namespace: info.namespace, name: info.name)
        let version = UInt64(resourceVersion) ?? 0
        let count = state.withLock { state -> Int? in
            if state.entries[key] != nil { return nil }
            if let deletedAt = state.tombstones[key], deletedAt >= version { return nil }
            state.entries[key] = Entry(annotations: info.annotations, resourceVersion: version)
            return state.entries.count
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
