import PodRepair
import Prometheus
import WebhookPOSIX

/// Pod repair's Prometheus metrics: whether this replica leads, the unmutated pods it found by
/// namespace, and its evictions by result.
///
/// Only the leader knows the unmutated pods, so only the leader exports `azwi_unmutated_pods`;
/// a namespace whose pods were all repaired stays at 0 until the leadership ends.
final class RepairMetrics: Sendable {
    private static var leader: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_repair_leader", unitName: "",
        helpText: "1 while this replica holds the repair Lease and judges labelled pods, else 0") }
    private static var unmutated: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_unmutated_pods", unitName: "",
        helpText: "Running or pending pods labelled azure.workload.identity/use=true that the webhook should have mutated and did not, by namespace (exported by the repair leader)") }
    private static var evictions: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_repair_evictions", unitName: "total",
        helpText: "Evictions of unmutated pods requested by repair, by result (evicted, blocked by a PodDisruptionBudget, gone, failed)") }

    private let registry: PrometheusCollectorRegistry
    private let gauges = Locked<[String: Gauge]>([:])

    init(registry: PrometheusCollectorRegistry, mode: RepairMode) {
        self.registry = registry
        registry.makeGauge(descriptor: Self.leader).set(0.0)
        if mode == .evict {
            for result in ["evicted", "blocked", "gone", "failed"] {
                _ = registry.makeCounter(descriptor: Self.evictions, labels: [("result", result)])
            }
        }
    }

    func leading(_ isLeader: Bool) {
        registry.makeGauge(descriptor: Self.leader).set(isLeader ? 1.0 : 0.0)
    }

    /// Publishes the counts; namespaces counted before and absent now go to 0.
    func unmutated(_ counts: [String: Int]) {
        gauges.withLock { gauges in
            for namespace in Set(gauges.keys).union(counts.keys) {
                let gauge = gauges[namespace] ?? registry.makeGauge(descriptor: Self.unmutated, labels: [("namespace", namespace)])
                gauges[namespace] = gauge
                gauge.set(Double(counts[namespace] ?? 0))
            }
        }
    }

    /// Removes every `azwi_unmutated_pods` series (the leadership ended).
    func clearUnmutated() {
        gauges.withLock { gauges in
            for gauge in gauges.values { registry.unregisterGauge(gauge) }
            gauges = [:]
        }
    }

    func eviction(_ result: RepairPlanner.EvictionResult) {
        registry.makeCounter(descriptor: Self.evictions, labels: [("result", result.rawValue)]).increment()
    }
}
