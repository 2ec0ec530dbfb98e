@testable import azwi_webhook
import Testing

@Suite struct ClientIDNearMissTests {
    static let id = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"

    @Test(arguments: ["12345678-90ab-cdef-1234-567890ABCDEF", id])
    func guidsAreEightFourFourFourTwelveHexDigits(_ text: String) {
        #expect(GUID.isValid(text))
    }

    @Test(arguments: ["", "my-identity", "{\(id)}", "\(id) ", "5a1e4c2b8f3d4e6a9b7c2d1f0e3a4b5c", "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5g"])
    func otherTextsAreNotGUIDs(_ text: String) {
        #expect(!GUID.isValid(text))
    }

    @Test(arguments: ["azure.workload.identity/client_id", "azure.workload.identity/clientId", "azure.workload.identity/clientID",
                      "azure.workload.identity/Client-Id", "azure.workload-identity/client-id", "azure.workload.identiy/client-id",
                      "client-id", "azure-client-id"])
    func misspeltKeysResembleTheClientIDKey(_ key: String) {
        #expect(ClientIDNearMiss.resembles(key))
    }

    @Test(arguments: ["azure.workload.identity/tenant-id", "azure.workload.identity/use", "app.kubernetes.io/name", "client"])
    func otherKeysDoNot(_ key: String) {
        #expect(!ClientIDNearMiss.resembles(key))
    }

    @Test func findsNearMissesOnTheServiceAccountAndTheRightKeyInTheWrongPlace() {
        let misses = ClientIDNearMiss.find(
            serviceAccountAnnotations: ["azure.workload.identity/client-id": Self.id, "azure.workload.identity/client_id": "x"],
            serviceAccountLabels: ["azure.workload.identity/client-id": "y"],
            podAnnotations: ["azure.workload.identity/clientId": "z"],
            podLabels: ["azure.workload.identity/use": "true"])
        #expect(misses.map(\.description) == [
            "ServiceAccount annotation azure.workload.identity/client_id=x",
            "ServiceAccount label azure.workload.identity/client-id=y",
            "pod annotation azure.workload.identity/clientId=z",
        ])
    }

    @Test func editDistanceStopsPastItsLimit() {
        #expect(ClientIDNearMiss.editDistance(Array("kitten".utf8), Array("sitting".utf8), limit: 5) == 3)
        #expect(ClientIDNearMiss.editDistance(Array("a".utf8), Array("abcdef".utf8), limit: 2) == 3)
    }
}
