@testable import azwi_webhook
import Testing
import YAML

@Suite struct DoctorReportTests {
    private let report = DoctorReport(
        target: "deployment/web", namespace: "prod",
        checks: [
            .pass(.webhookConfiguration, "exists"),
            .fail(.podLabel, "no \"label\"", fix: "kubectl one\nkubectl two"),
            .skip(.tokenIssuer, unavailable: .forbidden(Access("create", "serviceaccounts/token", namespace: "prod"))),
        ],
        federatedCredential: FederatedCredential(issuer: nil, namespace: "prod", serviceAccount: "sa", audience: "api://AzureADTokenExchange"))

    @Test func jsonHasTheDocumentedShapeWithNullsForAbsentValues() throws {
        let document = try YAMLNode.parse(report.json())
        #expect(document["target"]?.string == "deployment/web" && document["namespace"]?.string == "prod")
        let checks = try #require(document["checks"]?.items)
        #expect(checks.map { $0["id"]?.string ?? "" } == ["webhook-configuration", "pod-label", "token-issuer"])
        #expect(checks.map { $0["status"]?.string ?? "" } == ["pass", "fail", "skip"])
        #expect(checks[0]["fix"]?.isNull == true && checks[1]["fix"]?.string == "kubectl one\nkubectl two")
        #expect(checks[1]["message"]?.string == "no \"label\"")
        #expect(checks[2]["message"]?.string == "forbidden: needs RBAC create on serviceaccounts/token in namespace prod")
        #expect(document["federatedCredential"]?["issuer"]?.isNull == true)
        #expect(document["federatedCredential"]?["subject"]?.string == "system:serviceaccount:prod:sa")
        #expect(report.hasFailures && report.count(.skip) == 1)
    }

    @Test func textPutsEachFixLineUnderItsCheck() throws {
        let lines = report.text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let fail = try #require(lines.firstIndex { $0.hasPrefix("FAIL  pod-label") })
        // The fix starts under the message: after the status, the padded id and two spaces.
        let column = String(repeating: " ", count: 4 + 2 + "webhook-configuration".count + 2)
        #expect(lines[fail] == "FAIL  pod-label              no \"label\"")
        #expect(lines[fail + 1] == column + "fix: kubectl one")
        #expect(lines[fail + 2] == column + "     kubectl two")
        #expect(lines.contains("1 failed, 0 warned, 1 passed, 1 skipped"))
        #expect(lines.contains { $0.contains("azurerm_federated_identity_credential") })
    }
}
