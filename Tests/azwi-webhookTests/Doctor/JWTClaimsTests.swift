@testable import azwi_webhook
import FoundationEssentials
import Testing

@Suite struct JWTClaimsTests {
    private func jwt(_ payload: String) -> String {
        let encoded = Data(payload.utf8).base64EncodedString().replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
        return "eyJhbGciOiJSUzI1NiJ9.\(encoded).c2lnbmF0dXJl"
    }

    @Test func decodesIssuerSubjectAudiencesAndTimes() throws {
        let claims = try JWTClaims(jwt: jwt(#"{"aud":["api://AzureADTokenExchange"],"exp":1767229200,"iat":1767225600,"iss":"https://oidc.example/abc/","sub":"system:serviceaccount:ns:sa"}"#))
        #expect(claims.issuer == "https://oidc.example/abc/" && claims.subject == "system:serviceaccount:ns:sa")
        #expect(claims.audiences == ["api://AzureADTokenExchange"])
        #expect(claims.expires == 1_767_229_200 && claims.issuedAt == 1_767_225_600)
    }

    @Test func aStringAudienceAndEscapedSlashesAreRead() throws {
        let claims = try JWTClaims(jwt: jwt(#"{"aud":"api:\/\/AzureADTokenExchange","iss":"https:\/\/x","sub":"s","exp":1.5e9}"#))
        #expect(claims.audiences == ["api://AzureADTokenExchange"] && claims.issuer == "https://x" && claims.expires == 1_500_000_000)
    }

    @Test(arguments: ["", "a.b", "a.!!!.c", "a.e30.c"])
    func whatIsNotATokenWithIssuerAndSubjectIsRefused(_ token: String) {
        #expect(throws: DoctorFailure.self) { try JWTClaims(jwt: token) }
    }

    @Test func base64URLNeedsNoPadding() {
        #expect(JWTClaims.base64URLDecode("_-8") == [0xFF, 0xEF])
        #expect(JWTClaims.base64URLDecode("a") == nil)
    }
}
