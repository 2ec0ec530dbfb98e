/// Every cached ServiceAccount in a few flat arrays (issue 17: 50,000 ServiceAccounts took 35.5 MiB
/// as a dictionary of `String` pairs, above the chart's 30 Mi limit).
///
/// - namespaces are interned: each record holds a 4-byte index into ``namespaces``;
/// - names live back to back in one byte arena: a record holds its offset and length, so a name
///   costs its bytes and no heap object (a `String` over 15 bytes is a 64-byte allocation);
/// - an annotated ServiceAccount (one with `azure.workload.identity/*` annotations, a tenth or
///   fewer in a large cluster) has them packed in the arena after its name, each key as a 1-byte
///   index into ``annotationKeys`` (the few keys there are, interned), each value as its bytes; a
///   lookup builds the dictionary (a few small allocations, on the request path only for hits on
///   annotated ServiceAccounts). The rest are a name and nothing else, found with no annotations;
/// - an open-addressing table of record indices finds a record by namespace and name.
///
/// 16 bytes a record, the name's bytes, and 4–8 bytes of table: about 50 bytes a plain
/// ServiceAccount, about 80 more for one with a client ID and a tenant ID. Removal moves the last record into the hole; the arena's dead bytes are
/// reclaimed when they exceed the live ones. Not thread-safe: ``ServiceAccountStore`` locks it.
struct ServiceAccountTable: Sendable {
    private struct Record: Sendable {
        var namespace: UInt32
        var offset: UInt32
        /// The name's bytes at `offset`.
        var length: UInt32
        /// The packed annotations' bytes after the name; 0 for a ServiceAccount with none.
        var annotationBytes: UInt32
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
    /// Interned annotation keys; a packed key is its index here, or `inlineKey` then the key.
    private var annotationKeys: [String] = []
    private var annotationKeyIndex: [String: UInt8] = [:]
    private static let inlineKey: UInt8 = .max
    private(set) var annotatedCount = 0

    init() {}

    var count: Int { records.count }

    /// The annotations of `namespace/name`, `[:]` for one without; `nil` when it is not here.
    func annotations(namespace: String, name: String) -> [String: String]? {
        guard let namespaceID = namespaceIndex[namespace], let slot = find(namespaceID, name).slot else { return nil }
        let record = records[Int(slots[slot] - 1)]
        return record.annotationBytes == 0 ? [:] : unpackAnnotations(record)
    }

    func contains(namespace: String, name: String) -> Bool {
        annotations(namespace: namespace, name: name) != nil
    }

    /// Adds or replaces `namespace/name`; keeps only the `azure.workload.identity/*` annotations.
    mutating func set(namespace: String, name: String, annotations: [String: String]) {
        let relevant = ServiceAccountInfo.relevant(annotations)
        let namespaceID = intern(namespace: namespace)
        let found = findForInsert(namespaceID, name)
        // The name and its packed annotations go to the arena's end; a replaced record's bytes die.
        let offset = arena.count
        arena.append(contentsOf: name.utf8)
        let length = arena.count - offset
        packAnnotations(relevant)
        let record = Record(namespace: namespaceID, offset: UInt32(offset), length: UInt32(length), annotationBytes: UInt32(arena.count - offset - length))
        if record.annotationBytes != 0 { annotatedCount += 1 }
        if let slot = found.slot {
            let index = Int(slots[slot] - 1)
            release(records[index])
            records[index] = record
            compactIfWasteful()
            return
        }
        records.append(record)
        let insertAt = found.insertion
        if slots[insertAt] == Self.empty { usedSlots += 1 }
        slots[insertAt] = UInt32(records.count)
        growIfNeeded()
    }

    /// Makes room for `count` records, the arena sized by the names so far (a LIST knows its
    /// total from its first page): no doubling, so no spare capacity of up to half.
    mutating func reserve(count: Int) {
        guard count > records.count else { return }
        let bytesPerRecord = records.isEmpty ? 32 : (arena.count + records.count - 1) / records.count
        records.reserveCapacity(count)
        arena.reserveCapacity(count * bytesPerRecord + count * bytesPerRecord / 16)
        var size = max(16, slots.count)
        while count * 4 > size * 3 { size *= 2 }
        if size > slots.count { rebuildSlots(size: size) }
    }

    /// Removes `namespace/name`; returns whether it was here.
    @discardableResult
    mutating func remove(namespace: String, name: String) -> Bool {
        guard let namespaceID = namespaceIndex[namespace], let slot = find(namespaceID, name).slot else { return false }
        let index = Int(slots[slot] - 1)
        release(records[index])
        slots[slot] = Self.deleted
        let last = records.count - 1
        if index != last {
            // The last record moves into the hole: its slot points at its new index.
            let moved = records[last]
            let movedSlot = slotOf(record: last, moved)
            records[index] = moved
            slots[movedSlot] = UInt32(index + 1)
        }
        records.removeLast()
        compactIfWasteful()
        return true
    }

    private mutating func release(_ record: Record) {
        deadBytes += Int(record.length + record.annotationBytes)
        if record.annotationBytes != 0 { annotatedCount -= 1 }
    }

    private mutating func compactIfWasteful() {
        if deadBytes > 4096 && deadBytes > arena.count - deadBytes { compactArena() }
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
            fresh.append(contentsOf: arena[Int(record.offset)..<Int(record.offset + record.length + record.annotationBytes)])
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

    /// Appends `annotations` to the arena: per pair a key (an index into `annotationKeys`, or
    /// `inlineKey`, a 2-byte length and the key), then a 4-byte length and the value.
    private mutating func packAnnotations(_ annotations: [String: String]) {
        for (key, value) in annotations {
            if let id = keyID(key) {
                arena.append(id)
            } else {
                arena.append(Self.inlineKey)
                appendLength(key.utf8.count, bytes: 2)
                arena.append(contentsOf: key.utf8)
            }
            appendLength(value.utf8.count, bytes: 4)
            arena.append(contentsOf: value.utf8)
        }
    }

    private mutating func appendLength(_ length: Int, bytes: Int) {
        for shift in 0..<bytes { arena.append(UInt8(truncatingIfNeeded: length >> (8 * shift))) }
    }

    /// The key's interned index; `nil` once 255 keys are interned (the rest are stored inline).
    private mutating func keyID(_ key: String) -> UInt8? {
        if let id = annotationKeyIndex[key] { return id }
        guard annotationKeys.count < Int(Self.inlineKey) else { return nil }
        let id = UInt8(annotationKeys.count)
        annotationKeys.append(key)
        annotationKeyIndex[key] = id
        return id
    }

    private func unpackAnnotations(_ record: Record) -> [String: String] {
        arena.withUnsafeBufferPointer { arena in
            var annotations: [String: String] = [:]
            var position = Int(record.offset + record.length)
            let end = position + Int(record.annotationBytes)
            func length(_ bytes: Int) -> Int {
                var value = 0
                for shift in 0..<bytes { value |= Int(arena[position + shift]) << (8 * shift) }
                position += bytes
                return value
            }
            func text(_ count: Int) -> String {
                defer { position += count }
                return String(decoding: UnsafeBufferPointer(rebasing: arena[position..<position + count]), as: UTF8.self)
            }
            while position < end {
                let tag = arena[position]
                position += 1
                let key = tag == Self.inlineKey ? text(length(2)) : annotationKeys[Int(tag)]
                annotations[key] = text(length(4))
            }
            return annotations
        }
    }
}
