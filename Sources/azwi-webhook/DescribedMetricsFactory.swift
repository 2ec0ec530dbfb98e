import CoreMetrics
import Prometheus

/// The swift-metrics backend: the Prometheus registry, with each metric's help text.
///
/// swift-metrics carries a name and dimensions only, so `PrometheusMetricsFactory` exports the
/// metrics of the transport and the Kubernetes client without `# HELP`, which `promtool check
/// metrics` rejects. Each layer names its metrics' help texts; this factory registers every metric
/// with its own.
struct DescribedMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// Help text by metric name; a name missing here is exported with an empty one.
    let help: [String: String]

    /// Boundaries of the histograms behind swift-metrics timers: API calls take milliseconds to seconds.
    static let timerBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    /// A gauge: no layer records aggregated values.
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: Self.timerBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        (handler as? Prometheus.Counter).map(registry.unregisterCounter)
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        (handler as? Prometheus.Counter).map(registry.unregisterCounter)
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        (handler as? Prometheus.Gauge).map(registry.unregisterGauge)
    }

    func destroyMeter(_ handler: any MeterHandler) {
        (handler as? Prometheus.Gauge).map(registry.unregisterGauge)
    }

    func destroyTimer(_ handler: any TimerHandler) {
        (handler as? Prometheus.DurationHistogram).map(registry.unregisterDurationHistogram)
    }
}
