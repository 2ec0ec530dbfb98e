/// The repair decisions of one leadership term: which pods to report, which to evict and when,
/// and how many are unmutated in each namespace. Pure: the caller reads pods, does the I/O and
/// passes the time, so every rule is testable without an API server.
///
/// A pod is reported once (the first time it is found unmutated). In `evict` mode, a pod a
/// ReplicaSet, StatefulSet, DaemonSet or Job owns is evicted only while this replica is ready
/// (so the replacement is mutated), within the rate limit, and after a refusal (429 from a
/// PodDisruptionBudget, or an error) only once its retry delay has passed, doubling from
/// `retryDelay` to `maximumRetryDelay`. Other pods are only reported: nothing would recreate them.
public struct RepairPlanner: Sendable {
    /// What to do now about one pod.
    public struct Plan: Sendable, Equatable {
        public var verdict: PodVerdict
        /// Report it now: it was just found unmutated.
        public var report: Bool
        /// Evict it now (a rate-limit slot is taken).
        public var evict: Bool

        public init(verdict: PodVerdict, report: Bool = false, evict: Bool = false) {
            self.verdict = verdict
            self.report = report
            self.evict = evict
        }
    }

    /// How an eviction the caller made ended.
    public enum EvictionResult: String, Sendable, Equatable {
        /// Accepted: the controller recreates the pod.
        case evicted
        /// Refused with 429 (a PodDisruptionBudget): retried later, never forced.
        case blocked
        /// The pod was already gone.
        case gone
        /// Any other failure: retried later.
        case failed
    }

    /// An unmutated pod this term knows of.
    private struct Tracked: Sendable {
        var namespace: String
        var evictable: Bool
        /// Not before this may it be evicted (again).
        var retryAt: ContinuousClock.Instant?
        var refusals = 0
    }

    public let mode: RepairMode
    public let retryDelay: Duration
    public let maximumRetryDelay: Duration
    private var rateLimit: EvictionRateLimit
    private var tracked: [PodUID: Tracked] = [:]

    public init(mode: RepairMode, evictionsPerMinute: Int, retryDelay: Duration = .seconds(5), maximumRetryDelay: Duration = .seconds(300)) {
        self.mode = mode
        self.retryDelay = retryDelay
        self.maximumRetryDelay = max(retryDelay, maximumRetryDelay)
        rateLimit = EvictionRateLimit(perMinute: evictionsPerMinute)
    }

    /// Judges `pod` now.
    ///
    /// - Parameters:
    ///   - namespaceSelected: whether the configuration's `namespaceSelector` selects its namespace.
    ///   - ready: whether this replica is ready to admit pods (evictions wait until it is).
    public mutating func plan(_ pod: PodRecord, namespaceSelected: Bool, ready: Bool, now: ContinuousClock.Instant) -> Plan {
        let verdict = namespaceSelected ? pod.verdict : .notApplicable("namespace not selected by the webhook's namespaceSelector")
        guard case .unmutated = verdict else {
            tracked[pod.uid] = nil
            return Plan(verdict: verdict)
        }
        var plan = Plan(verdict: verdict)
        var entry = tracked[pod.uid] ?? {
            plan.report = true
            return Tracked(namespace: pod.namespace, evictable: mode == .evict && pod.controller.recreatesEvictedPods)
        }()
        if entry.evictable, ready, entry.retryAt.map({ $0 <= now }) ?? true, rateLimit.take(now: now) {
            plan.evict = true
            entry.retryAt = now + retryDelay  // until the answer, or the deletion, arrives
        }
        tracked[pod.uid] = entry
        return plan
    }

    /// Records how the eviction of `uid` ended.
    public mutating func evictionEnded(_ uid: PodUID, _ result: EvictionResult, now: ContinuousClock.Instant) {
        guard var entry = tracked[uid] else { return }
        switch result {
        case .evicted:
            entry.refusals = 0
            entry.retryAt = now + retryDelay
        case .gone:
            tracked[uid] = nil
            return
        case .blocked, .failed:
            var delay = retryDelay
            for _ in 0..<min(entry.refusals, 16) where delay < maximumRetryDelay { delay = delay * 2 }
            entry.refusals += 1
            entry.retryAt = now + min(delay, maximumRetryDelay)
        }
        tracked[uid] = entry
    }

    /// The pod is gone (deleted, or no longer listed).
    public mutating func forget(_ uid: PodUID) {
        tracked[uid] = nil
    }

    /// Forgets every pod but `present` (after a complete LIST: the others are gone).
    public mutating func forgetAll(except present: Set<PodUID>) {
        tracked = tracked.filter { present.contains($0.key) }
    }

    /// The unmutated pods this term knows of, by namespace (for the gauge).
    public var unmutatedByNamespace: [String: Int] {
        tracked.values.reduce(into: [:]) { $0[$1.namespace, default: 0] += 1 }
    }

    /// The pods waiting to be evicted, and the earliest time one of them may be: when the caller
    /// should judge them again (nil when none waits).
    public func pendingEvictions(now: ContinuousClock.Instant) -> (pods: [PodUID], due: ContinuousClock.Instant)? {
        let waiting = tracked.filter { $0.value.evictable }
        guard !waiting.isEmpty else { return nil }
        let earliest = waiting.values.map { $0.retryAt ?? now }.min() ?? now
        return (Array(waiting.keys), max(earliest, rateLimit.nextAllowed(now: now)))
    }
}
