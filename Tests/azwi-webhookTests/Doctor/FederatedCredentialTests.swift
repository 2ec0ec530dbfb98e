@testable import azwi_webhook
import Testing

@Suite struct FederatedCredentialTests {
    @Test func theCommandAndTheBlockCarryTheExactIssuerSubjectAndAudience() {
        let credential = FederatedCredential(issuer: "https://oidc.example/abc/", namespace: "prod.eu", serviceAccount: "reader",
                                             audience: "api://AzureADTokenExchange")
        #expect(credential.subject == "system:serviceaccount:prod.eu:reader")
        #expect(credential.credentialName == "prod-eu-reader")
        #expect(credential.azCommand.contains(#"--issuer "https://oidc.example/abc/""#))
        #expect(credential.azCommand.contains(#"--subject "system:serviceaccount:prod.eu:reader""#))
        #expect(credential.azCommand.contains(#"--audiences "api://AzureADTokenExchange""#))
        #expect(credential.terraform.hasPrefix(#"resource "azurerm_federated_identity_credential" "prod_eu_reader" {"#))
        #expect(credential.terraform.contains(#"issuer              = "https://oidc.example/abc/""#))
        #expect(credential.terraform.contains(#"audience            = ["api://AzureADTokenExchange"]"#))
    }

    @Test func anUnknownIssuerSaysHowToFindIt() {
        let credential = FederatedCredential(issuer: nil, namespace: "ns", serviceAccount: "sa", audience: "api://AzureADTokenExchange")
        #expect(credential.azCommand.contains("oidcIssuerProfile.issuerUrl"))
    }
}
