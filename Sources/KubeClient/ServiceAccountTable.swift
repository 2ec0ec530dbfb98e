/// Every cached ServiceAccount in a few flat arrays (issue 17: 50,000 ServiceAccounts took 35.5 MiB
/// as a dictionary of `String` pairs, above the chart's 30 Mi limit).
///
/// - namespaces are interned: each record holds a 4-byte index into ``namespaces``;
/// - names live back to back in one byte arena: a record holds its offset and length, so a name
///   costs its bytes and no heap object (a `String` over 15 bytes is a 64-byte allocation);
/// - only an annotated ServiceAccount (one with `azure.workload.identity/*` annotations, a tenth or
///   fewer in a large cluster) holds a dictionary, in ``annotationSets``, its keys and values
///   interned (the same tenant ID or key on many ServiceAccounts is stored once); the rest are a
///   name and nothing else, and a lookup finds them with no annotations;
/// - an open-addressing table of record indices finds a record by namespace and name.
///
/// 16 bytes a record, the name's bytes, and 4–8 bytes of table: about 50 bytes a plain
/// ServiceAccount. Removal moves the last record into the hole; the arena's dead bytes are
/// reclaimed when they exceed the live ones. Not thread-safe: ``ServiceAccountStore`` locks it.
struct ServiceAccountTable: Sendable {
    private struct Record: Sendable {
        var namespace: UInt32
        var offset: UInt32
        var length: UInt32
        /// Index + 1 into `annotationSets`; 0 for a ServiceAccount with no relevant annotations.
        var annotations: UInt32
    }

    private static let empty: UInt32 = 0
    private static let deleted: UInt32 = .max

    private var namespaces: [String] = []
    private var namespaceIndex: [String: UInt32] = [:]
    private var arena: [UInt8] = []
    private var deadBytes = 0
    private var records: [Record] = []
    /// Record index + 1, `empty` or `deleted`; its count is a power of two (or zero).
    private var slots: [UInt32] = []
    private var usedSlots = 0  // live and deleted
    private var annotationSets: [[String: String]] = []
    private var freeAnnotationSets: [UInt32] = []
    private var interned: Set<String> = []

    init() {}

    var count: Int { records.count }
    /// How many records carry annotations.
    var annotatedCount: Int { annotationSets.count - freeAnnotationSets.count }

    /// The annotations of `namespace/name`, `[:]` for one without; `nil` when it is not here.
    func annotations(namespace: String, name: String) -> [String: String]? {
        guard let namespaceID = namespaceIndex[namespace], let slot = find(namespaceID, name).slot else { return nil }
        let record = records[Int(slots[slot] - 1)]
        return record.annotations == 0 ? [:] : annotationSets[Int(record.annotations - 1)]
    }

    func contains(namespace: String, name: String) -> Bool {
        annotations(namespace: namespace, name: name) != nil
    }

    /// Adds or replaces `namespace/name`; keeps only the `azure.workload.identity/*` annotations.
    mutating func set(namespace: String, name: String, annotations: [String: String]) {
        let relevant = ServiceAccountInfo.relevant(annotations)
        let namespaceID = intern(namespace: namespace)
        let found = findForInsert(namespaceID, name)
        if let slot = found.slot {
            let index = Int(slots[slot] - 1)
            releaseAnnotations(of: index)
            records[index].annotations = storeAnnotations(relevant)
            return
        }
        let offset = arena.count
        arena.append(contentsOf: name.utf8)
        records.append(Record(namespace: namespaceID, offset: UInt32(offset), length: UInt32(arena.count - offset), annotations: storeAnnotations(relevant)))
        let insertAt = found.insertion
        if slots[insertAt] == Self.empty { usedSlots += 1 }
        slots[insertAt] = UInt32(records.count)
        growIfNeeded()
    }

    /// Removes `namespace/name`; returns whether it was here.
    @discardableResult
    mutating func remove(namespace: String, name: String) -> Bool {
        guard let namespaceID = namespaceIndex[namespace], let slot = find(namespaceID, name).slot else { return false }
        let index = Int(slots[slot] - 1)
        releaseAnnotations(of: index)
        slots[slot] = Self.deleted
        deadBytes += Int(records[index].length)
        let last = records.count - 1
        if index != last {
            // The last record moves into the hole: its slot points at its new index.
            let moved = records[last]
            let movedSlot = slotOf(record: last, moved)
            records[index] = moved
            slots[movedSlot] = UInt32(index + 1)
        }
        records.removeLast()
        if deadBytes > 4096 && deadBytes > arena.count - deadBytes { compactArena() }
        return true
    }

    // MARK: - the hash table

    private func hash(_ namespaceID: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(namespaceID)
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }

