import FoundationEssentials
import YAML

/// The claims of a ServiceAccount token that a federated identity credential is matched against:
/// `iss`, `sub`, `aud`, and its lifetime.
///
/// Decoded from the JWT's payload without checking its signature (doctor is not the relying
/// party, Entra ID is); the token itself is never kept or printed.
struct JWTClaims: Equatable, Sendable {
    let issuer: String
    let subject: String
    let audiences: [String]
    /// `exp`, seconds since 1970.
    let expires: Int64?
    /// `iat`, seconds since 1970.
    let issuedAt: Int64?

    /// Decodes the payload (second part) of a compact JWT.
    ///
    /// - Throws: ``DoctorFailure`` when it is not three base64url parts with a JSON object in the
    ///   middle, or lacks `iss` or `sub`.
    init(jwt: String) throws(DoctorFailure) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Self.base64URLDecode(parts[1]) else {
            throw DoctorFailure("the token is not a JWT (header.payload.signature, base64url)")
        }
        let claims: YAMLNode
        do throws(YAMLError) {
            claims = try YAMLNode.parse(payload)
        } catch {
            throw DoctorFailure("the token's payload is not JSON: \(error)")
        }
        guard claims.pairs != nil, let issuer = claims["iss"]?.string, let subject = claims["sub"]?.string else {
            throw DoctorFailure("the token's payload has no iss or sub claim")
        }
        self.issuer = issuer
        self.subject = subject
        // `aud` is a string or an array of strings (RFC 7519 §4.1.3).
        audiences = claims["aud"].map { $0.items?.compactMap(\.string) ?? [$0.string].compactMap { $0 } } ?? []
        expires = claims["exp"]?.string.flatMap(Self.seconds)
        issuedAt = claims["iat"]?.string.flatMap(Self.seconds)
    }

    /// Base64url without padding (RFC 7515 §2) to bytes.
    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        var standard = text.replacing("-", with: "+").replacing("_", with: "/")
        guard standard.utf8.count % 4 != 1 else { return nil }
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: String(standard)).map(Array.init)
    }

    /// A NumericDate: an integer, or a number with a fraction (truncated).
    private static func seconds(_ text: String) -> Int64? {
        Int64(text) ?? Double(text).map { Int64($0) }
    }
}
