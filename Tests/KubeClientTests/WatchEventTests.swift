@testable import KubeClient
import Testing

@Suite("Watch events and versions decode to what the stores apply")
struct WatchEventTests {
    private typealias Event = WatchEvent<ServiceAccountWire.Object>

    private func decode(_ line: String) throws -> Event {
        try Event.decode(Array(line.utf8))
    }

    @Test func addedKeepsOnlyWorkloadIdentityAnnotations() throws {
        let line = #"{"type":"ADDED","object":{"kind":"ServiceAccount","metadata":{"name":"sa","namespace":"ns","resourceVersion":"42","annotations":{"azure.workload.identity/client-id":"id-1","kubectl.kubernetes.io/last-applied-configuration":"{}"},"managedFields":[{"manager":"x"}]},"secrets":[{"name":"s"}]}}"#
        guard case let .upsert(metadata, object) = try decode(line) else {
            Issue.record("expected an upsert")
            return
        }
        #expect(metadata == ObjectMetadata(name: "sa", namespace: "ns", resourceVersion: "42"))
        let store = ServiceAccountStore()
        #expect(store.key(for: metadata) == ServiceAccountStore.Key(namespace: "ns", name: "sa"))
        #expect(store.entry(for: object, metadata: metadata) == ["azure.workload.identity/client-id": "id-1"])
    }

    @Test func modifiedDeletedBookmarkAndError() throws {
        guard case let .upsert(modified, _) = try decode(#"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"b","resourceVersion":"7"}}}"#) else {
            Issue.record("expected an upsert")
            return
        }
        #expect(modified.resourceVersion == "7")
        guard case let .delete(deleted, _) = try decode(#"{"type":"DELETED","object":{"metadata":{"name":"a","namespace":"b","resourceVersion":"8"}}}"#) else {
            Issue.record("expected a delete")
            return
        }
        #expect(deleted == ObjectMetadata(name: "a", namespace: "b", resourceVersion: "8"))
        guard case let .bookmark(version) = try decode(#"{"type":"BOOKMARK","object":{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"resourceVersion":"99"}}}"#) else {
            Issue.record("expected a bookmark")
            return
        }
        #expect(version == "99")
        guard case let .error(code, message) = try decode(#"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#) else {
            Issue.record("expected an error")
            return
        }
        #expect(code == 410 && message == "too old resource version: 1 (5)")
    }

    @Test func anObjectWithoutANamespaceHasNoServiceAccountKey() throws {
        guard case let .upsert(metadata, _) = try decode(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"3"}}}"#) else {
            Issue.record("expected an upsert")
            return
        }
        #expect(ServiceAccountStore().key(for: metadata) == nil)
    }

    @Test(arguments: [
        "not json",
        #"{"type":"ADDED","object":{"metadata":{"name":"a"}}}"#,
        #"{"type":"BOOKMARK","object":{}}"#,
        #"{"type":"SURPRISE","object":{}}"#,
        #"{"object":{}}"#,
        "",
    ])
    func malformedEventsAreDecodingErrors(line: String) {
        #expect(throws: KubeClientError.self) { try decode(line) }
    }

    @Test func serverVersionToleratesPlusMinorsAndFallsBackToGitVersion() throws {
        let gke = try KubeServerVersion.decode(Array(#"{"major":"1","minor":"32+","gitVersion":"v1.32.3-gke.1"}"#.utf8))
        #expect(gke.major == 1 && gke.minor == 32)
        #expect(gke.supportsNativeSidecars)
        let old = try KubeServerVersion.decode(Array(#"{"major":"1","minor":"31"}"#.utf8))
        #expect(!old.supportsNativeSidecars)
        let empty = try KubeServerVersion.decode(Array(#"{"major":"","minor":"","gitVersion":"v1.33.0"}"#.utf8))
        #expect(empty == KubeServerVersion(major: 1, minor: 33, gitVersion: "v1.33.0"))
        #expect(KubeServerVersion(major: 2, minor: 0).supportsNativeSidecars)
        #expect(throws: KubeClientError.self) { try KubeServerVersion.decode(Array(#"{"major":"x"}"#.utf8)) }
        #expect(throws: KubeClientError.self) { try KubeServerVersion.decode(Array("<html>".utf8)) }
    }

    @Test func pathEscapingAndNameValidation() {
        #expect(KubePath.escape("eyJ+/=") == "eyJ%2B%2F%3D")
        #expect(KubePath.isValidName("my-sa.v2"))
        #expect(!KubePath.isValidName("../x"))
        #expect(!KubePath.isValidName(""))
        #expect(!KubePath.isValidName("UPPER"))
    }
}
