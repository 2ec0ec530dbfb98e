/// The existing pod volume that carries our name, and whether it is already exactly ours.
struct TokenVolumeFacts: Sendable {
    /// Its index in `spec.volumes`.
    var index: Int
    /// The name of its volume source when it is not projected (e.g. `secret`), else nil.
    var otherKind: String?
    /// Whether the projected volume's first source is a `serviceAccountToken` with nothing but a
    /// path, audience and lifetime, and the volume has nothing but its sources (an
    /// API-server-defaulted `defaultMode: 420` aside).
    var isPlainTokenVolume = true
    var tokenPath: JSONSpan?
    var expirationSeconds: Range<Int>?
    var audience: JSONSpan?
    /// The raw JSON of each source after the first (an identity binding's CA), as body ranges.
    var laterSources: [Range<Int>] = []
}
