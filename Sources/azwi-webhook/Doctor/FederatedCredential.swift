/// The federated identity credential that must exist on the managed identity (or app
/// registration) for a workload's token to be exchanged: issuer, subject and audience, which
/// Entra ID compares with the token's `iss`, `sub` and `aud` exactly.
///
/// Doctor prints it with the `az` command and the Terraform block that create it, filled in,
/// because a one-character difference (a trailing slash on the issuer) is the usual cause of
/// AADSTS70021 "No matching federated identity record found".
struct FederatedCredential: Equatable, Sendable {
    /// The token's `iss`; nil when it could not be read (offline, no permission).
    let issuer: String?
    let subject: String
    let audience: String

    init(issuer: String?, namespace: String, serviceAccount: String, audience: String) {
        self.issuer = issuer
        subject = "system:serviceaccount:\(namespace):\(serviceAccount)"
        self.audience = audience
        credentialName = Self.credentialName(namespace: namespace, serviceAccount: serviceAccount)
    }

    /// The credential's name: `<namespace>-<serviceaccount>`, as Azure accepts names (letters,
    /// digits, '-' and '_', at most 120 characters).
    let credentialName: String

    /// What the command and the block print when the issuer is not known.
    static let issuerPlaceholder = "<issuer: az aks show -g <resource-group> -n <cluster> --query oidcIssuerProfile.issuerUrl -o tsv>"

    private var shownIssuer: String { issuer ?? Self.issuerPlaceholder }

    /// `az identity federated-credential create …` for a user-assigned managed identity.
    var azCommand: String {
        """
        az identity federated-credential create --name \(credentialName) \\
          --identity-name <identity-name> --resource-group <resource-group> \\
          --issuer "\(shownIssuer)" \\
          --subject "\(subject)" \\
          --audiences "\(audience)"
        """
    }

    /// An `azurerm_federated_identity_credential` resource.
    var terraform: String {
        let label = String(credentialName.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return """
            resource "azurerm_federated_identity_credential" "\(label)" {
              name                = "\(credentialName)"
              resource_group_name = "<resource-group>"
              parent_id           = "<user-assigned identity resource ID>"
              issuer              = "\(shownIssuer)"
              subject             = "\(subject)"
              audience            = ["\(audience)"]
            }
            """
    }

    static func credentialName(namespace: String, serviceAccount: String) -> String {
        let name = "\(namespace)-\(serviceAccount)".map { $0 == "." ? "-" : $0 }
        return String(name.prefix(120))
    }
}
