/// The existing pod volume that carries our name, and whether it is already exactly ours.
struct TokenVolumeFacts: Sendable {
    /// Its index in `spec.volumes`.
    var index: Int
    /// The name of its volume source when it is not projected (e.g. `secret`), else nil.
    var otherKind: String?
    /// Whether the projected volume has exactly one `serviceAccountToken` source and nothing else
    /// (an API-server-defaulted `defaultMode: 420` aside).
    var isSingleTokenSource = true
    var tokenPath: JSONSpan?
    var expirationSeconds: Range<Int>?
    var audience: JSONSpan?
}
