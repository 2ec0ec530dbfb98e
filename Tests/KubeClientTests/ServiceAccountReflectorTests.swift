@testable import KubeClient
import Logging
import Synchronization
import Testing

@Suite("The list/watch state machine, driven by a scripted transport")
struct ServiceAccountReflectorTests {
    /// Records the backoff sleeps instead of sleeping.
    final class Sleeps: Sendable {
        private let recorded = Mutex<[Duration]>([])
        var all: [Duration] { recorded.withLock { $0 } }
        func record(_ duration: Duration) { recorded.withLock { $0.append(duration) } }
    }

    private func makeReflector(_ transport: ScriptedTransport, _ store: ServiceAccountStore, _ sleeps: Sleeps) -> Reflector<ServiceAccountStore> {
        var configuration = ListWatchConfiguration()
        configuration.backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(400))
        return Reflector(
            transport: transport, store: store, configuration: configuration, logger: .quiet,
            sleep: sleeps.record, random: { 0 }
        )
    }

    @Test func listPagesThenWatchEventsBookmarkAnd410Relist() {
        let transport = ScriptedTransport(), store = ServiceAccountStore(), sleeps = Sleeps()
        let reflector = makeReflector(transport, store, sleeps)
        transport.queueGet(200, Wire.list(rv: 100, continue: "tok+/=", [Wire.serviceAccount("ns", "a", rv: 10), Wire.serviceAccount("ns", "b", rv: 11)]))
        transport.queueGet(200, Wire.list(rv: 100, [Wire.serviceAccount("other", "c", rv: 12, clientID: "c-id")]))
        transport.queueWatch(.stream([
            Wire.event("ADDED", Wire.serviceAccount("ns", "d", rv: 101)),
            Wire.event("MODIFIED", Wire.serviceAccount("ns", "a", rv: 102, clientID: "a-id")),
            Wire.event("DELETED", Wire.serviceAccount("ns", "b", rv: 103)),
            Wire.bookmark(rv: 150),
        ]))
        transport.queueWatch(.stream([Wire.event("ERROR", Wire.status(410, "Expired"))]))
        transport.queueGet(200, Wire.list(rv: 200, [Wire.serviceAccount("ns", "a", rv: 190)]))

        #expect(!store.isSynced)
        #expect(reflector.step() == .listed(count: 3, resourceVersion: "100"))
        #expect(transport.getTargets == ["/api/v1/serviceaccounts?limit=250", "/api/v1/serviceaccounts?limit=250&continue=tok%2B%2F%3D"])
        #expect(store.isSynced)
        #expect(store.lookup(namespace: "other", name: "c")?.annotations == ["azure.workload.identity/client-id": "c-id"])

        #expect(reflector.step() == .watchEnded(reason: "timeout", events: 4))
        let firstWatch = transport.watchTargets[0]
        #expect(firstWatch.hasPrefix("/api/v1/serviceaccounts?watch=1&allowWatchBookmarks=true&resourceVersion=100&timeoutSeconds="))
        #expect(store.lookup(namespace: "ns", name: "a")?.annotations == ["azure.workload.identity/client-id": "a-id"])
        #expect(store.lookup(namespace: "ns", name: "b") == nil)
        #expect(store.lookup(namespace: "ns", name: "d") != nil)
        #expect(reflector.resourceVersion == "150")

        #expect(reflector.step() == .watchEnded(reason: "expired", events: 1))
        #expect(transport.watchTargets[1].contains("resourceVersion=150&"))
        #expect(reflector.resourceVersion == nil)

        #expect(reflector.step() == .listed(count: 1, resourceVersion: "200"))
        #expect(store.count == 1)
        #expect(sleeps.all.isEmpty)
    }

    @Test func failuresResumeFromTheLastResourceVersionWithGrowingBackoff() {
        let transport = ScriptedTransport(), store = ServiceAccountStore(), sleeps = Sleeps()
        let reflector = makeReflector(transport, store, sleeps)
        transport.queueGet(500, Wire.status(500, "InternalError"))
        transport.queueGetFailure(.transport("connection refused"))
        transport.queueGet(200, Wire.list(rv: 300, []))
        transport.queueWatch(.stream([Wire.event("ADDED", Wire.serviceAccount("ns", "x", rv: 301))], failure: .transport("closed inside a chunked body")))
        transport.queueWatch(.refused(500, Wire.status(500, "InternalError")))
        transport.queueWatch(.stream([]))
        transport.queueWatch(.stream(["{garbage"]))
        transport.queueWatch(.refused(410, Wire.status(410, "Gone")))

        #expect(reflector.step() == .listFailed("kube API status 500: InternalError happened"))
        #expect(!store.isSynced)
        guard case .listFailed = reflector.step() else { Issue.record("expected a failed list"); return }
        #expect(reflector.step() == .listed(count: 0, resourceVersion: "300"))
        #expect(sleeps.all == [.milliseconds(50), .milliseconds(100)])

        // Dropped mid-stream after one event: resume from that event, after the initial delay.
        #expect(reflector.step() == .watchEnded(reason: "error", events: 1))
        #expect(reflector.resourceVersion == "301")
        #expect(reflector.step() == .watchEnded(reason: "http_500", events: 0))
        #expect(reflector.step() == .watchEnded(reason: "closed", events: 0))
        #expect(reflector.step() == .watchEnded(reason: "decode", events: 0))
        #expect(Array(sleeps.all.dropFirst(2)) == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(200)])
        #expect(transport.watchTargets.allSatisfy { $0.contains("resourceVersion=301&") || $0.contains("resourceVersion=300&") })
        #expect(transport.watchTargets.dropFirst().allSatisfy { $0.contains("resourceVersion=301&") })

        #expect(reflector.step() == .watchEnded(reason: "expired", events: 0))
        #expect(reflector.resourceVersion == nil)
        #expect(store.lookup(namespace: "ns", name: "x") != nil)
    }

    @Test func anErrorEventOtherThan410ResumesAfterBackoffWithoutRelisting() {
        let transport = ScriptedTransport(), store = ServiceAccountStore(), sleeps = Sleeps()
        let reflector = makeReflector(transport, store, sleeps)
        transport.queueGet(200, Wire.list(rv: 7, []))
        transport.queueWatch(.stream([Wire.event("ERROR", Wire.status(500, "InternalError")), Wire.bookmark(rv: 99)]))
        #expect(reflector.step() == .listed(count: 0, resourceVersion: "7"))
        #expect(reflector.step() == .watchEnded(reason: "error", events: 1))
        #expect(reflector.resourceVersion == "7")  // nothing after the ERROR was applied
        #expect(sleeps.all == [.milliseconds(50)])
        #expect(transport.getTargets.count == 1)
    }

    @Test func aLiveGetResultNeverResurrectsADeletedServiceAccount() {
        let store = ServiceAccountStore()
        store.replaceAll([:])
        let key = ServiceAccountStore.Key(namespace: "ns", name: "a")
        store.upsert([:], for: key)
        store.delete(key, metadata: ObjectMetadata(name: "a", namespace: "ns", resourceVersion: "12"))
        store.storeLive(ServiceAccountInfo(namespace: "ns", name: "a", annotations: [:]), resourceVersion: "10")
        #expect(store.lookup(namespace: "ns", name: "a") == nil)
        store.storeLive(ServiceAccountInfo(namespace: "ns", name: "a", annotations: ["azure.workload.identity/x": "new"]), resourceVersion: "13")
        #expect(store.lookup(namespace: "ns", name: "a")?.annotations == ["azure.workload.identity/x": "new"])
    }
}

