import CertificateRotation
import KubeClient
import YAML

/// The checks of the webhook itself: its configuration exists, its Service has ready endpoints,
/// and its caBundle verifies the certificate it serves.
extension DoctorRun {
    mutating func webhookConfigurationCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.webhookConfiguration
        webhook = source.get(.mutatingWebhookConfigurations, namespace: nil, name: webhookConfigurationName).map(WebhookFacts.init)
        switch webhook {
        case let .found(facts):
            guard !facts.webhooks.isEmpty else {
                return .fail(id, "MutatingWebhookConfiguration \(facts.name) has no webhooks", fix: DoctorFixes.installChart)
            }
            let entries = facts.webhooks.map { "failurePolicy \($0.failurePolicy), timeoutSeconds \($0.timeoutSeconds)" }
            var message = "\(facts.name) exists: \(entries.joined(separator: "; "))"
            if facts.webhooks.contains(where: { $0.failurePolicy == "Ignore" }) {
                message += "; with Ignore, pods are created without identity while the webhook is unreachable"
            }
            return .pass(id, message)
        case .unavailable(.missing):
            return .fail(id, "MutatingWebhookConfiguration \(webhookConfigurationName) not found: the webhook is not installed, or has another name",
                         fix: "kubectl get mutatingwebhookconfigurations   # pass the right one with --mutating-webhook-configuration-name\n\(DoctorFixes.installChart)")
        case let .unavailable(reason):
            return .skip(id, unavailable: reason)
        }
    }

    mutating func webhookEndpointsCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.webhookEndpoints
        guard let facts = webhook.value else { return skipWithoutConfiguration(id) }
        var services: [(namespace: String, name: String)] = []
        for entry in facts.webhooks {
            if let namespace = entry.serviceNamespace, let name = entry.serviceName, !services.contains(where: { $0 == (namespace, name) }) {
                services.append((namespace, name))
            }
        }
        guard !services.isEmpty else { return .skip(id, "the webhook is called by URL, not through a Service") }
        var found: [String] = []
        for service in services {
            let reference = "Service \(service.namespace)/\(service.name)"
            let object: YAMLNode
            switch source.get(.services, namespace: service.namespace, name: service.name) {
            case let .found(value): object = value
            case .unavailable(.missing):
                return .fail(id, "\(reference), which the webhook configuration calls, does not exist", fix: DoctorFixes.installChart)
            case let .unavailable(reason): return .skip(id, unavailable: reason)
            }
            let slices: [YAMLNode]
            switch source.list(.endpointSlices, namespace: service.namespace, labelSelector: "kubernetes.io/service-name=\(service.name)") {
            case let .found(value): slices = value
            case let .unavailable(reason): return .skip(id, unavailable: reason)
            }
            // A nil `ready` means ready (the EndpointSlice API's rule).
            let ready = slices.flatMap { $0["endpoints"]?.items ?? [] }.filter { $0["conditions"]?["ready"]?.string != "false" }.count
            guard ready > 0 else {
                let selector = object["spec"]?["selector"]?.stringMap.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") ?? ""
                let pods = selector.isEmpty ? "kubectl -n \(service.namespace) get pods" : "kubectl -n \(service.namespace) get pods -l \(selector)"
                return .fail(id, "\(reference) has no ready endpoints: the API server cannot call the webhook (pods are rejected under failurePolicy Fail, created without identity under Ignore)",
                             fix: "\(pods)\nkubectl -n \(service.namespace) describe deployment \(Self.webhookDeployment)")
            }
            found.append("\(service.namespace)/\(service.name): \(ready) ready endpoint\(ready == 1 ? "" : "s")")
        }
        return .pass(id, found.joined(separator: "; "))
    }

    mutating func caBundleCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.caBundle
        guard let facts = webhook.value else { return skipWithoutConfiguration(id) }
        guard let hostName = facts.webhooks.lazy.compactMap(\.hostName).first else {
            return .skip(id, "the webhook configuration names no Service or https URL to check the certificate for")
        }
        let secretNamespace = webhookNamespace
        let secret: KubeSecret
        switch source.get(.secrets, namespace: secretNamespace, name: Self.certificateSecret) {
        case let .found(object):
            guard let decoded = try? KubeSecret.decode(object.jsonBytes()) else {
                return .skip(id, "Secret \(secretNamespace)/\(Self.certificateSecret) could not be decoded")
            }
            secret = decoded
        case .unavailable(.missing):
            return .skip(id, "no Secret \(secretNamespace)/\(Self.certificateSecret): the serving certificate is managed another way")
        case let .unavailable(.forbidden(access)):
            return .skip(id, "the serving certificate's Secret is not readable: \(access.requirement) (it holds private keys, so the doctor ClusterRoles leave it out)")
        case let .unavailable(reason):
            return .skip(id, unavailable: reason)
        }
        guard let chain = secret.data["tls.crt"], !chain.isEmpty else {
            return .skip(id, "Secret \(secretNamespace)/\(Self.certificateSecret) has no tls.crt yet")
        }
        let bundles: [[UInt8]]
        do {
            bundles = try WebhookCABundles.decode(facts.object.jsonBytes()).caBundles
        } catch {
            return .fail(id, "the webhook configuration's caBundle cannot be read: \(error)", fix: DoctorFixes.restartWebhook(namespace: secretNamespace))
        }
        switch CABundleVerdict.check(caBundles: bundles, servingChain: chain, hostName: hostName) {
        case .verifies:
            return .pass(id, "the caBundle verifies the serving certificate for \(hostName)")
        case let .fails(reason):
            return .fail(id, "\(reason): the API server cannot call the webhook", fix: DoctorFixes.restartWebhook(namespace: secretNamespace))
        }
    }

    /// The skip of a check that needs the webhook configuration when it could not be read.
    func skipWithoutConfiguration(_ id: DoctorCheck.ID) -> DoctorCheck {
        switch webhook.unavailable {
        case .missing: .skip(id, "needs the MutatingWebhookConfiguration (see webhook-configuration)")
        case let reason?: .skip(id, unavailable: reason)
        case nil: .skip(id, "needs the MutatingWebhookConfiguration")
        }
    }
}
