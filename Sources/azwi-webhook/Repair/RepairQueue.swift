import PodRepair
import WebhookPOSIX

/// The work the pod store hands the repair worker: which pods changed, whether the whole set
/// was replaced (a fresh LIST), and whether to stop. The store's thread adds, the worker takes.
final class RepairQueue: Sendable {
    struct Work {
        var changed: Set<PodUID> = []
        var replaced = false
        var stopping = false
    }

    private let work = LockedCondition(Work())

    func changed(_ uid: PodUID) {
        _ = work.update(waking: .one) { $0.changed.insert(uid) }
    }

    func replaced() {
        work.update(waking: .one) { $0.replaced = true }
    }

    func stop() {
        work.update(waking: .all) { $0.stopping = true }
    }

    /// Waits for work until `deadline`, then takes what there is (`stopping` stays set).
    func take(until deadline: ContinuousClock.Instant) -> Work {
        work.wait(timeout: deadline - .now, until: { !$0.changed.isEmpty || $0.replaced || $0.stopping }) { work in
            defer {
                work.changed = []
                work.replaced = false
            }
            return work
        }
    }
}
