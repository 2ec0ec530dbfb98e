import Admission
@testable import azwi_webhook
import Testing
import YAML

@Suite struct PodInjectionTests {
    static let clientID = "5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c"
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    let config = AdmissionConfig(tenantID: tenant, authorityHost: "https://login.microsoftonline.com/")
    let account = ServiceAccountFacts(namespace: "ns", name: "sa", annotations: ["azure.workload.identity/client-id": clientID])

    private func pod(_ yaml: String) throws -> YAMLNode {
        try YAMLNode.parse(Array(yaml.utf8))
    }

    /// The pod as the webhook leaves it (spec/admission.md), written out by hand.
    private func mutatedPod(clientID: String = clientID, record: String? = nil, skip: String? = nil) -> String {
        let recorded = record ?? #"{"serviceAccount":"sa","clientID":"\#(clientID)","tenantID":"\#(Self.tenant)"}"#
        return """
            metadata:
              name: web-1
              labels: {azure.workload.identity/use: "true"}
              annotations:
                azure.workload.identity/injected: '\(recorded)'
            \(skip.map { "    azure.workload.identity/skip-containers: \($0)" } ?? "")
            spec:
              serviceAccountName: sa
              containers:
              - name: app
                env:
                - {name: AZURE_CLIENT_ID, value: "\(clientID)"}
                - {name: AZURE_TENANT_ID, value: "\(Self.tenant)"}
                - {name: AZURE_FEDERATED_TOKEN_FILE, value: /var/run/secrets/azure/tokens/azure-identity-token}
                - {name: AZURE_AUTHORITY_HOST, value: "https://login.microsoftonline.com/"}
                volumeMounts:
                - {name: azure-identity-token, mountPath: /var/run/secrets/azure/tokens, readOnly: true}
              - name: sidecar
              volumes:
              - name: azure-identity-token
                projected:
                  sources:
                  - serviceAccountToken: {path: azure-identity-token, expirationSeconds: 3600, audience: "api://AzureADTokenExchange"}
            """
    }

    @Test func aFullyMutatedPodHasNoProblems() throws {
        let inspection = PodInjection(pod: try pod(mutatedPod(skip: "sidecar")), namespace: "ns", serviceAccount: account, config: config, webhookCreated: nil)
        #expect(inspection.problems.isEmpty)
        #expect(inspection.injectedContainers == ["app"])
        #expect(inspection.notes.count == 1 && inspection.notes[0].hasPrefix("container sidecar is skipped"))
    }

    @Test func aPodMadeBeforeTheClientIDAnnotationLacksOnlyAZURE_CLIENT_ID() throws {
        var yaml = mutatedPod(record: #"{"serviceAccount":"sa","clientID":"","tenantID":"\#(Self.tenant)"}"#, skip: "sidecar")
        yaml = yaml.replacing("    - {name: AZURE_CLIENT_ID, value: \"\(Self.clientID)\"}\n", with: "")
        let inspection = PodInjection(pod: try pod(yaml), namespace: "ns", serviceAccount: account, config: config, webhookCreated: nil)
        #expect(inspection.problems == ["container app lacks AZURE_CLIENT_ID"])
        #expect(inspection.cause == "it was created before its ServiceAccount had the azure.workload.identity/client-id annotation")
    }

    @Test func aPodTheWebhookNeverSawIsDatedAgainstTheWebhook() throws {
        let yaml = """
            metadata: {name: web-1, creationTimestamp: "2026-01-01T00:00:00Z", labels: {azure.workload.identity/use: "true"}}
            spec: {containers: [{name: app}]}
            """
        let inspection = PodInjection(pod: try pod(yaml), namespace: "ns", serviceAccount: account, config: config, webhookCreated: "2026-02-01T00:00:00Z")
        #expect(inspection.problems == [
            "container app lacks AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST",
            "container app lacks the token mount at /var/run/secrets/azure/tokens",
            "the pod lacks the azure-identity-token volume",
        ])
        #expect(inspection.cause == "it was created (2026-01-01T00:00:00Z) before the webhook was installed (2026-02-01T00:00:00Z)")
    }

    @Test func valuesRecordedForAnEarlierClientIDAreStale() throws {
        let old = "00000000-1111-2222-3333-444444444444"
        let inspection = PodInjection(pod: try pod(mutatedPod(clientID: old, skip: "sidecar")), namespace: "ns", serviceAccount: account, config: config, webhookCreated: nil)
        #expect(inspection.problems == ["container app has AZURE_CLIENT_ID of an earlier ServiceAccount or client-id"])
        #expect(inspection.cause == "the ServiceAccount's client-id or tenant-id changed after the pod was created")
    }

    @Test func aUserSetVariableIsANoteNotAProblem() throws {
        let yaml = mutatedPod(skip: "sidecar").replacing("{name: AZURE_CLIENT_ID, value: \"\(Self.clientID)\"}", with: "{name: AZURE_CLIENT_ID, value: mine}")
            .replacing(#""clientID":"\#(Self.clientID)""#, with: #""clientID":"other""#)
        let inspection = PodInjection(pod: try pod(yaml), namespace: "ns", serviceAccount: account, config: config, webhookCreated: nil)
        #expect(inspection.problems.isEmpty)
        #expect(inspection.notes.contains { $0.contains("sets AZURE_CLIENT_ID itself") })
    }
}
