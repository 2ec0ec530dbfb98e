import Admission
@testable import azwi_webhook
import Synchronization

/// A ServiceAccount source whose answer and sync state a test sets, and which records lookups.
final class FakeServiceAccountSource: ServiceAccountSource {
    private let answer: ServiceAccountLookup
    private let synced: Bool
    private let recorded = Mutex<[(namespace: String, name: String, deadline: ContinuousClock.Instant)]>([])

    init(answer: ServiceAccountLookup, synced: Bool = true) {
        self.answer = answer
        self.synced = synced
    }

    var isSynced: Bool { synced }

    var lookups: [(namespace: String, name: String, deadline: ContinuousClock.Instant)] {
        recorded.withLock { $0 }
    }

    func lookup(namespace: String, name: String, deadline: ContinuousClock.Instant) -> ServiceAccountLookup {
        recorded.withLock { $0.append((namespace, name, deadline)) }
        return answer
    }
}
