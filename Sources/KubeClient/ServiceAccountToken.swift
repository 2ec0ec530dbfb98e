/// A ServiceAccount token issued by the TokenRequest API: a bearer credential.
///
/// Its description is redacted, so interpolating it into a message or a log line by mistake
/// prints nothing secret; only ``jwt`` gives the token itself, for decoding its claims.
public struct ServiceAccountToken: Sendable, Equatable, CustomStringConvertible {
    /// The compact JWT (`header.payload.signature`).
    public let jwt: String

    public init(jwt: String) {
        self.jwt = jwt
    }

    public var description: String { "ServiceAccountToken(redacted)" }
}
