/// The result of one admission: the response body to send, and what was decided.
public struct AdmissionOutcome: Sendable {
    /// What happened to the pod, for metrics and logs.
    public let decision: AdmissionDecision
    /// The complete AdmissionReview response (JSON), same apiVersion as the request.
    public let responseBody: [UInt8]
    /// The RFC 6902 JSON patch (a JSON array), or nil when the pod is unchanged or denied.
    public let patch: [UInt8]?
    /// The warnings sent back in `response.warnings`.
    public let warnings: [String]
}

/// What admission decided. `reason` is a short, stable, kebab-case label for metrics
/// (e.g. `not-a-pod-create`, `mirror-pod`, `already-mutated`, `service-account-not-found`,
/// `invalid-token-expiration`); the human-readable denial message is in the response body.
public enum AdmissionDecision: Sendable, Equatable {
    case mutated
    case unchanged(reason: String)
    case denied(reason: String, message: String)
}
