@testable import KubeClient
import Testing

@Suite("The compact ServiceAccount table: interned namespaces, names in an arena, annotations only where set")
struct ServiceAccountTableTests {
    private let clientID = ["azure.workload.identity/client-id": "c-id"]

    @Test func aPlainServiceAccountIsFoundWithNoAnnotationsAndAMissingOneIsNot() {
        var table = ServiceAccountTable()
        table.set(namespace: "ns", name: "plain", annotations: ["kubectl.kubernetes.io/last-applied-configuration": "{}"])
        table.set(namespace: "ns", name: "annotated", annotations: clientID.merging(["team": "x"]) { a, _ in a })
        #expect(table.annotations(namespace: "ns", name: "plain") == [:])
        #expect(table.annotations(namespace: "ns", name: "annotated") == clientID)
        #expect(table.annotations(namespace: "ns", name: "missing") == nil)
        #expect(table.annotations(namespace: "other", name: "plain") == nil)
        #expect(table.annotations(namespace: "n", name: "splain") == nil)  // no confusion across the boundary
        #expect(table.count == 2)
        #expect(table.annotatedCount == 1)
    }

    @Test func setReplacesAnnotationsBothWays() {
        var table = ServiceAccountTable()
        table.set(namespace: "ns", name: "a", annotations: [:])
        table.set(namespace: "ns", name: "a", annotations: clientID)
        #expect(table.annotations(namespace: "ns", name: "a") == clientID)
        table.set(namespace: "ns", name: "a", annotations: ["other": "y"])
        #expect(table.annotations(namespace: "ns", name: "a") == [:])
        #expect(table.count == 1)
        #expect(table.annotatedCount == 0)
    }

    @Test func removalKeepsEveryOtherEntryReachable() {
        var table = ServiceAccountTable()
        for i in 0..<3_000 {
            table.set(namespace: "namespace-\(i % 7)", name: "serviceaccount-\(i)", annotations: i % 10 == 0 ? ["azure.workload.identity/client-id": "id-\(i)"] : [:])
        }
        #expect(table.count == 3_000)
        for i in stride(from: 0, to: 3_000, by: 3) {
            let removed = table.remove(namespace: "namespace-\(i % 7)", name: "serviceaccount-\(i)")
            #expect(removed)
        }
        let removedTwice = table.remove(namespace: "namespace-0", name: "serviceaccount-0")
        #expect(!removedTwice)
        #expect(table.count == 2_000)
        for i in 0..<3_000 {
            let found = table.annotations(namespace: "namespace-\(i % 7)", name: "serviceaccount-\(i)")
            if i % 3 == 0 {
                #expect(found == nil)
            } else {
                #expect(found == (i % 10 == 0 ? ["azure.workload.identity/client-id": "id-\(i)"] : [:]))
            }
        }
        // Re-adding after removals (deleted slots and a compacted arena) works.
        for i in stride(from: 0, to: 3_000, by: 3) { table.set(namespace: "namespace-\(i % 7)", name: "serviceaccount-\(i)", annotations: [:]) }
        #expect(table.count == 3_000)
        #expect(table.annotations(namespace: "namespace-3", name: "serviceaccount-3") == [:])
    }

    @Test func manyInsertsAndDeletesOfTheSameNamesDoNotLoseEntries() {
        var table = ServiceAccountTable()
        table.set(namespace: "keep", name: "kept", annotations: clientID)
        for round in 0..<50 {
            for i in 0..<200 { table.set(namespace: "ns", name: "sa-\(round)-\(i)", annotations: [:]) }
            for i in 0..<200 { table.remove(namespace: "ns", name: "sa-\(round)-\(i)") }
        }
        #expect(table.count == 1)
        #expect(table.annotations(namespace: "keep", name: "kept") == clientID)
    }

    @Test func nonASCIIAndEmptyNamesCompareByBytes() {
        var table = ServiceAccountTable()
        table.set(namespace: "ns", name: "", annotations: [:])
        table.set(namespace: "ns", name: "é", annotations: clientID)
        #expect(table.annotations(namespace: "ns", name: "") == [:])
        #expect(table.annotations(namespace: "ns", name: "e\u{301}") == nil)  // other bytes
        #expect(table.annotations(namespace: "ns", name: "é") == clientID)
    }

    @Test func moreThan255DistinctKeysAndLongOrNonASCIIValuesRoundTrip() {
        var table = ServiceAccountTable()
        let long = String(repeating: "v", count: 70_000)
        for i in 0..<300 {
            table.set(namespace: "ns", name: "sa-\(i)", annotations: ["azure.workload.identity/key-\(i)": "value-\(i)-é", "azure.workload.identity/client-id": i == 7 ? long : "id"])
        }
        for i in 0..<300 {
            #expect(table.annotations(namespace: "ns", name: "sa-\(i)") == ["azure.workload.identity/key-\(i)": "value-\(i)-é", "azure.workload.identity/client-id": i == 7 ? long : "id"])
        }
        #expect(table.annotatedCount == 300)
    }

    @Test func reserveKeepsEverythingFindable() {
        var table = ServiceAccountTable()
        for i in 0..<100 { table.set(namespace: "ns", name: "sa-\(i)", annotations: i % 10 == 0 ? clientID : [:]) }
        table.reserve(count: 5_000)
        for i in 100..<5_000 { table.set(namespace: "ns", name: "sa-\(i)", annotations: i % 10 == 0 ? clientID : [:]) }
        for i in 0..<5_000 { #expect(table.annotations(namespace: "ns", name: "sa-\(i)") == (i % 10 == 0 ? clientID : [:])) }
        #expect(table.annotatedCount == 500)
    }

    @Test func theStoreFindsPlainServiceAccountsAfterAList() {
        let store = ServiceAccountStore()
        store.replaceAll([ServiceAccountStore.Key(namespace: "ns", name: "plain"): [:], ServiceAccountStore.Key(namespace: "ns", name: "wi"): clientID])
        #expect(store.lookup(namespace: "ns", name: "plain") == ServiceAccountInfo(namespace: "ns", name: "plain", annotations: [:]))
        #expect(store.lookup(namespace: "ns", name: "wi")?.annotations == clientID)
        #expect(store.lookup(namespace: "ns", name: "nope") == nil)
        store.delete(ServiceAccountStore.Key(namespace: "ns", name: "plain"), metadata: ObjectMetadata(name: "plain", namespace: "ns", resourceVersion: "5"))
        #expect(store.lookup(namespace: "ns", name: "plain") == nil)
        #expect(store.count == 1)
    }
}

/// Lets a test write a table as a dictionary literal.
extension ServiceAccountTable: ExpressibleByDictionaryLiteral {
    init(dictionaryLiteral elements: (ServiceAccountStore.Key, [String: String])...) {
        self.init()
        for (key, annotations) in elements { set(namespace: key.namespace, name: key.name, annotations: annotations) }
    }
}
