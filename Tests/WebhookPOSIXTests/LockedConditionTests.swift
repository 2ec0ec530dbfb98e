import Synchronization
import Testing
import WebhookPOSIX
#if canImport(Glibc)
import Glibc
#endif

@Suite struct LockedConditionTests {
    @Test func aWaitEndsAtItsTimeoutWhenNothingChanges() {
        let condition = LockedCondition(false)
        let started = ContinuousClock.now
        let ready = condition.wait(timeout: .milliseconds(50), until: { $0 }) { $0 }
        #expect(!ready)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    @Test func anUpdateWakesTheWaiterBeforeItsTimeout() throws {
        let condition = LockedCondition(0)
        let seen = Atomic<Int>(-1)
        try OwnedThread.start {
            seen.store(condition.wait(timeout: .seconds(300), until: { $0 > 0 }) { $0 }, ordering: .sequentiallyConsistent)
        }
        usleep(20_000)
        condition.update { $0 = 7 }
        let deadline = ContinuousClock.now + .seconds(10)
        while seen.load(ordering: .sequentiallyConsistent) == -1, ContinuousClock.now < deadline { usleep(1000) }
        #expect(seen.load(ordering: .sequentiallyConsistent) == 7)
    }

    @Test func aChangeMadeBeforeTheWaitIsNotMissed() {
        let condition = LockedCondition(false)
        condition.update(waking: .none) { $0 = true }
        let started = ContinuousClock.now
        #expect(condition.wait(timeout: .seconds(300), until: { $0 }) { $0 })
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
