import Foundation
import KubeClient
import Logging
import Testing

/// The cache and client over real TLS against `fake_apiserver.py`.
@Suite("Cache against the API server stand-in", .serialized, .timeLimit(.minutes(1)))
struct ServiceAccountCacheIntegrationTests {
    private static func fastConfiguration(watchTimeout: ClosedRange<Int> = 30...30) -> ListWatchConfiguration {
        var configuration = ListWatchConfiguration()
        configuration.watchTimeoutSeconds = watchTimeout
        configuration.watchSlack = .seconds(5)
        configuration.requestTimeout = .seconds(10)
        configuration.backoff = Backoff(initial: .milliseconds(50), maximum: .milliseconds(500))
        return configuration
    }

    private static func startedCache(_ server: FakeAPIServer, token: String? = "t0", configuration: ListWatchConfiguration = fastConfiguration()) throws -> ServiceAccountCache {
        let client = try KubeAPIClient(connection: try server.connection(credential: token.map { .token($0) }), userAgent: "azwi-webhook/9.9.9-test", logger: .quiet)
        let cache = ServiceAccountCache(client: client, logger: .quiet, configuration: configuration)
        try cache.start()
        #expect(eventually { cache.isSynced })
        return cache
    }

    private static func lookup(_ cache: ServiceAccountCache, _ namespace: String, _ name: String, within: Duration = .seconds(10)) -> ServiceAccountLookup {
        cache.lookup(namespace: namespace, name: name, deadline: .now + within)
    }

