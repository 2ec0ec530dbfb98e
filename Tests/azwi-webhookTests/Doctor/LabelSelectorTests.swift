@testable import azwi_webhook
import Testing
import YAML

@Suite struct LabelSelectorTests {
    private func selector(_ yaml: String) throws -> LabelSelector {
        try LabelSelector(YAMLNode.parse(Array(yaml.utf8)))
    }

    @Test func anAbsentOrEmptySelectorSelectsEverything() throws {
        #expect(try LabelSelector(nil).matches([:]))
        #expect(try selector("{}").matches(["a": "b"]))
    }

    @Test func matchLabelsNeedsEachKeyWithItsValue() throws {
        let chart = try selector(#"matchLabels: {azure.workload.identity/use: "true"}"#)
        #expect(chart.matches(["azure.workload.identity/use": "true", "app": "web"]))
        #expect(!chart.matches(["azure.workload.identity/use": "True"]))
        #expect(!chart.matches([:]))
        #expect(chart.unmet(by: [:]).map(\.description) == ["azure.workload.identity/use=true"])
    }

    @Test func theChartsNamespaceExclusionHoldsForAbsentKeysAndOtherNames() throws {
        let chart = try selector("""
            matchExpressions:
            - {key: kubernetes.io/metadata.name, operator: NotIn, values: [azure-workload-identity-system, kube-system]}
            """)
        #expect(chart.matches(["kubernetes.io/metadata.name": "production"]))
        #expect(chart.matches([:]))
        #expect(!chart.matches(["kubernetes.io/metadata.name": "kube-system"]))
        #expect(chart.summary == "kubernetes.io/metadata.name notin (azure-workload-identity-system,kube-system)")
    }

    @Test func inExistsAndDoesNotExistFollowTheAPI() throws {
        let both = try selector("""
            matchLabels: {team: a}
            matchExpressions:
            - {key: env, operator: In, values: [prod, staging]}
            - {key: owner, operator: Exists}
            - {key: legacy, operator: DoesNotExist}
            """)
        #expect(both.matches(["team": "a", "env": "prod", "owner": ""]))
        #expect(both.unmet(by: ["team": "b", "env": "dev", "legacy": "1"]).map(\.description) == ["team=a", "env in (prod,staging)", "owner", "!legacy"])
        #expect(both.equalityQuery == "team=a")
    }

    @Test func anUnknownOperatorOrMissingValuesIsAnError() {
        #expect(throws: DoctorFailure.self) { try selector("matchExpressions: [{key: a, operator: Equals, values: [b]}]") }
        #expect(throws: DoctorFailure.self) { try selector("matchExpressions: [{key: a, operator: In}]") }
    }
}
