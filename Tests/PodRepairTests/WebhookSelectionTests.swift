import FoundationEssentials
import PodRepair
import Testing

@Suite("The webhook configuration's selectors, with LabelSelector semantics")
struct WebhookSelectionTests {
    private func selection(_ json: String) throws -> WebhookSelection? {
        WebhookSelection(try JSONDecoder().decode(MutatingWebhookConfigurationShape.self, from: Data(json.utf8)))
    }

    @Test func theChartsSelectorsNeedNoNamespaceRead() throws {
        let chart = try #require(try selection("""
            {"webhooks":[{"name":"other","objectSelector":{"matchLabels":{"x":"y"}}},
             {"name":"mutation.azure-workload-identity.io",
              "namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["azure-workload-identity-system","kube-system"]}]},
              "objectSelector":{"matchLabels":{"azure.workload.identity/use":"true"}}}]}
            """))
        #expect(!chart.needsNamespaceLabels)
        #expect(chart.selects(namespace: "team", labels: nil))
        #expect(!chart.selects(namespace: "kube-system", labels: nil))
        #expect(chart.objectSelector.matches(["azure.workload.identity/use": "true", "app": "web"]))
        #expect(!chart.objectSelector.matches(["azure.workload.identity/use": "false"]))
    }

    @Test func otherNamespaceKeysNeedTheNamespacesLabels() throws {
        let selection = try #require(try selection("""
            {"webhooks":[{"name":"w","namespaceSelector":{"matchLabels":{"wi":"on"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"legacy","operator":"DoesNotExist"},{"key":"owner","operator":"Exists"}]}}]}
            """))
        #expect(selection.needsNamespaceLabels)
        #expect(selection.selects(namespace: "team", labels: ["wi": "on", "tier": "b", "owner": ""]))
        #expect(!selection.selects(namespace: "team", labels: ["wi": "on", "tier": "c", "owner": ""]))
        #expect(!selection.selects(namespace: "team", labels: ["wi": "on", "tier": "a", "owner": "x", "legacy": "1"]))
        #expect(!selection.selects(namespace: "team", labels: ["wi": "on", "tier": "a"]))
        #expect(selection.objectSelector.matches([:]))
    }

    @Test func noWebhooksSelectNothingAndUnknownOperatorsMatchNothing() throws {
        #expect(try selection(#"{"webhooks":[]}"#) == nil)
        #expect(try selection(#"{}"#) == nil)
        let odd = try #require(try selection(#"{"webhooks":[{"objectSelector":{"matchExpressions":[{"key":"a","operator":"Equals","values":["b"]}]}}]}"#))
        #expect(!odd.objectSelector.matches(["a": "b"]))
        #expect(LabelSelector(matchExpressions: [.init(key: "a", operator: "NotIn", values: ["b"])]).matches([:]))
    }
}
