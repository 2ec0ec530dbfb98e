#if canImport(Glibc)
import Glibc
#endif
import Admission
import CertificateRotation
import Prometheus
import Synchronization
import WebhookPOSIX

/// The server's Prometheus metrics, and their text exposition for `GET /metrics`.
///
/// One registry holds these and what the transport reports through swift-metrics (HTTP requests
/// by code, open connections, TLS handshake failures: the factory is bootstrapped on this
/// registry), so one scrape sees everything. The mutation histogram keeps
/// upstream's name, label and buckets so existing dashboards keep working.
final class WebhookMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Upstream's histogram boundaries for `azwi_mutation_request` (seconds).
    static let mutationBuckets: [Double] = [
        0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01, 0.02, 0.03, 0.04, 0.05,
        0.06, 0.07, 0.08, 0.09, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.5, 2, 2.5, 3,
    ]

    private static var mutation: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_mutation_request", unitName: "",
        helpText: "Distribution of how long it took for the azure-workload-identity mutation request") }
    private static var admissions: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_admissions", unitName: "total",
        helpText: "Admission decisions, by decision (mutated, unchanged, denied) and reason") }
    private static var certificateReloads: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_certificate_reloads", unitName: "total",
        helpText: "Serving certificate reloads from the certificate directory, by result") }

    private static var caCertificateExpiry: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_ca_certificate_expiry", unitName: "seconds",
        helpText: "Seconds until the CA in the certificate Secret expires (built-in rotation only)") }
    private static var caBundleVerifies: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "azwi_ca_bundle_verifies", unitName: "",
        helpText: "1 when every caBundle of the MutatingWebhookConfiguration verifies the serving certificate, else 0") }

    private let certificateExpiry: Gauge
    /// Judges the configuration's caBundle at scrape time; `nil` without a cluster.
    private let caBundle = Locked<CABundleMonitor?>(nil)
    /// The CA's notAfter (seconds since the epoch); `Int64.min` when unknown.
    private let caNotAfter = Atomic<Int64>(Int64.min)
    /// Per-namespace histograms and per-decision counters, created on first use: the registry
    /// validates names and labels on every `make…` call, which the request path should not pay.
    private let histograms = ReadMostlyCache<String, ValueHistogram>()
    private let decisions = ReadMostlyCache<AdmissionDecisionKey, Counter>()

    private struct AdmissionDecisionKey: Hashable, Sendable {
        let decision: String
        let reason: String
    }
    /// The serving certificate's notAfter (seconds since the epoch); `Int64.min` when unknown.
    private let certificateNotAfter = Atomic<Int64>(Int64.min)

    /// Registers the metrics that exist from the start.
    ///
    /// - Parameter build: reported as `azwi_build_info`, a gauge of 1 whose labels say which
    ///   build is running (Prometheus' `*_info` convention, as `go_info` in upstream's scrape).
    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), build: BuildInfo = .current) {
        self.registry = registry
        registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "azwi_build_info", unitName: "",
            helpText: "Always 1; the labels name the running build (version, git commit, Swift version)"),
            labels: [("version", build.version), ("commit", build.commit), ("swift", build.swiftVersion)]).set(1.0)
        certificateExpiry = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "azwi_serving_certificate_expiry", unitName: "seconds",
            helpText: "Seconds until the serving certificate expires (negative once expired)"))
        for result in ["success", "failure"] {
            _ = registry.makeCounter(descriptor: Self.certificateReloads, labels: [("result", result)])
        }
    }

    /// Records one admission: the upstream histogram, and the decision counter.
    func recordAdmission(namespace: String, decision: AdmissionDecision, duration: Duration) {
        histograms.value(for: namespace) {
            registry.makeValueHistogram(descriptor: Self.mutation, labels: [("namespace", namespace)], buckets: Self.mutationBuckets)
        }.record(Self.seconds(duration))
        let key = Self.key(decision)
        decisions.value(for: key) {
            registry.makeCounter(descriptor: Self.admissions, labels: [("decision", key.decision), ("reason", key.reason)])
        }.increment()
    }

    /// Records the notAfter of a newly loaded serving certificate.
    func certificateLoaded(notAfter: Int64?) {
        certificateNotAfter.store(notAfter ?? Int64.min, ordering: .relaxed)
    }

    /// Records the notAfter of the CA that built-in rotation serves from.
    func caCertificateLoaded(notAfter: Int64?) {
        caNotAfter.store(notAfter ?? Int64.min, ordering: .relaxed)
    }

    /// Reports `azwi_ca_bundle_verifies` from `monitor` at every scrape.
    func observe(caBundle monitor: CABundleMonitor) {
        caBundle.withLock { $0 = monitor }
    }

    /// Counts a reload attempt of the serving certificate.
    func certificateReloaded(succeeded: Bool) {
        registry.makeCounter(descriptor: Self.certificateReloads, labels: [("result", succeeded ? "success" : "failure")]).increment()
    }

    /// The Prometheus text exposition of every metric, with the expiry gauge computed now.
    func exposition() -> [UInt8] {
        let notAfter = certificateNotAfter.load(ordering: .relaxed)
        if notAfter != Int64.min {
            certificateExpiry.set(Double(notAfter - Int64(time(nil))))
        }
        // The CA series exist only where they mean something (built-in rotation, a cluster), so an
        // alert on them never fires on a dev or cert-manager install.
        let caNotAfter = caNotAfter.load(ordering: .relaxed)
        if caNotAfter != Int64.min {
            registry.makeGauge(descriptor: Self.caCertificateExpiry).set(Double(caNotAfter - Int64(time(nil))))
        }
        if let monitor = caBundle.withLock({ $0 }) {
            registry.makeGauge(descriptor: Self.caBundleVerifies).set(monitor.verdict() == .verifies ? 1.0 : 0.0)
        }
        return registry.emitToBuffer()
    }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    private static func key(_ decision: AdmissionDecision) -> AdmissionDecisionKey {
        switch decision {
        case .mutated: AdmissionDecisionKey(decision: "mutated", reason: "mutated")
        case .unchanged(let reason): AdmissionDecisionKey(decision: "unchanged", reason: reason)
        case .denied(let reason, _): AdmissionDecisionKey(decision: "denied", reason: reason)
        }
    }
}
