import FoundationEssentials
@testable import KubeClient
import Testing

@Suite struct CertificateObjectClientTests {
    static let secretJSON = #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"cert","namespace":"ns","resourceVersion":"7","labels":{"a":"b"}},"type":"Opaque","data":{"other":"eA=="}}"#

    @Test func aSecretUpdateKeepsUnknownFieldsAndTheResourceVersionItWasReadAt() throws {
        let transport = ScriptedTransport()
        transport.queueGet(200, Self.secretJSON)
        transport.queueGet(409, #"{"kind":"Status","code":409,"reason":"Conflict","message":"the object has been modified"}"#)
        let client = SecretClient(transport: transport, namespace: "ns", name: "cert")
        let secret = try client.get()
        #expect(secret.resourceVersion == "7" && secret.data == ["other": Array("x".utf8)])
        #expect(try client.update(secret, setting: ["ca.crt": Array("pem".utf8)]) == .conflict("the object has been modified"))
        let put = transport.getTargets[1]
        #expect(put.hasPrefix("PUT /api/v1/namespaces/ns/secrets/cert application/json "))
        #expect(put.contains(#""resourceVersion":"7""#) && put.contains(#""labels":{"a":"b"}"#) && put.contains(#""type":"Opaque""#))
        #expect(put.contains(#""data":{"ca.crt":"cGVt","other":"eA=="}"#))
    }

    @Test func aSecretThatIsNotJSONOrNotBase64IsADecodingError() {
        #expect(throws: KubeClientError.self) { try KubeSecret.decode(Array("[1,".utf8)) }
        #expect(throws: KubeClientError.decoding("Secret data \"k\" is not base64")) {
            try KubeSecret.decode(Array(#"{"metadata":{"resourceVersion":"1"},"data":{"k":"!!"}}"#.utf8))
        }
    }

    @Test func theCABundlePatchTestsTheResourceVersionAndAddsEachWebhooksCABundle() throws {
        let transport = ScriptedTransport()
        transport.queueGet(200, #"{"metadata":{"name":"hook","resourceVersion":"12"},"webhooks":[{"clientConfig":{}},{"clientConfig":{"caBundle":"eA=="}}]}"#)
        transport.queueGet(422, #"{"kind":"Status","code":422,"message":"testing value /metadata/resourceVersion failed"}"#)
        transport.queueGet(403, #"{"kind":"Status","code":403,"message":"forbidden"}"#)
        let client = WebhookConfigurationClient(transport: transport, name: "hook")
        let current = try client.get()
        #expect(current == WebhookCABundles(resourceVersion: "12", caBundles: [[], Array("x".utf8)]))
        #expect(try client.injectCABundle(Array("ca".utf8), into: current) == .conflict("testing value /metadata/resourceVersion failed"))
        #expect(transport.getTargets[1] == """
            PATCH /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hook application/json-patch+json \
            [{"op":"test","path":"/metadata/resourceVersion","value":"12"},\
            {"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"Y2E="},\
            {"op":"add","path":"/webhooks/1/clientConfig/caBundle","value":"Y2E="}]
            """)
        #expect(throws: KubeClientError.status(code: 403, message: "forbidden")) { try client.injectCABundle(Array("ca".utf8), into: current) }
    }
}
