@testable import azwi_webhook
import Testing
import WebhookHTTP

private func get(_ handler: ProbeHandler, _ path: String, method: String = "GET") -> (Int, String) {
    let response = handler.handle(HTTPRequest(method: method, target: path))
    return (response.status, String(decoding: response.body, as: UTF8.self))
}

@Test func readyOnlyWithCertificateListenerAndSyncedSource() {
    let readiness = Readiness(serviceAccounts: StaticServiceAccountSource([]))
    let handler = ProbeHandler(readiness: readiness)
    #expect(get(handler, "/readyz") == (503, "not ready: serving certificate not loaded, webhook listener not accepting\n"))
    readiness.markCertificateLoaded()
    readiness.markListening()
    #expect(get(handler, "/readyz") == (200, "ok\n"))
}

@Test func notReadyWhileTheSourceIsNotSynced() {
    let readiness = Readiness(serviceAccounts: FakeServiceAccountSource(answer: .notFound, synced: false))
    readiness.markCertificateLoaded()
    readiness.markListening()
    #expect(get(ProbeHandler(readiness: readiness), "/readyz") == (503, "not ready: ServiceAccount source not synced\n"))
}

@Test func notReadyOnceShutdownBegins() {
    let readiness = Readiness(serviceAccounts: StaticServiceAccountSource([]))
    readiness.markCertificateLoaded()
    readiness.markListening()
    readiness.markShuttingDown()
    let handler = ProbeHandler(readiness: readiness)
    #expect(get(handler, "/readyz") == (503, "not ready: shutting down\n"))
    #expect(get(handler, "/healthz") == (200, "ok\n"))
}

@Test func probeListenerRoutes() {
    let handler = ProbeHandler(readiness: Readiness(serviceAccounts: StaticServiceAccountSource([])))
    #expect(get(handler, "/healthz").0 == 200)
    #expect(get(handler, "/healthz", method: "HEAD").0 == 200)
    #expect(get(handler, "/healthz", method: "POST").0 == 405)
    #expect(get(handler, "/metrics").0 == 404)
}
