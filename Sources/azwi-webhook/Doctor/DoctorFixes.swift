import YAML

/// The fixes doctor prints: kubectl commands against a cluster, YAML snippets for a manifest.
///
/// In one place so every check words the same action the same way (and a test can look for
/// the command a scenario needs).
enum DoctorFixes {
    /// How to get pods made again, so the webhook sees them: restart a workload's rollout, or
    /// delete and re-create what has no rollout.
    ///
    /// - Parameter pods: the pods that lack the injection (named when they must be deleted one by one).
    static func recreatePods(owner: (kind: DoctorTarget.Kind, name: String), namespace: String, pods: [String]) -> String {
        let kubectl = "kubectl -n \(namespace)"
        switch owner.kind {
        case .deployment, .statefulset, .daemonset:
            return "\(kubectl) rollout restart \(owner.kind.rawValue)/\(owner.name)"
        case .replicaset:
            return "\(kubectl) delete pod \(pods.joined(separator: " "))   # the ReplicaSet re-creates them"
        case .job:
            return "\(kubectl) delete job \(owner.name) && kubectl apply -f <job manifest>   # a Job's pods are not restarted"
        case .cronjob:
            return "\(kubectl) create job \(owner.name)-doctor --from=cronjob/\(owner.name)   # or wait for the next scheduled run"
        case .pod:
            return "\(kubectl) delete pod \(owner.name) && kubectl apply -f <pod manifest>   # a pod is mutated only when it is created"
        case .serviceaccount:
            return "re-create the pods that use the ServiceAccount"
        }
    }

    /// How to put `labels` on the pods an object makes: a merge patch of its pod template, or of
    /// the manifest when a pod or a Job (whose template is immutable) must be re-created.
    static func setPodLabels(_ labels: [(String, String)], owner: (kind: DoctorTarget.Kind, name: String)?, namespace: String, offline: Bool) -> String {
        let labelsNode = YAMLNode.mapping(labels.map { YAMLPair(key: $0.0, value: .string($0.1)) })
        let path: [String]
        switch owner?.kind {
        case .deployment, .statefulset, .daemonset, .replicaset, .job: path = ["spec", "template", "metadata", "labels"]
        case .cronjob: path = ["spec", "jobTemplate", "spec", "template", "metadata", "labels"]
        case .pod, .serviceaccount, nil: path = ["metadata", "labels"]
        }
        let patch = path.reversed().reduce(labelsNode) { inner, key in .mapping([YAMLPair(key: key, value: inner)]) }
        guard let owner, !offline else {
            return "in the manifest:\n" + String(decoding: patch.yamlBytes(), as: UTF8.self).trimmingTrailingNewlines
        }
        let json = String(decoding: patch.jsonBytes(), as: UTF8.self)
        switch owner.kind {
        case .deployment, .statefulset, .daemonset, .cronjob:
            return "kubectl -n \(namespace) patch \(owner.kind.rawValue) \(owner.name) --type merge -p '\(json)'"
        case .replicaset:
            return "kubectl -n \(namespace) patch replicaset \(owner.name) --type merge -p '\(json)'   # then delete its pods"
        case .job, .pod, .serviceaccount:
            let snippet = String(decoding: patch.yamlBytes(), as: UTF8.self).trimmingTrailingNewlines
            return "add to the \(owner.kind.objectKind)'s manifest, then re-create it (kubectl -n \(namespace) delete \(owner.kind.rawValue) \(owner.name) && kubectl apply -f <manifest>):\n\(snippet)"
        }
    }

    /// Sets (or with a nil value, removes) an annotation on the ServiceAccount.
    static func annotateServiceAccount(_ name: String, namespace: String, key: String, value: String?) -> String {
        if let value {
            return "kubectl -n \(namespace) annotate serviceaccount \(name) \(key)=\(value) --overwrite"
        }
        return "kubectl -n \(namespace) annotate serviceaccount \(name) \(key)-"
    }

    /// Restarts the webhook: built-in rotation checks the Secret and re-injects the caBundle at start.
    static func restartWebhook(namespace: String) -> String {
        "kubectl -n \(namespace) rollout restart deployment/\(DoctorRun.webhookDeployment)   # re-injects the caBundle; with cert-manager, check its cainjector logs"
    }

    /// Installs or repairs the chart.
    static let installChart = "helm upgrade --install workload-identity-webhook azure-workload-identity/workload-identity-webhook -n azure-workload-identity-system --create-namespace --set azureTenantID=<tenant-id>"

    /// The command that prints a managed identity's client ID.
    static let clientIDLookup = "$(az identity show -g <resource-group> -n <identity-name> --query clientId -o tsv)"
}

extension String {
    /// The text without the newlines at its end.
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
