import YAML

/// What doctor needs of the webhook's MutatingWebhookConfiguration: each webhook's Service,
/// selectors, failure policy and timeout, and the object itself (for its caBundles).
struct WebhookFacts {
    /// One entry of `webhooks`.
    struct Entry {
        let name: String
        /// `clientConfig.service`, when the API server calls a Service.
        let serviceNamespace: String?
        let serviceName: String?
        /// `clientConfig.url`, when it calls a URL instead.
        let url: String?
        let failurePolicy: String
        let timeoutSeconds: String
        let namespaceSelector: YAMLNode?
        let objectSelector: YAMLNode?

        /// The name the serving certificate must carry: `<service>.<namespace>.svc`, or the URL's host.
        var hostName: String? {
            if let serviceName, let serviceNamespace { return "\(serviceName).\(serviceNamespace).svc" }
            guard let url, url.hasPrefix("https://") else { return nil }
            let rest = url.dropFirst("https://".count)
            let authority = rest.prefix { $0 != "/" }
            return String(authority.prefix { $0 != ":" })
        }
    }

    let name: String
    let object: YAMLNode
    let webhooks: [Entry]

    init(object: YAMLNode) {
        self.object = object
        name = object.objectName
        webhooks = (object["webhooks"]?.items ?? []).map { webhook in
            let service = webhook["clientConfig"]?["service"]
            return Entry(
                name: webhook["name"]?.string ?? "",
                serviceNamespace: service?["namespace"]?.string,
                serviceName: service?["name"]?.string,
                url: webhook["clientConfig"]?["url"]?.string,
                // The API's defaults when a field is absent.
                failurePolicy: webhook["failurePolicy"]?.string ?? "Fail",
                timeoutSeconds: webhook["timeoutSeconds"]?.string ?? "10",
                namespaceSelector: webhook["namespaceSelector"],
                objectSelector: webhook["objectSelector"])
        }
    }

    /// The chart's namespace, where the webhook runs unless the configuration says otherwise.
    static let defaultNamespace = "azure-workload-identity-system"

    /// The namespace of the first webhook's Service: where its certificate Secret and config live.
    var namespace: String? { webhooks.lazy.compactMap(\.serviceNamespace).first }

    /// `metadata.creationTimestamp` (RFC 3339), to date a pod against the webhook's installation.
    var creationTimestamp: String? { object["metadata"]?["creationTimestamp"]?.string }
}
