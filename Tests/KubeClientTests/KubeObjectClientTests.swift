@testable import KubeClient
import Testing
import YAML

@Suite struct KubeObjectClientTests {
    @Test func pathsFollowTheAPIGroupsAndScopes() {
        #expect(KubeResource.pods.path(namespace: "ns", name: "web") == "/api/v1/namespaces/ns/pods/web")
        #expect(KubeResource.deployments.collectionPath(namespace: "ns") == "/apis/apps/v1/namespaces/ns/deployments")
        #expect(KubeResource.namespaces.path(namespace: "ignored", name: "ns") == "/api/v1/namespaces/ns")
        #expect(KubeResource.mutatingWebhookConfigurations.path(namespace: nil, name: "hook")
            == "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hook")
        #expect(KubeResource.endpointSlices.qualifiedName == "endpointslices.discovery.k8s.io" && KubeResource.pods.qualifiedName == "pods")
    }

    @Test func getReadsAnObjectAndListReadsItsItemsWithAnEscapedSelector() throws {
        let transport = ScriptedTransport()
        transport.queueGet(200, #"{"metadata":{"name":"web","labels":{"app":"web"}}}"#)
        transport.queueGet(200, #"{"kind":"PodList","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"#)
        transport.queueGet(403, #"{"kind":"Status","code":403,"message":"pods is forbidden"}"#)
        transport.queueGet(200, "[1]")
        let client = KubeObjectClient(transport: transport)
        #expect(try client.get("/api/v1/namespaces/ns/pods/web")["metadata"]?["labels"]?["app"]?.string == "web")
        let items = try client.list("/api/v1/namespaces/ns/pods", labelSelector: "app=web,tier=a b")
        #expect(items.map { $0["metadata"]?["name"]?.string } == ["a", "b"])
        #expect(transport.getTargets[1] == "/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb%2Ctier%3Da%20b")
        #expect(throws: KubeClientError.status(code: 403, message: "pods is forbidden")) { try client.list("/api/v1/namespaces/ns/pods") }
        #expect(throws: KubeClientError.self) { try client.get("/x") }
    }

    @Test func aTokenRequestPostsTheAudienceAndLifetimeAndKeepsTheTokenOutOfItsDescription() throws {
        let transport = ScriptedTransport()
        transport.queueGet(201, #"{"kind":"TokenRequest","status":{"token":"aaa.bbb.ccc","expirationTimestamp":"2026-01-01T01:00:00Z"}}"#)
        transport.queueGet(404, #"{"kind":"Status","code":404,"message":"serviceaccounts \"sa\" not found"}"#)
        let client = TokenRequestClient(transport: transport)
        let token = try client.requestToken(namespace: "ns", serviceAccount: "sa", audience: "api://AzureADTokenExchange", expirationSeconds: 3600)
        #expect(token.jwt == "aaa.bbb.ccc" && "\(token)" == "ServiceAccountToken(redacted)")
        #expect(transport.getTargets[0] == """
            POST /api/v1/namespaces/ns/serviceaccounts/sa/token application/json \
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"audiences":["api://AzureADTokenExchange"],"expirationSeconds":3600}}
            """)
        #expect(throws: KubeClientError.status(code: 404, message: #"serviceaccounts "sa" not found"#)) {
            try client.requestToken(namespace: "ns", serviceAccount: "sa", audience: "a", expirationSeconds: 3600)
        }
    }
}
