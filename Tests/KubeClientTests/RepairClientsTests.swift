@testable import KubeClient
import Foundation
import Testing

@Suite("The Lease, Eviction and Event clients against a scripted API server")
struct RepairClientsTests {
    private static let lease = #"{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"l","namespace":"ns","resourceVersion":"7"},"spec":{"holderIdentity":"pod-a","leaseDurationSeconds":15,"renewTime":"2027-01-15T08:00:00.000000Z","leaseTransitions":2}}"#

    private func json(_ text: String) throws -> [String: Any] {
        let start = text.firstIndex(of: "{")!
        return try JSONSerialization.jsonObject(with: Data(text[start...].utf8)) as? [String: Any] ?? [:]
    }

    @Test func leaseGetCreateAndConditionalUpdate() throws {
        let transport = ScriptedTransport()
        let client = LeaseClient(transport: transport, namespace: "ns", name: "l")
        transport.queueGet(404, Wire.status(404, "NotFound"))
        transport.queueGet(200, Self.lease)
        transport.queueGet(201, Self.lease)
        transport.queueGet(409, Wire.status(409, "AlreadyExists"))
        transport.queueGet(409, Wire.status(409, "Conflict"))
        transport.queueGet(403, Wire.status(403, "Forbidden"))

        #expect(try client.get() == nil)
        let read = try #require(try client.get())
        #expect(read.resourceVersion == "7" && read.record.holder == "pod-a" && read.record.leaseTransitions == 2)
        let record = Lease.Record(holderIdentity: "pod-b", leaseDurationSeconds: 15, acquireTime: "t", renewTime: "t", leaseTransitions: 3)
        #expect(try client.create(record) == .written(read))
        guard case .conflict = try client.create(record) else { Issue.record("409 on create is a conflict"); return }
        guard case .conflict = try client.update(record, resourceVersion: "7") else { Issue.record("409 on update is a conflict"); return }
        #expect(throws: KubeClientError.status(code: 403, message: "Forbidden happened")) { try client.update(record, resourceVersion: "7") }

        let targets = transport.getTargets
        #expect(targets[0] == "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l")
        #expect(targets[2].hasPrefix("POST /apis/coordination.k8s.io/v1/namespaces/ns/leases application/json {"))
        let created = try json(targets[2])
        #expect((created["metadata"] as? [String: Any])?["resourceVersion"] == nil)
        #expect((created["spec"] as? [String: Any])?["holderIdentity"] as? String == "pod-b")
        #expect(targets[4].hasPrefix("PUT /apis/coordination.k8s.io/v1/namespaces/ns/leases/l "))
        let updated = try json(targets[4])
        #expect((updated["metadata"] as? [String: Any])?["resourceVersion"] as? String == "7")
        #expect(updated["kind"] as? String == "Lease")
    }

    @Test func evictionsAreConditionalOnTheUidAndTell429FromGone() throws {
        let transport = ScriptedTransport()
        let client = PodEvictionClient(transport: transport)
        transport.queueGet(201, #"{"kind":"Status","status":"Success","code":201}"#)
        transport.queueGet(429, Wire.status(429, "TooManyRequests"))
        transport.queueGet(404, Wire.status(404, "NotFound"))
        transport.queueGet(409, Wire.status(409, "Conflict"))
        transport.queueGet(500, Wire.status(500, "InternalError"))
        #expect(try client.evict(namespace: "ns", name: "web-1", uid: "u-1") == .evicted)
        #expect(try client.evict(namespace: "ns", name: "web-1", uid: "u-1") == .blocked("TooManyRequests happened"))
        #expect(try client.evict(namespace: "ns", name: "web-1", uid: "u-1") == .gone)
        #expect(try client.evict(namespace: "ns", name: "web-1", uid: "u-1") == .gone)
        #expect(throws: KubeClientError.self) { try client.evict(namespace: "ns", name: "web-1", uid: "u-1") }
        let first = transport.getTargets[0]
        #expect(first.hasPrefix("POST /api/v1/namespaces/ns/pods/web-1/eviction application/json "))
        let body = try json(first)
        #expect(body["apiVersion"] as? String == "policy/v1" && body["kind"] as? String == "Eviction")
        #expect(((body["deleteOptions"] as? [String: Any])?["preconditions"] as? [String: Any])?["uid"] as? String == "u-1")
    }

    @Test func aWarningEventNamesThePodAndTheReporter() throws {
        let transport = ScriptedTransport()
        let recorder = EventRecorder(transport: transport, component: "azwi-webhook", instance: "webhook-0")
        transport.queueGet(201, "{}")
        transport.queueGet(403, Wire.status(403, "Forbidden"))
        let pod = EventRecorder.InvolvedObject(kind: "Pod", namespace: "team", name: "web-1", uid: "u-1")
        try recorder.warning(about: pod, reason: "NotMutated", message: "missing")
        #expect(throws: KubeClientError.self) { try recorder.warning(about: pod, reason: "NotMutated", message: "missing") }
        let sent = transport.getTargets[0]
        #expect(sent.hasPrefix("POST /api/v1/namespaces/team/events application/json "))
        let event = try json(sent)
        #expect(event["type"] as? String == "Warning" && event["reason"] as? String == "NotMutated" && event["message"] as? String == "missing")
        #expect((event["involvedObject"] as? [String: Any])?["uid"] as? String == "u-1")
        #expect(((event["metadata"] as? [String: Any])?["name"] as? String)?.hasPrefix("web-1.") == true)
        #expect((event["metadata"] as? [String: Any])?["namespace"] as? String == "team")
        #expect(event["reportingInstance"] as? String == "webhook-0")
    }
}