    private func withName<R>(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = name.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(name.utf8).withUnsafeBufferPointer(body)
    }

    /// The slot holding `namespaceID/name` if any, and where it would be inserted.
    private mutating func findForInsert(_ namespaceID: UInt32, _ name: String) -> (slot: Int?, insertion: Int) {
        if slots.isEmpty { slots = Array(repeating: Self.empty, count: 16) }
        return findExisting(namespaceID, name)
    }

    private func find(_ namespaceID: UInt32, _ name: String) -> (slot: Int?, insertion: Int) {
        if slots.isEmpty { return (nil, 0) }
        return findExisting(namespaceID, name)
    }

    private func findExisting(_ namespaceID: UInt32, _ name: String) -> (slot: Int?, insertion: Int) {
        withName(name) { bytes in
            let mask = slots.count - 1
            var position = hash(namespaceID, bytes) & mask
            var firstDeleted: Int?
            while true {
                let value = slots[position]
                if value == Self.empty { return (nil, firstDeleted ?? position) }
                if value == Self.deleted {
                    if firstDeleted == nil { firstDeleted = position }
                } else if matches(records[Int(value - 1)], namespaceID, bytes) {
                    return (position, position)
                }
                position = (position + 1) & mask
            }
        }
    }

    private func matches(_ record: Record, _ namespaceID: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard record.namespace == namespaceID, Int(record.length) == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { arena in
            let start = Int(record.offset)
            for i in 0..<bytes.count where arena[start + i] != bytes[i] { return false }
            return true
        }
    }

    /// The slot that points at record `index`.
    private func slotOf(record index: Int, _ record: Record) -> Int {
        arena.withUnsafeBufferPointer { arena in
            let bytes = UnsafeBufferPointer(rebasing: arena[Int(record.offset)..<Int(record.offset + record.length)])
            let mask = slots.count - 1
            var position = hash(record.namespace, bytes) & mask
            while slots[position] != UInt32(index + 1) { position = (position + 1) & mask }
            return position
        }
    }

    /// Keeps live and deleted slots at most three quarters of the table: doubles it when the live
    /// records need it, else rebuilds it at its size to clear deleted slots.
    private mutating func growIfNeeded() {
        guard usedSlots * 4 > slots.count * 3 else { return }
        let size = records.count * 2 > slots.count ? slots.count * 2 : slots.count
        rebuildSlots(size: size)
    }

    private mutating func rebuildSlots(size: Int) {
        var fresh = [UInt32](repeating: Self.empty, count: size)
        let mask = size - 1
        arena.withUnsafeBufferPointer { arena in
            for (index, record) in records.enumerated() {
                let bytes = UnsafeBufferPointer(rebasing: arena[Int(record.offset)..<Int(record.offset + record.length)])
                var position = hash(record.namespace, bytes) & mask
                while fresh[position] != Self.empty { position = (position + 1) & mask }
                fresh[position] = UInt32(index + 1)
            }
        }
        slots = fresh
        usedSlots = records.count
    }

    private mutating func compactArena() {
        var fresh: [UInt8] = []
        fresh.reserveCapacity(arena.count - deadBytes)
        for index in records.indices {
            let record = records[index]
            let offset = fresh.count
            fresh.append(contentsOf: arena[Int(record.offset)..<Int(record.offset + record.length)])
            records[index].offset = UInt32(offset)
        }
        arena = fresh
        deadBytes = 0
    }

    // MARK: - interning

    private mutating func intern(namespace: String) -> UInt32 {
        if let id = namespaceIndex[namespace] { return id }
        let id = UInt32(namespaces.count)
        namespaces.append(namespace)
        namespaceIndex[namespace] = id
        return id
    }

    /// Never shrinks while the table lives; a relist builds a fresh table.
    private mutating func intern(_ string: String) -> String {
        if let existing = interned.firstIndex(of: string) { return interned[existing] }
        interned.insert(string)
        return string
    }

    private mutating func storeAnnotations(_ annotations: [String: String]) -> UInt32 {
        guard !annotations.isEmpty else { return 0 }
        var shared: [String: String] = [:]
        shared.reserveCapacity(annotations.count)
        for (key, value) in annotations { shared[intern(key)] = intern(value) }
        if let free = freeAnnotationSets.popLast() {
            annotationSets[Int(free)] = shared
            return free + 1
        }
        annotationSets.append(shared)
        return UInt32(annotationSets.count)
    }

    private mutating func releaseAnnotations(of index: Int) {
        let reference = records[index].annotations
        guard reference != 0 else { return }
        annotationSets[Int(reference - 1)] = [:]
        freeAnnotationSets.append(reference - 1)
        records[index].annotations = 0
    }
}
