import Admission
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

@Test func readMostlyCacheCreatesEachValueOnce() async {
    final class Made: Sendable {}
    let cache = ReadMostlyCache<Int, Made>()
    let made = await withTaskGroup(of: [ObjectIdentifier].self) { group in
        for _ in 0..<8 {
            group.addTask { (0..<100).map { ObjectIdentifier(cache.value(for: $0 % 10) { Made() }) } }
        }
        var all: Set<ObjectIdentifier> = []
        for await ids in group { all.formUnion(ids) }
        return all
    }
    #expect(made.count == 10)
}
