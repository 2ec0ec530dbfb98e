import Admission
import KubeClient
import YAML

/// One run of doctor's ten checks against one target, in order, each reading what it needs
/// through the ``DoctorSource`` and what earlier checks learned (the webhook's namespace, the
/// ServiceAccount, the tenant).
///
/// The checks live in extensions by concern: the webhook (`+Webhook`), the pod's labels
/// (`+Labels`), the identity (`+Identity`), the injection (`+Injection`), the token (`+Token`).
struct DoctorRun {
    /// The label the webhook's objectSelector selects pods by.
    static let useLabel = "azure.workload.identity/use"
    static let clientIDAnnotation = ClientIDNearMiss.expectedKey
    static let tenantIDAnnotation = "azure.workload.identity/tenant-id"
    static let injectedAnnotation = "azure.workload.identity/injected"
    /// The chart's Secret holding the serving certificate, and its ConfigMap of cluster settings.
    static let certificateSecret = "azure-wi-webhook-server-cert"
    static let configMap = "azure-wi-webhook-config"
    /// The chart's webhook Deployment, restarted by the fixes for certificate problems.
    static let webhookDeployment = "azure-wi-webhook-controller-manager"

    let source: any DoctorSource
    let target: DoctorTarget
    let namespace: String
    let webhookConfigurationName: String
    /// The token audience Entra ID expects (`api://AzureADTokenExchange`).
    let audience: String
    /// Seconds since 1970, for the token's remaining lifetime.
    let now: Int64
    /// The target as read; unavailable when its read was forbidden.
    let workload: Fetched<DoctorWorkload>

    // Learned as the checks run.
    var webhook: Fetched<WebhookFacts> = .unavailable(.offline)
    var serviceAccount: Fetched<YAMLNode> = .unavailable(.offline)
    var tenantID: String?
    var authorityHost: String?
    var tokenIssuer: String?
    private var resolvedOwner: (kind: DoctorTarget.Kind, name: String)??

    /// Reads the target.
    ///
    /// - Throws: ``DoctorFailure`` when it does not exist or the API server cannot be used at
    ///   all (a forbidden target is not a failure: the checks that need it are skipped).
    init(source: any DoctorSource, target: DoctorTarget, namespace: String, webhookConfigurationName: String,
         audience: String = AdmissionConfig.defaultAudience, now: Int64) throws(DoctorFailure) {
        self.source = source
        self.target = target
        self.namespace = namespace
        self.webhookConfigurationName = webhookConfigurationName
        self.audience = audience
        self.now = now
        switch source.get(target.kind.resource, namespace: namespace, name: target.name) {
        case let .found(object):
            workload = .found(DoctorWorkload(target: target, namespace: namespace, object: object))
        case .unavailable(.missing):
            throw DoctorFailure("\(target) not found in namespace \(namespace)")
        case let .unavailable(.failed(message)):
            throw DoctorFailure("cannot read \(target): \(message)")
        case let .unavailable(reason):
            workload = .unavailable(reason)
        }
    }

    /// Runs every check, in the documented order, and the federated credential.
    mutating func report() -> DoctorReport {
        let checks = [
            webhookConfigurationCheck(), webhookEndpointsCheck(), caBundleCheck(),
            podLabelCheck(), namespaceSelectorCheck(),
            serviceAccountCheck(), clientIDCheck(), tenantIDCheck(),
            injectedCheck(), tokenIssuerCheck(),
        ]
        let credential = workload.value.map {
            FederatedCredential(issuer: tokenIssuer, namespace: namespace, serviceAccount: $0.serviceAccountName, audience: audience)
        }
        return DoctorReport(target: target.description, namespace: namespace, checks: checks, federatedCredential: credential)
    }

    /// The skip of a check that needs the target when its read was refused.
    func skipWithoutTarget(_ id: DoctorCheck.ID) -> DoctorCheck {
        .skip(id, unavailable: workload.unavailable ?? .failed("\(target) was not read"))
    }

    /// Where the webhook runs: its Service's namespace, else the chart's default.
    var webhookNamespace: String { webhook.value?.namespace ?? WebhookFacts.defaultNamespace }

    /// The object whose pods doctor's fixes restart or re-create: the top of the target's
    /// controller chain (a pod's Deployment, a Job's CronJob), or the target itself.
    mutating func owner() -> (kind: DoctorTarget.Kind, name: String)? {
        if let resolvedOwner { return resolvedOwner }
        var owner: (kind: DoctorTarget.Kind, name: String)?
        if let object = workload.value?.object, target.kind != .serviceaccount {
            owner = (target.kind, target.name)
            var current = object
            // At most two steps: pod → ReplicaSet → Deployment, pod → Job → CronJob.
            for _ in 0..<2 {
                guard let controller = current.controller, let kind = DoctorTarget.Kind(objectKind: controller.kind) else { break }
                owner = (kind, controller.name)
                guard kind == .replicaset || kind == .job,
                      let next = source.get(kind.resource, namespace: namespace, name: controller.name).value else { break }
                current = next
            }
        }
        resolvedOwner = .some(owner)
        return owner
    }
}
