import KubeClient
import YAML

/// The checks that decide whether the webhook sees the pods at all: the pod label, and the
/// webhook's namespace and object selectors.
extension DoctorRun {
    mutating func podLabelCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.podLabel
        let key = Self.useLabel
        guard let workload = workload.value else { return skipWithoutTarget(id) }
        guard let template = workload.podTemplate else {
            return .skip(id, "a ServiceAccount has no pod labels: run doctor on the pod or workload that uses it")
        }
        let what = target.kind == .pod ? "the pod" : "the \(target.kind.objectKind)'s pod template"
        let owner = owner()
        let fix = DoctorFixes.setPodLabels([(key, "true")], owner: owner, namespace: namespace, offline: source.isOffline)
        let value = template["metadata"]?["labels"]?[key]
        switch value {
        case .scalar("true", quoted: true)?:
            return .pass(id, "\(what) has \(key): \"true\"")
        case let .scalar(text, quoted: false)? where text.lowercased() == "true":
            return .fail(id, "\(what) has \(key): \(text) unquoted: YAML reads it as a boolean and the API server rejects it; label values are strings", fix: fix)
        case let node?:
            let text = node.string ?? ""
            return .fail(id, "\(what) has \(key): \"\(text)\", but the webhook selects only the exact value \"true\" (lower case)", fix: fix)
        case nil:
            if target.kind != .pod, workload.object.labels[key] != nil {
                return .fail(id, "\(key) is on the \(target.kind.objectKind)'s own metadata, not on its pod template (\((workload.templatePath ?? []).joined(separator: ".")).metadata.labels): the webhook selects pods, so its pods get no identity", fix: fix)
            }
            if workload.podAnnotations[key] != nil {
                return .fail(id, "\(key) is set as an annotation on \(what); the webhook selects pods by a label of that name", fix: fix)
            }
            return .fail(id, "\(what) has no \(key) label: the webhook does not select its pods", fix: fix)
        }
    }

    mutating func namespaceSelectorCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.namespaceSelector
        if namespace == "kube-system" || (webhook.value != nil && namespace == webhookNamespace) {
            return .fail(id, "the chart always excludes namespace \(namespace) (the webhook's own and kube-system), so the webhook never mutates pods there",
                         fix: "run the workload in another namespace")
        }
        guard let facts = webhook.value else { return skipWithoutConfiguration(id) }
        guard let workload = workload.value else { return skipWithoutTarget(id) }
        var namespaceLabels: [String: String]
        switch source.get(.namespaces, namespace: nil, name: namespace) {
        case let .found(object): namespaceLabels = object.labels
        case .unavailable(.missing): return .fail(id, "namespace \(namespace) does not exist", fix: "kubectl create namespace \(namespace)")
        case let .unavailable(reason): return .skip(id, unavailable: reason)
        }
        // The API server sets this label on every namespace (Kubernetes 1.21+).
        if namespaceLabels["kubernetes.io/metadata.name"] == nil { namespaceLabels["kubernetes.io/metadata.name"] = namespace }
        let podLabels = workload.podLabels
        let checksPod = workload.podTemplate != nil

        var first: (entry: WebhookFacts.Entry, namespaceUnmet: [LabelSelector.Requirement], objectUnmet: [LabelSelector.Requirement])?
        for entry in facts.webhooks {
            let namespaceSelector: LabelSelector, objectSelector: LabelSelector
            do throws(DoctorFailure) {
                namespaceSelector = try LabelSelector(entry.namespaceSelector)
                objectSelector = try LabelSelector(entry.objectSelector)
            } catch {
                return .fail(id, "webhook \(entry.name) has an invalid selector: \(error)", fix: DoctorFixes.installChart)
            }
            let namespaceUnmet = namespaceSelector.unmet(by: namespaceLabels)
            let objectUnmet = checksPod ? objectSelector.unmet(by: podLabels) : []
            if namespaceUnmet.isEmpty && objectUnmet.isEmpty {
                let pod = checksPod ? ", the pod labels its objectSelector" : ""
                return .pass(id, "namespace \(namespace) matches the webhook's namespaceSelector\(pod)")
            }
            if first == nil { first = (entry, namespaceUnmet, objectUnmet) }
        }
        guard let first else { return .skip(id, "the configuration has no webhooks") }
        if let requirement = first.namespaceUnmet.first {
            let shown = namespaceLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return .fail(id, "namespace \(namespace) (labels \(shown)) does not match webhook \(first.entry.name)'s namespaceSelector: \(requirement) does not hold",
                         fix: Self.namespaceFix(requirement, namespace: namespace))
        }
        let requirement = first.objectUnmet[0]
        let labels = first.objectUnmet.compactMap { $0.op == .in ? ($0.key, $0.values[0]) : nil }
        return .fail(id, "the pod labels do not match webhook \(first.entry.name)'s objectSelector: \(requirement) does not hold",
                     fix: labels.isEmpty ? "give the pods labels that satisfy \(requirement)"
                        : DoctorFixes.setPodLabels(labels, owner: owner(), namespace: namespace, offline: source.isOffline))
    }

    /// The `kubectl label namespace` that makes `requirement` hold.
    static func namespaceFix(_ requirement: LabelSelector.Requirement, namespace: String) -> String {
        let command = "kubectl label namespace \(namespace)"
        if requirement.key == "kubernetes.io/metadata.name" {
            return "the selector excludes namespace \(namespace) by name: run the workload in another namespace, or change the chart's mutatingWebhookNamespaceSelector"
        }
        switch requirement.op {
        case .in: return "\(command) \(requirement.key)=\(requirement.values[0]) --overwrite"
        case .exists: return "\(command) \(requirement.key)=<value>"
        case .notIn, .doesNotExist: return "\(command) \(requirement.key)-"
        }
    }
}
