#if canImport(Glibc)
public import Glibc  // public: `value(for:create:)` is inlinable and calls the rwlock functions
#endif

/// A dictionary that every request reads and that is written only the first time a key is seen.
///
/// Metric handles (one per namespace, one per admission decision) are looked up on every
/// admission from many connection threads at once. A `Mutex` there serialises those threads and,
/// under contention, sends them through the kernel (measured: 11 % of server CPU under wrk);
/// readers of a `pthread_rwlock_t` never wait for each other.
public final class ReadMostlyCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    // @unchecked: `storage` is only touched while holding `lock` (shared to read, exclusive to write).
    @usableFromInline let lock: UnsafeMutablePointer<pthread_rwlock_t>
    @usableFromInline var storage: [Key: Value] = [:]

    /// An empty cache.
    public init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// The value for `key`, made by `create` (once, under the write lock) if absent.
    ///
    /// Inlinable so the caller's key and value types specialise it (it lived in the executable, on
    /// every admission, before it moved here).
    @inlinable
    public func value(for key: Key, create: () -> Value) -> Value {
        pthread_rwlock_rdlock(lock)
        let found = storage[key]
        pthread_rwlock_unlock(lock)
        if let found { return found }
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        if let existing = storage[key] { return existing }
        let made = create()
        storage[key] = made
        return made
    }
}
