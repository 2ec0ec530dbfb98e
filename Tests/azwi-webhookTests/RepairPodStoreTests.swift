@testable import azwi_webhook
import FoundationEssentials
import KubeClient
import PodRepair
import Prometheus
import Testing

// `PodRepair.LabelSelector`: doctor has a LabelSelector of its own in this module.
@Suite("Repair's pod store and metrics")
struct RepairPodStoreTests {
    private func shape(_ name: String, namespace: String = "team", labels: [String: String] = ["azure.workload.identity/use": "true"]) throws -> (PodShape, ObjectMetadata) {
        let uid = "0b5c1a8e-2d4f-4c6b-9e1a-\(String(repeating: "0", count: 12 - name.count))\(name)"
        let labelJSON = labels.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",")
        let json = #"{"metadata":{"name":"\#(name)","namespace":"\#(namespace)","uid":"\#(uid)","labels":{\#(labelJSON)}},"spec":{"containers":[{"name":"app"}]}}"#
        return (try JSONDecoder().decode(PodShape.self, from: Data(json.utf8)), ObjectMetadata(name: name, namespace: namespace, uid: uid, resourceVersion: "1"))
    }

    @Test func recordsAreKeyedByUidShareNamespacesAndJudgeTheObjectSelector() throws {
        let queue = RepairQueue()
        let store = RepairPodStore(queue: queue)
        let (first, firstMetadata) = try shape("aa")
        #expect(store.entry(for: first, metadata: firstMetadata)?.objectSelected == false, "no configuration read: nothing is selected")
        store.select(with: WebhookSelection(objectSelector: PodRepair.LabelSelector(matchLabels: ["azure.workload.identity/use": "true"])))
        let key = try #require(store.key(for: firstMetadata))
        let record = try #require(store.entry(for: first, metadata: firstMetadata))
        #expect(record.objectSelected && record.uid == key)
        let (other, otherMetadata) = try shape("bb", labels: ["azure.workload.identity/use": "false"])
        #expect(store.entry(for: other, metadata: otherMetadata)?.objectSelected == false)

        #expect(!store.isSynced)
        store.replaceAll([key: record])
        #expect(store.isSynced && store.count == 1 && store.record(key) == record)
        var work = queue.take(until: .now)
        #expect(work.replaced && work.changed.isEmpty)

        let (second, secondMetadata) = try shape("cc")
        let secondKey = try #require(store.key(for: secondMetadata))
        store.upsert(try #require(store.entry(for: second, metadata: secondMetadata)), for: secondKey)
        store.delete(key, metadata: firstMetadata)
        work = queue.take(until: .now)
        #expect(!work.replaced && work.changed == [key, secondKey])
        #expect(store.uids == [secondKey] && store.record(key) == nil)
        queue.stop()
        #expect(queue.take(until: .now + .seconds(5)).stopping)
    }

    @Test func theGaugeFollowsTheLeaderAndFixedNamespacesGoToZero() {
        let registry = PrometheusCollectorRegistry()
        let metrics = RepairMetrics(registry: registry, mode: .evict)
        func lines() -> [String] { String(decoding: registry.emitToBuffer(), as: UTF8.self).split(separator: "\n").map(String.init) }
        #expect(lines().contains("azwi_repair_leader 0.0"))
        #expect(lines().contains(#"azwi_repair_evictions_total{result="blocked"} 0"#))
        metrics.leading(true)
        metrics.unmutated(["a": 2, "b": 1])
        metrics.eviction(.evicted)
        metrics.unmutated(["a": 1])
        #expect(lines().contains("azwi_repair_leader 1.0"))
        #expect(lines().contains(#"azwi_unmutated_pods{namespace="a"} 1.0"#))
        #expect(lines().contains(#"azwi_unmutated_pods{namespace="b"} 0.0"#))
        #expect(lines().contains(#"azwi_repair_evictions_total{result="evicted"} 1"#))
        metrics.clearUnmutated()
        metrics.leading(false)
        #expect(!lines().contains { $0.contains("azwi_unmutated_pods") })
        let reportOnly = PrometheusCollectorRegistry()
        _ = RepairMetrics(registry: reportOnly, mode: .report)
        #expect(!String(decoding: reportOnly.emitToBuffer(), as: UTF8.self).contains("evictions"))
    }
}