    @Test func listPaginatesAndCarriesUserAgentAndAccept() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "1200"])
        let cache = try Self.startedCache(server)
        defer { cache.stop() }
        #expect(cache.count == 1200)
        #expect(try eventually { try server.counters()["watch"] == 1 })
        let counters = try server.counters()
        #expect(counters["list"] == 5)  // pages of 250
        let requests = try server.recentRequests()
        let lists = requests.filter { ($0["query"] as? [String: String])?["watch"] == nil }
        #expect(lists.allSatisfy { ($0["query"] as? [String: String])?["limit"] == "250" })
        #expect(lists.compactMap { ($0["query"] as? [String: String])?["continue"] }.count == 4)
        #expect(requests.allSatisfy { $0["user-agent"] as? String == "azwi-webhook/9.9.9-test" && $0["accept"] as? String == "application/json" })
        let watch = try #require(requests.last?["query"] as? [String: String])
        #expect(watch["allowWatchBookmarks"] == "true")
        #expect(watch["timeoutSeconds"] == "30")
        #expect(watch["resourceVersion"] == (try server.resourceVersion()))
        // Annotated ServiceAccounts keep only the azure.workload.identity/* annotations.
        guard case let .found(info) = Self.lookup(cache, "namespace-0", "serviceaccount-0") else { Issue.record("serviceaccount-0 missing"); return }
        #expect(info.annotations.keys.sorted() == ["azure.workload.identity/client-id", "azure.workload.identity/tenant-id"])
        #expect(try server.counters()["get"] == nil)
    }

    @Test func watchAppliesAddedModifiedDeleted() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "10"])
        let cache = try Self.startedCache(server)
        defer { cache.stop() }
        #expect(try eventually { try server.counters()["watch"] == 1 })
        try server.putServiceAccount("apps", "new", clientID: "first")
        #expect(eventually { cache.count == 11 })
        #expect(Self.lookup(cache, "apps", "new") == .found(ServiceAccountInfo(namespace: "apps", name: "new", annotations: ["azure.workload.identity/client-id": "first"])))
        try server.putServiceAccount("apps", "new", clientID: "second")
        #expect(eventually { Self.lookup(cache, "apps", "new") == .found(ServiceAccountInfo(namespace: "apps", name: "new", annotations: ["azure.workload.identity/client-id": "second"])) })
        try server.control("DELETE", "serviceaccounts/apps/new")
        #expect(eventually { cache.count == 10 })
        #expect(try server.counters()["get"] == nil)
        // A deleted ServiceAccount is not found any more: the miss asks the server, which says 404.
        #expect(Self.lookup(cache, "apps", "new") == .notFound)
        #expect(try server.counters()["get:apps/new"] == 1)
    }

    @Test func bookmarkMovesTheResourceVersionSoAResumedWatchIsNotExpired() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "5"])
        let cache = try Self.startedCache(server)
        defer { cache.stop() }
        #expect(try eventually { try server.counters()["watch"] == 1 })
        // Expire everything so far: only a watch resuming from the bookmark avoids a 410.
        try server.control("POST", "compact")
        let compacted = try server.resourceVersion()
        try server.control("POST", "bookmark")
        Thread.sleep(forTimeInterval: 0.3)
        try server.control("POST", "drop-watches")
        #expect(try eventually { try server.counters()["watch"] == 2 })
        let resumed = try #require(try server.recentRequests().last?["query"] as? [String: String])
        #expect(resumed["resourceVersion"] == compacted)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try server.counters()["list"] == 1)
    }

    @Test func expiredResourceVersionRelists() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "5"])
        let cache = try Self.startedCache(server)
        defer { cache.stop() }
        #expect(try eventually { try server.counters()["watch"] == 1 })
        try server.control("POST", "compact")      // the list's resourceVersion is now too old…
        try server.control("POST", "end-watches")  // …so the resumed watch gets ERROR 410, then a LIST
        try server.putServiceAccount("late", "sa")
        #expect(try eventually { try server.counters()["list"] == 2 })
        #expect(eventually { cache.count == 6 })
        #expect(try server.counters()["get"] == nil)
    }

    @Test func timeoutSecondsEndsTheStreamAndTheWatchResumes() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "3"])
        let cache = try Self.startedCache(server, configuration: Self.fastConfiguration(watchTimeout: 1...1))
        defer { cache.stop() }
        #expect(try eventually { try server.counters()["watch"] ?? 0 >= 3 })
        try server.putServiceAccount("x", "after-timeouts")
        #expect(eventually { cache.count == 4 })
        #expect(try server.counters()["list"] == 1)
    }

    @Test func droppedWatchResumesWithoutRelisting() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "3"])
        let cache = try Self.startedCache(server)
        defer { cache.stop() }
        #expect(try eventually { try server.counters()["watch"] == 1 })
        try server.control("POST", "drop-watches")
        try server.putServiceAccount("x", "during-drop")
        #expect(eventually { cache.count == 4 })
        #expect(try server.counters()["watch"] ?? 0 >= 2)
        #expect(try server.counters()["list"] == 1)
    }

    @Test func serverErrorsForAWhileAreRetriedUntilSynced() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "3"])
        try server.control("POST", "faults", #"{"status": 500, "seconds": 1.5}"#)
        let cache = try Self.startedCache(server)
        defer { cache.stop() }
        #expect(cache.count == 3)
        #expect(try server.counters()["faults"] ?? 0 >= 2)
    }

    @Test func slowServerStillSyncsAndDeadlinesBoundLookups() throws {
        let server = try FakeAPIServer(["--token", "t0", "--generate", "3"])
        try server.control("POST", "latency", #"{"seconds": 0.4}"#)
        let cache = try Self.startedCache(server)
        defer { cache.stop() }
        guard case .failed = Self.lookup(cache, "ns", "missing", within: .milliseconds(100)) else {
            Issue.record("a lookup slower than its deadline must fail")
            return
        }
        try server.putServiceAccount("ns", "slow")
        #expect(Self.lookup(cache, "ns", "slow", within: .seconds(5)) == .found(ServiceAccountInfo(namespace: "ns", name: "slow", annotations: [:])))
    }

    @Test func serviceAccountCreatedJustBeforeItsPodIsFoundByTheLiveGet() throws {
        let server = try FakeAPIServer(["--token", "t0"])
        let client = try KubeAPIClient(connection: try server.connection(credential: .token("t0")), userAgent: "azwi-webhook/test", logger: .quiet)
        let cache = ServiceAccountCache(client: client, logger: .quiet)  // not started: no watch to help
        try server.putServiceAccount("team", "fresh", clientID: "id")
        let fresh = ServiceAccountLookup.found(ServiceAccountInfo(namespace: "team", name: "fresh", annotations: ["azure.workload.identity/client-id": "id"]))
        #expect(Self.lookup(cache, "team", "fresh") == fresh)
        #expect(Self.lookup(cache, "team", "fresh") == fresh)  // stored: no second GET
        #expect(try server.counters()["get:team/fresh"] == 1)
        #expect(cache.count == 1)
    }

    @Test func twentyConcurrentMissesMakeOneGet() throws {
        let server = try FakeAPIServer(["--token", "t0"])
        try server.putServiceAccount("busy", "shared", clientID: "id")
        try server.control("POST", "latency", #"{"seconds": 0.5}"#)
        let client = try KubeAPIClient(connection: try server.connection(credential: .token("t0")), userAgent: "azwi-webhook/test", logger: .quiet)
        let cache = ServiceAccountCache(client: client, logger: .quiet)
        let results = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<20 {
            group.enter()
            Thread.detachNewThread {
                results.append(cache.lookup(namespace: "busy", name: "shared", deadline: .now + .seconds(10)))
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 20) == .success)
        #expect(results.all.count == 20)
        #expect(results.all.allSatisfy { $0 == .found(ServiceAccountInfo(namespace: "busy", name: "shared", annotations: ["azure.workload.identity/client-id": "id"])) })
        #expect(try server.counters()["get:busy/shared"] == 1)
    }

    @Test func serverVersionAndNativeSidecars() throws {
        let server = try FakeAPIServer(["--token", "t0", "--minor", "32+"])
        let client = try KubeAPIClient(connection: try server.connection(credential: .token("t0")), userAgent: "azwi-webhook/test", logger: .quiet)
        let version = try client.serverVersion(attempts: 3)
        #expect(version.major == 1 && version.minor == 32 && version.supportsNativeSidecars)
        try server.control("POST", "version", #"{"major": "1", "minor": "31"}"#)
        #expect(try client.serverVersion(deadline: .now + .seconds(5)).supportsNativeSidecars == false)
    }
}

/// Results gathered from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [ServiceAccountLookup] = []
    var all: [ServiceAccountLookup] { lock.withLock { results } }
    func append(_ result: ServiceAccountLookup) { lock.withLock { results.append(result) } }
}
