import Admission
@testable import azwi_webhook
import Foundation
import KubeClient
import Logging
import Testing
import WebhookHTTP

private let exampleReview: [UInt8] = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return [UInt8](FileManager.default.contents(atPath: repo.appendingPathComponent("examples/admission-review.json").path)!)
}()

private let keyvaultReader = ServiceAccountFacts(
    namespace: "production", name: "keyvault-reader",
    annotations: ["azure.workload.identity/client-id": "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"])

private func handler(_ source: any ServiceAccountSource, metrics: WebhookMetrics = WebhookMetrics()) -> AdmissionHandler {
    AdmissionHandler(
        config: AdmissionConfig(tenantID: "tenant", authorityHost: "https://login.microsoftonline.com/"),
        features: ClusterFeatures(nativeSidecars: false, logger: Logger(label: "test")), serviceAccounts: source, metrics: metrics,
        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
}

private func post(_ body: [UInt8], target: String = "/mutate-v1-pod?timeout=10s") -> HTTPRequest {
    HTTPRequest(method: "POST", target: target, headers: [("Content-Type", "application/json")], body: body)
}

private func response(_ http: HTTPResponse) throws -> [String: Any] {
    let review = try #require(try JSONSerialization.jsonObject(with: Data(http.body)) as? [String: Any])
    return try #require(review["response"] as? [String: Any])
}

@Test func foundServiceAccountMutatesThePod() throws {
    let source = FakeServiceAccountSource(answer: .found(keyvaultReader))
    let metrics = WebhookMetrics()
    let http = handler(source, metrics: metrics).handle(post(exampleReview))
    #expect(http.status == 200)
    #expect(http.headers.contains { $0 == ("Content-Type", "application/json") })
    #expect(try response(http)["patchType"] as? String == "JSONPatch")
    #expect(source.lookups.map { "\($0.namespace)/\($0.name)" } == ["production/keyvault-reader"])
    let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
    #expect(exposition.contains(#"azwi_admissions_total{decision="mutated",reason="mutated"} 1"#))
    #expect(exposition.contains(#"azwi_mutation_request_count{namespace="production"} 1"#))
}

@Test func missingServiceAccountIsDenied() throws {
    let http = handler(FakeServiceAccountSource(answer: .notFound)).handle(post(exampleReview))
    let answer = try response(http)
    #expect(answer["allowed"] as? Bool == false)
    let status = try #require(answer["status"] as? [String: Any])
    #expect((status["message"] as? String)?.contains(#"serviceaccounts "keyvault-reader" not found"#) == true)
}

@Test func failedLookupIsDeniedWithItsMessageLikeUpstream() throws {
    let metrics = WebhookMetrics()
    let http = handler(FakeServiceAccountSource(answer: .failed("apiserver said \"no\"\n")), metrics: metrics).handle(post(exampleReview))
    #expect(http.status == 200)
    let answer = try response(http)
    #expect(answer["uid"] as? String == "3f6c1a52-9d0e-4b7a-8c21-5e4f7a9b0d13")
    #expect(answer["allowed"] as? Bool == false)
    let status = try #require(answer["status"] as? [String: Any])
    #expect(status["code"] as? Int == 400)
    #expect(status["message"] as? String == "failed to get service account production/keyvault-reader: apiserver said \"no\"\n")
    #expect(String(decoding: metrics.exposition(), as: UTF8.self)
        .contains(#"azwi_admissions_total{decision="denied",reason="service-account-lookup-failed"} 1"#))
}

@Test func lookupDeadlineComesFromTheTimeoutQuery() throws {
    let source = FakeServiceAccountSource(answer: .found(keyvaultReader))
    let before = ContinuousClock.now
    _ = handler(source).handle(post(exampleReview, target: "/mutate-v1-pod?timeout=2s"))
    let after = ContinuousClock.now
    let deadline = try #require(source.lookups.first?.deadline)
    let budget = Duration.seconds(2) - AdmissionDeadline.margin
    #expect(deadline >= before + budget && deadline <= after + budget)
}

@Test func requestsThatNeedNoServiceAccountSkipTheLookup() throws {
    var review = String(decoding: exampleReview, as: UTF8.self)
    review = review.replacingOccurrences(of: #""operation": "CREATE""#, with: #""operation": "DELETE""#)
    let source = FakeServiceAccountSource(answer: .failed("must not be asked"))
    let http = handler(source).handle(post(Array(review.utf8)))
    #expect(try response(http)["allowed"] as? Bool == true)
    #expect(source.lookups.isEmpty)
}

@Test func unreadableBodyIs400PlainText() {
    let http = handler(FakeServiceAccountSource(answer: .notFound)).handle(post(Array("{\"request\":".utf8)))
    #expect(http.status == 400)
    #expect(http.headers.contains { $0.0 == "Content-Type" && $0.1.hasPrefix("text/plain") })
}

@Test func otherPathsAre404AndOtherMethods405() {
    let subject = handler(FakeServiceAccountSource(answer: .notFound))
    #expect(subject.handle(post(exampleReview, target: "/validate")).status == 404)
    let get = subject.handle(HTTPRequest(method: "GET", target: "/mutate-v1-pod"))
    #expect(get.status == 405)
    #expect(get.headers.contains { $0 == ("Allow", "POST") })
}
