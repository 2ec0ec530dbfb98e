import FoundationEssentials
import PodRepair
import Testing

@Suite("A pod's JSON reduced to the record repair keeps")
struct PodShapeTests {
    private func record(_ json: String, selection: WebhookSelection = WebhookSelection()) throws -> PodRecord? {
        PodRecord(try JSONDecoder().decode(PodShape.self, from: Data(json.utf8)), selection: selection)
    }

    @Test func keepsOnlyTheFactsTheVerdictNeeds() throws {
        let pod = try #require(try record("""
            {"metadata":{"name":"web-7d9f-abcde","namespace":"team","uid":"0b5c1a8e-2d4f-4c6b-9e1a-7f3d2c1b0a99",
              "labels":{"azure.workload.identity/use":"true"},
              "annotations":{"azure.workload.identity/skip-containers":"istio-proxy","kubectl.kubernetes.io/last-applied-configuration":"{}"},
              "ownerReferences":[{"kind":"Deployment","name":"x"},{"kind":"ReplicaSet","name":"web-7d9f","controller":true}],
              "managedFields":[{"manager":"kubectl"}]},
             "spec":{"initContainers":[{"name":"init","image":"busybox"}],
              "containers":[{"name":"app","env":[{"name":"AZURE_FEDERATED_TOKEN_FILE","value":"/var/run/secrets/azure/tokens/azure-identity-token"}]},{"name":"istio-proxy","env":[]}],
              "volumes":[{"name":"azure-identity-token","projected":{"sources":[]}}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
            """, selection: WebhookSelection(objectSelector: LabelSelector(matchLabels: ["azure.workload.identity/use": "true"]))))
        #expect(pod == PodRecord(
            uid: PodUID("0b5c1a8e-2d4f-4c6b-9e1a-7f3d2c1b0a99"), namespace: "team", name: "web-7d9f-abcde", controller: .replicaSet, phase: .running,
            hasTokenVolume: true, objectSelected: true,
            containers: [.init(name: "init", hasTokenFile: false), .init(name: "app", hasTokenFile: true), .init(name: "istio-proxy", hasTokenFile: false)],
            skipContainers: "istio-proxy"))
        #expect(pod.verdict == .unmutated(.init(containers: ["init"], volume: false)))
    }

    @Test func deletionMirrorPhaseAndOwners() throws {
        let deleting = try #require(try record(#"{"metadata":{"name":"a","namespace":"n","uid":"u","deletionTimestamp":"2027-01-01T00:00:00Z","annotations":{"kubernetes.io/config.mirror":"x"},"ownerReferences":[{"kind":"Node","controller":true}]},"status":{"phase":"Succeeded"}}"#))
        #expect(deleting.isDeleting && deleting.isMirror && deleting.phase == .finished && deleting.controller == .other)
        #expect(deleting.containers.isEmpty && !deleting.hasTokenVolume)
        let bare = try #require(try record(#"{"metadata":{"name":"a","namespace":"n","uid":"u","labels":{"x":"y"}}}"#, selection: WebhookSelection(objectSelector: LabelSelector(matchLabels: ["x": "z"]))))
        #expect(bare.controller == .none && bare.phase == .pending && !bare.objectSelected)
        #expect(try record(#"{"metadata":{"name":"a","namespace":"n"}}"#) == nil)
    }
}
