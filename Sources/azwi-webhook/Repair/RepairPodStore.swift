import KubeClient
import PodRepair
import WebhookPOSIX

/// The labelled pods as repair keeps them (a ``PodRecord`` each, by uid), kept in step by a
/// ``ReflectorLoop``; every change is handed to the worker's ``RepairQueue``.
///
/// Namespace names are shared between the records of one namespace. Whether the webhook's
/// `objectSelector` selects a pod is judged here, from its labels, with the selection last set:
/// when the selector changes, the worker sets the new one and lists again.
final class RepairPodStore: ReflectorStore {
    typealias Object = PodShape

    private struct State {
        var records: [PodUID: PodRecord] = [:]
        var namespaces: Set<String> = []
        var selection: WebhookSelection?
        var synced = false
    }

    private let state = Locked(State())
    private let queue: RepairQueue

    init(queue: RepairQueue) {
        self.queue = queue
    }

    /// Judges `objectSelector` with `selection` from now on; nil (no configuration) selects nothing.
    func select(with selection: WebhookSelection?) {
        state.withLock { $0.selection = selection }
    }

    /// Whether a complete LIST has been stored.
    var isSynced: Bool { state.withLock { $0.synced } }

    var count: Int { state.withLock { $0.records.count } }

    var uids: [PodUID] { state.withLock { Array($0.records.keys) } }

    func record(_ uid: PodUID) -> PodRecord? {
        state.withLock { $0.records[uid] }
    }

    // MARK: ReflectorStore

    func key(for metadata: ObjectMetadata) -> PodUID? {
        metadata.uid.map(PodUID.init)
    }

    func entry(for object: PodShape, metadata: ObjectMetadata) -> PodRecord? {
        state.withLock { state in
            guard var record = PodRecord(object, selection: state.selection ?? WebhookSelection()) else { return nil }
            if state.selection == nil { record.objectSelected = false }
            if let shared = state.namespaces.firstIndex(of: record.namespace) {
                record.namespace = state.namespaces[shared]
            } else {
                state.namespaces.insert(record.namespace)
            }
            return record
        }
    }

    func replaceAll(_ entries: [PodUID: PodRecord]) {
        let old = state.withLock { state in
            let old = state.records
            state.records = entries
            state.namespaces = Set(entries.values.map(\.namespace))
            state.synced = true
            return old
        }
        _ = old  // freed outside the lock
        queue.replaced()
    }

    func upsert(_ entry: PodRecord, for key: PodUID) {
        state.withLock { $0.records[key] = entry }
        queue.changed(key)
    }

    func delete(_ key: PodUID, metadata: ObjectMetadata) {
        state.withLock { $0.records[key] = nil }
        queue.changed(key)
    }
}
