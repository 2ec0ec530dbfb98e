import KubeClient
import YAML

/// The `token-issuer` check: the token a pod gets, decoded (never printed), against the
/// issuer the cluster publishes.
extension DoctorRun {
    /// The lifetime of the token doctor asks for: an hour, as the webhook's default.
    static let tokenLifetime = 3600

    mutating func tokenIssuerCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.tokenIssuer
        guard let account = serviceAccount.value else { return skipWithoutServiceAccount(id) }
        let name = account.objectName
        let token: ServiceAccountToken
        switch source.token(namespace: namespace, serviceAccount: name, audience: audience, expirationSeconds: Self.tokenLifetime) {
        case let .found(issued): token = issued
        case let .unavailable(reason): return .skip(id, unavailable: reason)
        }
        let claims: JWTClaims
        do throws(DoctorFailure) {
            claims = try JWTClaims(jwt: token.jwt)
        } catch {
            return .fail(id, "the TokenRequest API answered with something that is not a ServiceAccount token: \(error)")
        }
        tokenIssuer = claims.issuer
        let subject = "system:serviceaccount:\(namespace):\(name)"
        var found = "token iss \(claims.issuer), sub \(claims.subject), aud \(claims.audiences.joined(separator: ","))"
        if let expires = claims.expires { found += ", expires in \(max(0, expires - now) / 60) min" }
        guard claims.subject == subject else {
            return .fail(id, "\(found): sub is not \(subject)", fix: "the federated credential's subject must be the token's sub: \(claims.subject)")
        }
        guard claims.audiences.contains(audience) else {
            return .fail(id, "\(found): aud lacks \(audience)", fix: "check the API server's --api-audiences and any token webhook that rewrites audiences")
        }
        let discovery: YAMLNode
        switch source.openIDConfiguration() {
        case let .found(document): discovery = document
        case .unavailable(.missing):
            return .warn(id, "\(found); the API server serves no /.well-known/openid-configuration, so Entra ID cannot find its signing keys from the issuer",
                         fix: "enable the cluster's OIDC issuer (AKS: az aks update -g <resource-group> -n <cluster> --enable-oidc-issuer)")
        case let .unavailable(reason):
            let skipped = DoctorCheck.skip(id, unavailable: reason)
            return .skip(id, "\(found); the discovery issuer could not be compared: \(skipped.message)", fix: skipped.fix)
        }
        let published = discovery["issuer"]?.string ?? ""
        guard published == claims.issuer else {
            let slash = published.trimmingSuffix("/") == claims.issuer.trimmingSuffix("/") ? " (they differ only by the trailing slash)" : ""
            return .fail(id, "\(found): iss differs from the issuer in /.well-known/openid-configuration, \"\(published)\"\(slash); Entra ID compares them exactly",
                         fix: "make the federated credential's issuer the token's iss, character for character:\n"
                            + "az identity federated-credential update --name \(FederatedCredential.credentialName(namespace: namespace, serviceAccount: name)) --identity-name <identity-name> --resource-group <resource-group> --issuer \"\(claims.issuer)\"")
        }
        return .pass(id, "\(found); iss equals the discovery issuer")
    }
}

extension String {
    /// The text without one trailing `suffix`.
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
