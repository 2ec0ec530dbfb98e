import Admission
import KubeClient
import Logging
import WebhookHTTP

/// Answers `POST /mutate-v1-pod`: reads the AdmissionReview, finds the pod's ServiceAccount,
/// admits, and logs and counts the decision.
///
/// Runs on connection threads for every pod the cluster creates, so everything that can be
/// prepared once (the admitter, its configuration, the source) is built at start and only
/// read here.
struct AdmissionHandler: HTTPHandler {
    static let path = "/mutate-v1-pod"

    private let admitter: Admitter
    /// Whether the cluster runs Kubernetes 1.32 or later, read per admission: learnt after start.
    private let features: ClusterFeatures
    let serviceAccounts: any ServiceAccountSource
    let metrics: WebhookMetrics
    let logger: Logger

    init(config: AdmissionConfig, features: ClusterFeatures, serviceAccounts: any ServiceAccountSource, metrics: WebhookMetrics, logger: Logger) {
        admitter = Admitter(config: config)
        self.features = features
        self.serviceAccounts = serviceAccounts
        self.metrics = metrics
        self.logger = logger
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.path == Self.path else {
            return .text(404, "not found: the webhook serves POST \(Self.path)")
        }
        guard request.method == "POST" else {
            var response = HTTPResponse.text(405, "method \(request.method) not allowed: use POST")
            response.headers.append(("Allow", "POST"))
            return response
        }
        let start = ContinuousClock.now
        let review: AdmissionRequest
        do {
            review = try AdmissionRequest.read(request.body)
        } catch {
            logger.info("request is not an AdmissionReview", metadata: ["error": "\(error.message)"])
            return .text(400, "bad request: \(error.message)")
        }

        var account: ServiceAccountFacts?
        if admitter.needsServiceAccount(review) {
            let deadline = start + AdmissionDeadline.budget(query: request.query)
            switch serviceAccounts.lookup(namespace: review.namespace, name: review.serviceAccountName, deadline: deadline) {
            case .found(let found):
                account = found
            case .notFound:
                account = nil
            case .failed(let message):
                let text = "failed to get service account \(review.namespace)/\(review.serviceAccountName): \(message)"
                let outcome = admitter.denyLookupFailure(review, message: text)
                return finish(review, outcome.decision, outcome.warnings, body: outcome.responseBody, start: start)
            }
        }
        let outcome = admitter.admit(review, serviceAccount: account, nativeSidecars: features.nativeSidecars)
        return finish(review, outcome.decision, outcome.warnings, body: outcome.responseBody, start: start)
    }

    private func finish(
        _ review: AdmissionRequest, _ decision: AdmissionDecision, _ warnings: [String], body: [UInt8], start: ContinuousClock.Instant
    ) -> HTTPResponse {
        let duration = ContinuousClock.now - start
        metrics.recordAdmission(namespace: review.namespace, decision: decision, duration: duration)
        log(review, decision, warnings, duration)
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    private func log(_ review: AdmissionRequest, _ decision: AdmissionDecision, _ warnings: [String], _ duration: Duration) {
        logger.info("admission", metadata: {
            var fields: Logger.Metadata = [
                "pod": "\(review.podName)",
                "namespace": "\(review.namespace)",
                "serviceAccount": "\(review.serviceAccountName)",
                "uid": "\(review.uid)",
                "durationMs": .stringConvertible((WebhookMetrics.seconds(duration) * 1e6).rounded() / 1000),
            ]
            switch decision {
            case .mutated:
                fields["decision"] = "mutated"
            case .unchanged(let reason):
                fields["decision"] = "unchanged"
                fields["reason"] = "\(reason)"
            case .denied(let reason, let message):
                fields["decision"] = "denied"
                fields["reason"] = "\(reason)"
                fields["message"] = "\(message)"
            }
            if !warnings.isEmpty {
                fields["warnings"] = .array(warnings.map { .string($0) })
            }
            return fields
        }())
    }
}
