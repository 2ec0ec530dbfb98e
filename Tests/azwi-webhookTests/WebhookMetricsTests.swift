import Admission
import CoreMetrics
import KubeClient
import WebhookHTTP
@testable import azwi_webhook
#if canImport(Glibc)
import Glibc
#endif
import Testing

private func exposition(_ metrics: WebhookMetrics) -> [String] {
    String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n").map(String.init)
}

@Test func mutationHistogramHasUpstreamNameLabelAndBuckets() {
    let metrics = WebhookMetrics()
    metrics.recordAdmission(namespace: "team-a", decision: .mutated, duration: .milliseconds(4))
    let buckets = exposition(metrics).filter { $0.hasPrefix(#"azwi_mutation_request_bucket{namespace="team-a""#) }
    #expect(buckets.count == WebhookMetrics.mutationBuckets.count + 1)
    #expect(buckets.contains(#"azwi_mutation_request_bucket{namespace="team-a",le="0.003"} 0"#))
    #expect(buckets.contains(#"azwi_mutation_request_bucket{namespace="team-a",le="0.004"} 1"#))
    #expect(buckets.last == #"azwi_mutation_request_bucket{namespace="team-a",le="+Inf"} 1"#)
}

@Test func decisionsAreCountedByDecisionAndReason() {
    let metrics = WebhookMetrics()
    metrics.recordAdmission(namespace: "a", decision: .unchanged(reason: "mirror-pod"), duration: .zero)
    metrics.recordAdmission(namespace: "b", decision: .unchanged(reason: "mirror-pod"), duration: .zero)
    metrics.recordAdmission(namespace: "a", decision: .denied(reason: "invalid-token-expiration", message: "x"), duration: .zero)
    let lines = exposition(metrics)
    #expect(lines.contains(#"azwi_admissions_total{decision="unchanged",reason="mirror-pod"} 2"#))
    #expect(lines.contains(#"azwi_admissions_total{decision="denied",reason="invalid-token-expiration"} 1"#))
}

@Test func certificateExpiryAndReloads() throws {
    let metrics = WebhookMetrics()
    metrics.certificateLoaded(notAfter: Int64(time(nil)) + 1000)
    metrics.certificateReloaded(succeeded: true)
    metrics.certificateReloaded(succeeded: false)
    metrics.certificateReloaded(succeeded: false)
    let lines = exposition(metrics)
    let expiry = try #require(lines.first { $0.hasPrefix("azwi_serving_certificate_expiry_seconds ") })
    let seconds = try #require(Double(expiry.split(separator: " ")[1]))
    #expect(seconds > 0 && seconds <= 1000)
    #expect(lines.contains(#"azwi_certificate_reloads_total{result="success"} 1"#))
    #expect(lines.contains(#"azwi_certificate_reloads_total{result="failure"} 2"#))
}

@Test func buildInfoIsAGaugeOfOneLabelledWithTheBuild() {
    let build = BuildInfo(version: "v1.2.3", commit: "abc123", date: "2026-11-23T10:00:00Z", swiftVersion: "6.3.1", platform: "linux/amd64")
    let lines = exposition(WebhookMetrics(build: build))
    #expect(lines.contains { $0.hasPrefix("# HELP azwi_build_info ") })
    #expect(lines.contains("# TYPE azwi_build_info gauge"))
    #expect(lines.contains(#"azwi_build_info{version="v1.2.3",commit="abc123",swift="6.3.1"} 1.0"#))
}

@Test func caSeriesExistOnlyOnceTheyMeanSomething() {
    let metrics = WebhookMetrics()
    #expect(!exposition(metrics).contains { $0.contains("azwi_ca_") })
    metrics.caCertificateLoaded(notAfter: Int64(time(nil)) + 1000)
    #expect(exposition(metrics).contains { $0.hasPrefix("azwi_ca_certificate_expiry_seconds ") })
    #expect(!exposition(metrics).contains { $0.hasPrefix("azwi_ca_bundle_verifies") })
}

/// Every family the transport and the Kubernetes client report through swift-metrics carries the
/// help text its layer gives it (`promtool check metrics` rejects a family without one).
@Test func metricsReportedThroughSwiftMetricsHaveHelpText() {
    let metrics = WebhookMetrics()
    let help = HTTPServer.metricHelp.merging(KubeAPIClient.metricHelp) { first, _ in first }
    let factory = DescribedMetricsFactory(registry: metrics.registry, help: help)
    for name in help.keys.sorted() {
        if name.hasSuffix("_seconds") {
            factory.makeTimer(label: name, dimensions: [("verb", "get")]).recordNanoseconds(1_000_000)
        } else if name.hasSuffix("_total") {
            factory.makeCounter(label: name, dimensions: [("listener", "webhook")]).increment(by: 1)
        } else {
            factory.makeRecorder(label: name, dimensions: [], aggregate: false).record(Int64(1))
        }
    }
    let lines = exposition(metrics)
    for (name, text) in help {
        #expect(lines.contains("# HELP \(name) \(text)"))
    }
    let families = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
    let described = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
    #expect(families.allSatisfy { described.contains($0) })
}