@Suite("The list/watch loop over any collection: a label selector, entries not kept")
struct GenericReflectorTests {
    /// Keeps the `phase` of each object by uid, and nothing for objects without one.
    final class PhaseStore: ReflectorStore, @unchecked Sendable {
        struct Object: Decodable {
            struct Status: Decodable { var phase: String? }
            var status: Status?
        }

        var entries: [String: String] = [:]
        var replaced = 0

        func key(for metadata: ObjectMetadata) -> String? { metadata.uid }
        func entry(for object: Object, metadata: ObjectMetadata) -> String? { object.status?.phase }
        func replaceAll(_ entries: [String: String]) {
            self.entries = entries
            replaced += 1
        }
        func upsert(_ entry: String, for key: String) { entries[key] = entry }
        func delete(_ key: String, metadata: ObjectMetadata) { entries[key] = nil }
    }

    private static func pod(_ uid: String, rv: Int, phase: String?) -> String {
        let status = phase.map { #","status":{"phase":"\#($0)"}"# } ?? ""
        return #"{"metadata":{"name":"p-\#(uid)","namespace":"ns","uid":"\#(uid)","resourceVersion":"\#(rv)"}\#(status)}"#
    }

    @Test func listsAndWatchesWithTheSelectorAndDropsWhatTheStoreDoesNotKeep() {
        let transport = ScriptedTransport(), store = PhaseStore()
        let reflector = Reflector(
            transport: transport, collection: .workloadIdentityPods, store: store, configuration: ListWatchConfiguration(),
            logger: .quiet, sleep: { _ in }, random: { 0 })
        transport.queueGet(200, Wire.list(rv: 5, [Self.pod("a", rv: 1, phase: "Running"), Self.pod("b", rv: 2, phase: nil)]))
        transport.queueWatch(.stream([
            Wire.event("ADDED", Self.pod("c", rv: 6, phase: "Pending")),
            Wire.event("MODIFIED", Self.pod("a", rv: 7, phase: nil)),
            Wire.event("MODIFIED", Self.pod("c", rv: 8, phase: "Running")),
        ]))
        #expect(reflector.step() == .listed(count: 1, resourceVersion: "5"))
        #expect(transport.getTargets == ["/api/v1/pods?limit=250&labelSelector=azure.workload.identity%2Fuse%3Dtrue"])
        #expect(store.entries == ["a": "Running"])
        #expect(reflector.step() == .watchEnded(reason: "timeout", events: 3))
        #expect(transport.watchTargets[0].hasPrefix("/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=5&timeoutSeconds="))
        #expect(transport.watchTargets[0].hasSuffix("&labelSelector=azure.workload.identity%2Fuse%3Dtrue"))
        #expect(store.entries == ["c": "Running"])
        #expect(reflector.resourceVersion == "8")
    }

    @Test func aStoppedLoopAppliesNothingMore() {
        let transport = ScriptedTransport(), store = PhaseStore()
        final class Flag { var isSet = false }
        let stopping = Flag()
        let reflector = Reflector(
            transport: transport, collection: .workloadIdentityPods, store: store, configuration: ListWatchConfiguration(),
            logger: .quiet, sleep: { _ in }, random: { 0 }, isStopping: { stopping.isSet })
        transport.queueGet(200, Wire.list(rv: 5, []))
        transport.queueWatch(.stream([Wire.event("ADDED", Self.pod("c", rv: 6, phase: "Pending"))]))
        #expect(reflector.step() == .listed(count: 0, resourceVersion: "5"))
        stopping.isSet = true
        #expect(reflector.step() == .watchEnded(reason: "stopped", events: 0))
        #expect(store.entries.isEmpty)
    }
}
