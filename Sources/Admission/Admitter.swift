/// The admission logic: a pod and its ServiceAccount in, the AdmissionReview response out.
///
/// Pure and synchronous: no I/O, no clocks, no locks, so it is safe to call from any
/// connection thread and cheap to test.
public struct Admitter: Sendable {
    public let config: AdmissionConfig

    public init(config: AdmissionConfig) {
        self.config = config
    }

    /// Decides on a request and builds the response.
    ///
    /// - Parameters:
    ///   - request: the request read by ``AdmissionRequest/read(_:)``.
    ///   - serviceAccount: the ServiceAccount the request names, or nil when it does not exist
    ///     (the pod is then denied with `serviceaccounts "<name>" not found`). Ignored when
    ///     ``AdmissionRequest/needsServiceAccount`` is false.
    public func admit(_ request: AdmissionRequest, serviceAccount: ServiceAccountFacts?) -> AdmissionOutcome {
        fatalError("not implemented")
    }
}
