/// An AdmissionReview request, read from the raw body bytes without decoding the whole pod.
///
/// Reading is the first half of admission: the executable reads the request, looks up the
/// ServiceAccount it names (``serviceAccountName`` in ``namespace``), then calls ``Admitter``.
public struct AdmissionRequest: Sendable {
    /// `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`; the response uses the same.
    public let apiVersion: String
    /// `request.uid`, echoed in the response.
    public let uid: String
    /// `request.namespace`.
    public let namespace: String
    /// The pod's name, or its `generateName` when it has no name yet; for logs.
    public let podName: String
    /// `spec.serviceAccountName`, or `default` when it is empty or absent.
    public let serviceAccountName: String
    /// Whether the request needs a ServiceAccount lookup (a pod CREATE that will be mutated).
    public let needsServiceAccount: Bool

    /// Reads an AdmissionReview request body.
    ///
    /// - Throws: ``AdmissionReadError`` when the bytes are not an AdmissionReview (not JSON,
    ///   no `request`, no `uid`); the server answers HTTP 400 with its message.
    public static func read(_ body: [UInt8]) throws(AdmissionReadError) -> AdmissionRequest {
        throw AdmissionReadError(message: "not implemented")
    }
}

/// Why a body could not be read as an AdmissionReview: the message is short and safe to send back.
public struct AdmissionReadError: Error, Equatable, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
}
