@testable import KubeClient
import MetricsTestKit
import Testing

@Suite("Metrics of the cache and the client")
struct KubeMetricsTests {
    @Test func listsRestartsGaugeAndLiveGetsAreReported() throws {
        let metrics = TestMetrics()
        let transport = ScriptedTransport()
        let store = ServiceAccountStore(metrics: KubeMetrics(factory: metrics))
        let reflector = Reflector(
            transport: transport, store: store, configuration: ListWatchConfiguration(), logger: .quiet,
            metrics: KubeMetrics(factory: metrics), sleep: { _ in }, random: { 0 }
        )
        transport.queueGet(200, Wire.list(rv: 10, [Wire.serviceAccount("ns", "a", rv: 1), Wire.serviceAccount("ns", "b", rv: 2)]))
        transport.queueWatch(.stream([Wire.event("ADDED", Wire.serviceAccount("ns", "c", rv: 11)), Wire.event("ERROR", Wire.status(410, "Expired"))]))
        transport.queueGet(200, Wire.list(rv: 20, [Wire.serviceAccount("ns", "a", rv: 1)]))
        transport.queueWatch(.refused(500, Wire.status(500, "InternalError")))
        for _ in 0..<4 { reflector.step() }

        #expect(try metrics.expectCounter("azwi_kube_serviceaccount_lists_total").totalValue == 2)
        #expect(try metrics.expectCounter("azwi_kube_watch_restarts_total", [("reason", "expired")]).totalValue == 1)
        #expect(try metrics.expectCounter("azwi_kube_watch_restarts_total", [("reason", "http_500")]).totalValue == 1)
        #expect(try metrics.expectGauge("azwi_kube_serviceaccounts_cached").lastValue == 1)

        let cache = ServiceAccountCache(client: transport, logger: .quiet, metricsFactory: metrics)
        transport.queueGet(200, Wire.serviceAccount("ns", "live", rv: 30))
        transport.queueGet(404, Wire.status(404, "NotFound"))
        _ = cache.lookup(namespace: "ns", name: "live", deadline: .now + .seconds(5))
        _ = cache.lookup(namespace: "ns", name: "absent", deadline: .now + .seconds(5))
        #expect(try metrics.expectCounter("azwi_kube_serviceaccount_live_gets_total", [("result", "found")]).totalValue == 1)
        #expect(try metrics.expectCounter("azwi_kube_serviceaccount_live_gets_total", [("result", "not_found")]).totalValue == 1)
    }

    @Test func apiRequestLatencyIsRecordedByVerbAndCode() throws {
        let metrics = TestMetrics()
        let server = try FakeAPIServer(["--token", "t"])
        let client = try KubeAPIClient(connection: try server.connection(credential: .token("t")), userAgent: "azwi-webhook/test", logger: .quiet, metricsFactory: metrics)
        _ = try client.serverVersion(deadline: .now + .seconds(5))
        _ = try client.get("/api/v1/namespaces/ns/serviceaccounts/none", deadline: .now + .seconds(5))
        #expect(try metrics.expectTimer("azwi_kube_api_request_duration_seconds", [("verb", "get"), ("code", "200")]).values.count == 1)
        #expect(try metrics.expectTimer("azwi_kube_api_request_duration_seconds", [("verb", "get"), ("code", "404")]).values.count == 1)
    }
}
