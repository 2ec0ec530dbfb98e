@testable import KubeClient
import Testing

@Suite("Watch events and versions decode to what the cache applies")
struct ServiceAccountEventTests {
    @Test func addedKeepsOnlyWorkloadIdentityAnnotations() throws {
        let line = #"{"type":"ADDED","object":{"kind":"ServiceAccount","metadata":{"name":"sa","namespace":"ns","resourceVersion":"42","annotations":{"azure.workload.identity/client-id":"id-1","kubectl.kubernetes.io/last-applied-configuration":"{}"},"managedFields":[{"manager":"x"}]},"secrets":[{"name":"s"}]}}"#
        let event = try ServiceAccountEvent.decode(Array(line.utf8))
        #expect(event == .upsert(ServiceAccountInfo(namespace: "ns", name: "sa", annotations: ["azure.workload.identity/client-id": "id-1"]), resourceVersion: "42"))
    }

    @Test func modifiedDeletedBookmarkAndError() throws {
        let modified = #"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"b","resourceVersion":"7"}}}"#
        #expect(try ServiceAccountEvent.decode(Array(modified.utf8)) == .upsert(ServiceAccountInfo(namespace: "b", name: "a", annotations: [:]), resourceVersion: "7"))
        let deleted = #"{"type":"DELETED","object":{"metadata":{"name":"a","namespace":"b","resourceVersion":"8"}}}"#
        #expect(try ServiceAccountEvent.decode(Array(deleted.utf8)) == .delete(namespace: "b", name: "a", resourceVersion: "8"))
        let bookmark = #"{"type":"BOOKMARK","object":{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"resourceVersion":"99"}}}"#
        #expect(try ServiceAccountEvent.decode(Array(bookmark.utf8)) == .bookmark(resourceVersion: "99"))
        let error = #"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#
        #expect(try ServiceAccountEvent.decode(Array(error.utf8)) == .error(code: 410, message: "too old resource version: 1 (5)"))
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
        #expect(throws: KubeClientError.self) { try ServiceAccountEvent.decode(Array(line.utf8)) }
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
