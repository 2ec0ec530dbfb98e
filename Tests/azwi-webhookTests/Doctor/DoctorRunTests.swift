@testable import azwi_webhook
import KubeClient
import Testing
import YAML

/// A ``DoctorSource`` from a table of objects, with reads that can be forbidden.
private struct FakeDoctorSource: DoctorSource {
    var objects: [String: YAMLNode] = [:]
    var lists: [String: [YAMLNode]] = [:]
    var forbidden: Set<String> = []

    var isOffline: Bool { false }

    static func key(_ resource: KubeResource, _ namespace: String?, _ name: String) -> String {
        resource.path(namespace: namespace, name: name)
    }

    func get(_ resource: KubeResource, namespace: String?, name: String) -> Fetched<YAMLNode> {
        if forbidden.contains(resource.plural) { return .unavailable(.forbidden(Access("get", resource, namespace: namespace))) }
        return objects[Self.key(resource, namespace, name)].map(Fetched.found) ?? .unavailable(.missing("not found"))
    }

    func list(_ resource: KubeResource, namespace: String, labelSelector: String?) -> Fetched<[YAMLNode]> {
        if forbidden.contains(resource.plural) { return .unavailable(.forbidden(Access("list", resource, namespace: namespace))) }
        return .found(lists[resource.collectionPath(namespace: namespace)] ?? [])
    }

    func openIDConfiguration() -> Fetched<YAMLNode> { .unavailable(.missing("not found")) }

    func token(namespace: String, serviceAccount: String, audience: String, expirationSeconds: Int) -> Fetched<ServiceAccountToken> {
        .unavailable(.forbidden(Access("create", "serviceaccounts/token", namespace: namespace)))
    }
}

@Suite struct DoctorRunTests {
    private func node(_ yaml: String) throws -> YAMLNode {
        try YAMLNode.parse(Array(yaml.utf8))
    }

    private func source() throws -> FakeDoctorSource {
        var source = FakeDoctorSource()
        source.objects[FakeDoctorSource.key(.pods, "ns", "web")] = try node("""
            metadata: {name: web, namespace: ns, labels: {azure.workload.identity/use: "true"}}
            spec: {serviceAccountName: reader, containers: [{name: app}]}
            """)
        source.objects[FakeDoctorSource.key(.serviceAccounts, "ns", "reader")] = try node("""
            metadata: {name: reader, namespace: ns, annotations: {azure.workload.identity/client-id: 5a1e4c2b-8f3d-4e6a-9b7c-2d1f0e3a4b5c,
                       azure.workload.identity/tenant-id: 72f988bf-86f1-41af-91ab-2d7cd011db47}}
            """)
        return source
    }

    private func run(_ source: FakeDoctorSource, _ target: String = "pod/web") throws -> DoctorReport {
        var run = try DoctorRun(source: source, target: DoctorTarget(parsing: target), namespace: "ns", webhookConfigurationName: "hook", now: 0)
        return run.report()
    }

    @Test func aTargetThatDoesNotExistStopsTheRun() throws {
        #expect(throws: DoctorFailure("deployment/absent not found in namespace ns")) { try run(try source(), "deployment/absent") }
    }

    @Test func forbiddenReadsAreSkipsNamingThePermissionAndUnreadChecksSaySo() throws {
        var source = try source()
        source.forbidden = ["mutatingwebhookconfigurations"]
        let report = try run(source)
        let byID = Dictionary(uniqueKeysWithValues: report.checks.map { ($0.id, $0) })
        #expect(report.checks.map(\.id) == DoctorCheck.ID.allCases)
        #expect(byID[.webhookConfiguration]?.message == "forbidden: needs RBAC get on mutatingwebhookconfigurations.admissionregistration.k8s.io")
        #expect(byID[.caBundle]?.status == .skip && byID[.namespaceSelector]?.status == .skip)
        #expect(byID[.clientID]?.status == .pass && byID[.tenantID]?.message.contains("ServiceAccount's annotation") == true)
        #expect(byID[.injected]?.status == .fail)
        #expect(byID[.injected]?.fix == "kubectl -n ns delete pod web && kubectl apply -f <pod manifest>   # a pod is mutated only when it is created")
        #expect(byID[.tokenIssuer]?.message == "forbidden: needs RBAC create on serviceaccounts/token in namespace ns")
        #expect(report.federatedCredential?.subject == "system:serviceaccount:ns:reader" && report.federatedCredential?.issuer == nil)
    }

    @Test func aMissingWebhookConfigurationFailsAndItsDependentsAreSkipped() throws {
        let report = try run(try source())
        #expect(report.checks[0].status == .fail && report.checks[0].message.hasPrefix("MutatingWebhookConfiguration hook not found"))
        #expect(report.checks[1].message == "needs the MutatingWebhookConfiguration (see webhook-configuration)")
    }

    @Test func aWebhookCalledByURLIsCheckedForTheURLsHost() throws {
        let facts = WebhookFacts(object: try node("""
            metadata: {name: hook}
            webhooks: [{name: a, clientConfig: {url: "https://webhook.example:8443/mutate"}}]
            """))
        #expect(facts.webhooks[0].hostName == "webhook.example" && facts.webhooks[0].failurePolicy == "Fail")
        #expect(facts.namespace == nil)
    }

    @Test func fixesRestartWhatHasARolloutAndRecreateTheRest() {
        #expect(DoctorFixes.recreatePods(owner: (.deployment, "web"), namespace: "ns", pods: []) == "kubectl -n ns rollout restart deployment/web")
        #expect(DoctorFixes.recreatePods(owner: (.replicaset, "web-1"), namespace: "ns", pods: ["a", "b"]).hasPrefix("kubectl -n ns delete pod a b"))
        #expect(DoctorFixes.recreatePods(owner: (.cronjob, "nightly"), namespace: "ns", pods: []).hasPrefix("kubectl -n ns create job nightly-doctor --from=cronjob/nightly"))
        #expect(DoctorFixes.setPodLabels([("k", "v")], owner: (.cronjob, "nightly"), namespace: "ns", offline: false)
            == #"kubectl -n ns patch cronjob nightly --type merge -p '{"spec":{"jobTemplate":{"spec":{"template":{"metadata":{"labels":{"k":"v"}}}}}}}'"#)
        #expect(DoctorFixes.setPodLabels([("k", "v")], owner: (.job, "once"), namespace: "ns", offline: false).hasPrefix("add to the Job's manifest"))
    }
}
