@testable import KubeClient
import Logging
import Testing

@Suite("Cache lookups with a scripted transport")
struct ServiceAccountCacheTests {
    @Test func aMissGetsTheServiceAccountOnceThenAnswersFromTheCache() {
        let transport = ScriptedTransport()
        let cache = ServiceAccountCache(client: transport, logger: .quiet)
        transport.queueGet(200, Wire.serviceAccount("ns", "sa", rv: 5, clientID: "id"))
        let expected = ServiceAccountLookup.found(ServiceAccountInfo(namespace: "ns", name: "sa", annotations: ["azure.workload.identity/client-id": "id"]))
        #expect(cache.lookup(namespace: "ns", name: "sa", deadline: .now + .seconds(5)) == expected)
        #expect(cache.lookup(namespace: "ns", name: "sa", deadline: .now + .seconds(5)) == expected)
        #expect(transport.getTargets == ["/api/v1/namespaces/ns/serviceaccounts/sa"])
        #expect(cache.count == 1)
        #expect(!cache.isSynced)
    }

    @Test func notFoundErrorsAndInvalidNames() {
        let transport = ScriptedTransport()
        let cache = ServiceAccountCache(client: transport, logger: .quiet)
        transport.queueGet(404, Wire.status(404, "NotFound"))
        transport.queueGet(500, Wire.status(500, "InternalError"))
        transport.queueGetFailure(.transport("timed out"))
        #expect(cache.lookup(namespace: "ns", name: "gone", deadline: .now + .seconds(5)) == .notFound)
        guard case let .failed(message) = cache.lookup(namespace: "ns", name: "x", deadline: .now + .seconds(5)) else {
            Issue.record("a 500 must fail the lookup")
            return
        }
        #expect(message.contains("500"))
        guard case .failed = cache.lookup(namespace: "ns", name: "y", deadline: .now + .seconds(5)) else {
            Issue.record("a transport error must fail the lookup")
            return
        }
        guard case .failed = cache.lookup(namespace: "ns", name: "../../secrets", deadline: .now + .seconds(5)) else {
            Issue.record("an invalid name must fail without a request")
            return
        }
        #expect(transport.getTargets.count == 3)
        #expect(cache.count == 0)
    }
}
