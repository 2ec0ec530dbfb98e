import PodRepair
import Testing

@Suite("Repair decisions: report once, evict controller-owned pods while ready, within the rate, retry refusals")
struct RepairPlannerTests {
    private let start = ContinuousClock.now

    private func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    private func pod(_ index: Int, controller: PodRecord.Controller = .replicaSet, mutated: Bool = false, namespace: String = "team") -> PodRecord {
        PodRecord(uid: PodUID("pod-\(index)"), namespace: namespace, name: "web-\(index)", controller: controller,
                  hasTokenVolume: mutated, containers: [.init(name: "app", hasTokenFile: mutated)])
    }

    @Test func reportModeReportsEachPodOnceAndNeverEvicts() {
        var planner = RepairPlanner(mode: .report, evictionsPerMinute: 10)
        let first = planner.plan(pod(1), namespaceSelected: true, ready: true, now: at(0))
        #expect(first.report && !first.evict)
        #expect(!planner.plan(pod(1), namespaceSelected: true, ready: true, now: at(600)).report)
        #expect(planner.pendingEvictions(now: at(600)) == nil)
        #expect(planner.unmutatedByNamespace == ["team": 1])
        #expect(!planner.plan(pod(2, mutated: true), namespaceSelected: true, ready: true, now: at(0)).report)
        #expect(!planner.plan(pod(3), namespaceSelected: false, ready: true, now: at(0)).report)
        // Fixed (or gone): no longer counted.
        _ = planner.plan(pod(1, mutated: true), namespaceSelected: true, ready: true, now: at(601))
        #expect(planner.unmutatedByNamespace.isEmpty)
    }

    @Test func evictModeEvictsOnlyControllerOwnedPodsWhileReady() {
        var planner = RepairPlanner(mode: .evict, evictionsPerMinute: 10)
        let bare = planner.plan(pod(1, controller: .none), namespaceSelected: true, ready: true, now: at(0))
        #expect(bare.report && !bare.evict)
        #expect(!planner.plan(pod(2, controller: .other), namespaceSelected: true, ready: true, now: at(0)).evict)
        let notReady = planner.plan(pod(3), namespaceSelected: true, ready: false, now: at(0))
        #expect(notReady.report && !notReady.evict)
        #expect(planner.pendingEvictions(now: at(0))?.pods == [PodUID("pod-3")])
        for controller in [PodRecord.Controller.replicaSet, .statefulSet, .daemonSet, .job] {
            var fresh = RepairPlanner(mode: .evict, evictionsPerMinute: 10)
            #expect(fresh.plan(pod(4, controller: controller), namespaceSelected: true, ready: true, now: at(0)).evict)
        }
        #expect(planner.plan(pod(3), namespaceSelected: true, ready: true, now: at(1)).evict)
        planner.evictionEnded(PodUID("pod-3"), .evicted, now: at(1))
        #expect(!planner.plan(pod(3), namespaceSelected: true, ready: true, now: at(2)).evict)
        planner.forget(PodUID("pod-3"))
        #expect(planner.unmutatedByNamespace == ["team": 2])
    }

    @Test func atMostTheLimitPerMinute() {
        var planner = RepairPlanner(mode: .evict, evictionsPerMinute: 3)
        let evicted = (0..<10).filter { planner.plan(pod($0), namespaceSelected: true, ready: true, now: at(0)).evict }
        #expect(evicted.count == 3)
        #expect(planner.pendingEvictions(now: at(1))?.due == at(60))
        #expect((0..<10).filter { planner.plan(pod($0), namespaceSelected: true, ready: true, now: at(59)).evict }.isEmpty)
        #expect((0..<10).filter { planner.plan(pod($0), namespaceSelected: true, ready: true, now: at(60)).evict }.count == 3)
        var limit = EvictionRateLimit(perMinute: 2)
        #expect(limit.take(now: at(0)) && limit.take(now: at(30)) && !limit.take(now: at(59)))
        #expect(limit.take(now: at(60)) && !limit.take(now: at(89)) && limit.take(now: at(90)))
    }

    @Test func refusedEvictionsWaitADoublingDelayAndAreNeverForced() {
        var planner = RepairPlanner(mode: .evict, evictionsPerMinute: 100, retryDelay: .seconds(5), maximumRetryDelay: .seconds(12))
        let uid = PodUID("pod-1")
        #expect(planner.plan(pod(1), namespaceSelected: true, ready: true, now: at(0)).evict)
        planner.evictionEnded(uid, .blocked, now: at(0))
        #expect(!planner.plan(pod(1), namespaceSelected: true, ready: true, now: at(4)).evict)
        #expect(planner.pendingEvictions(now: at(4))?.due == at(5))
        #expect(planner.plan(pod(1), namespaceSelected: true, ready: true, now: at(5)).evict)
        planner.evictionEnded(uid, .blocked, now: at(5))
        #expect(!planner.plan(pod(1), namespaceSelected: true, ready: true, now: at(14)).evict)
        #expect(planner.plan(pod(1), namespaceSelected: true, ready: true, now: at(15)).evict)
        planner.evictionEnded(uid, .failed, now: at(15))
        #expect(planner.pendingEvictions(now: at(15))?.due == at(27))
        planner.evictionEnded(uid, .gone, now: at(16))
        #expect(planner.pendingEvictions(now: at(16)) == nil)
    }

    @Test func theMessageSaysWhatIsMissingAndHowToFixIt() {
        let missing = PodVerdict.Missing(containers: ["app"], volume: true)
        let report = NotMutatedMessage.text(for: pod(1), missing: missing, mode: .report)
        #expect(report.contains("container app lacks AZURE_FEDERATED_TOKEN_FILE and the pod lacks the azure-identity-token volume"))
        #expect(report.contains("kubectl delete pod -n team web-1"))
        #expect(NotMutatedMessage.text(for: pod(1), missing: missing, mode: .evict).contains("evicts it so its ReplicaSet recreates it"))
        #expect(NotMutatedMessage.text(for: pod(1, controller: .none), missing: missing, mode: .evict).contains("recreate it yourself"))
        let many = PodVerdict.Missing(containers: (1...9).map { "c\($0)" }, volume: false)
        let text = NotMutatedMessage.text(for: pod(1), missing: many, mode: .report)
        #expect(text.contains("containers c1, c2, c3, c4, c5, … lack"))
        #expect(text.utf8.count < 1024)
    }
}
