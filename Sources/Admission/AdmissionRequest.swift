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

    /// The request body; ``pod``'s spans point into it.
    let body: [UInt8]
    /// Whether the request is a CREATE of a pod (not a subresource).
    let isPodCreate: Bool
    /// What was read of `request.object`.
    let pod: PodFacts
    /// Whether the pod has the label `azure.workload.identity/use: "true"`.
    let isLabelled: Bool
    /// Whether the request is a pod CREATE the rules go on to judge (well formed, not a mirror pod).
    var isJudgedPodCreate: Bool { isPodCreate && pod.shapeError == nil && !pod.isMirror }

    /// The apiVersions of AdmissionReview this webhook answers.
    public static let supportedAPIVersions = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]

    /// Reads an AdmissionReview request body.
    ///
    /// - Throws: ``AdmissionReadError`` when the bytes are not an AdmissionReview (not JSON,
    ///   no `request`, no `uid`); the server answers HTTP 400 with its message.
    public static func read(_ body: [UInt8]) throws(AdmissionReadError) -> AdmissionRequest {
        let envelope: Envelope
        do {
            envelope = try body.withUnsafeBufferPointer { bytes throws(JSONError) in
                var scanner = JSONScanner(bytes)
                let envelope = try Envelope.read(&scanner)
                try scanner.expectEnd()
                return envelope
            }
        } catch {
            throw AdmissionReadError(message: "invalid JSON: \(error.description)")
        }
        guard let apiVersion = envelope.apiVersion else {
            throw AdmissionReadError(message: "not an AdmissionReview: no apiVersion")
        }
        guard supportedAPIVersions.contains(apiVersion) else {
            throw AdmissionReadError(message: "unsupported apiVersion \"\(apiVersion.prefix(64))\": expected admission.k8s.io/v1 or v1beta1")
        }
        if let kind = envelope.kind, kind != "AdmissionReview" {
            throw AdmissionReadError(message: "not an AdmissionReview: kind is \"\(kind.prefix(64))\"")
        }
        guard envelope.hasRequest else {
            throw AdmissionReadError(message: "not an AdmissionReview request: no request")
        }
        guard let uid = envelope.uid, !uid.isEmpty else {
            throw AdmissionReadError(message: "not an AdmissionReview request: no request.uid")
        }
        return AdmissionRequest(envelope: envelope, apiVersion: apiVersion, uid: uid, body: body)
    }

    private init(envelope: Envelope, apiVersion: String, uid: String, body: [UInt8]) {
        var pod = envelope.pod ?? PodFacts()
        if envelope.pod == nil { pod.shapeError = "the request has no pod object" }
        let isPodCreate = envelope.operation == "CREATE" && envelope.isPodResource && envelope.subResource.isEmpty
        let (podName, podServiceAccount, podNamespace, isLabelled) = body.withUnsafeBufferPointer { bytes in
            (
                (pod.name ?? pod.generateName)?.decode(in: bytes) ?? "",
                pod.serviceAccountName?.decode(in: bytes) ?? "",
                pod.hasNamespace ? pod.namespace?.decode(in: bytes) : nil,
                pod.useLabel?.equals("true", in: bytes) ?? false
            )
        }
        self.apiVersion = apiVersion
        self.uid = uid
        self.namespace = envelope.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? podNamespace ?? "default"
        self.podName = podName
        self.serviceAccountName = podServiceAccount.isEmpty ? "default" : podServiceAccount
        self.body = body
        self.isPodCreate = isPodCreate
        self.pod = pod
        self.isLabelled = isLabelled
    }
}

/// Why a body could not be read as an AdmissionReview: the message is short and safe to send back.
public struct AdmissionReadError: Error, Equatable, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
}
