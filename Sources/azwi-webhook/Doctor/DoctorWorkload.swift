import YAML

/// The object doctor was pointed at, with what the checks need from it: the pod (or the pod
/// template a workload makes pods from), its labels and ServiceAccount.
struct DoctorWorkload {
    let target: DoctorTarget
    let namespace: String
    /// The object as read (or as written in the manifest).
    let object: YAMLNode

    init(target: DoctorTarget, namespace: String, object: YAMLNode) {
        self.target = target
        self.namespace = namespace
        self.object = object
    }

    /// The keys from the object to its pod template; nil for a pod and a ServiceAccount.
    var templatePath: [String]? {
        switch target.kind {
        case .pod, .serviceaccount: nil
        case .cronjob: ["spec", "jobTemplate", "spec", "template"]
        case .deployment, .statefulset, .daemonset, .job, .replicaset: ["spec", "template"]
        }
    }

    /// The pod itself, or the workload's pod template; nil for a ServiceAccount.
    var podTemplate: YAMLNode? {
        if target.kind == .pod { return object }
        guard let templatePath else { return nil }
        return templatePath.reduce(Optional(object)) { node, key in node?[key] }
    }

    /// The labels new pods get (the pod's own for a pod).
    var podLabels: [String: String] { podTemplate?.labels ?? [:] }

    /// The annotations new pods get.
    var podAnnotations: [String: String] { podTemplate?.annotations ?? [:] }

    /// The ServiceAccount the pods run as: `spec.serviceAccountName` (or the deprecated
    /// `spec.serviceAccount`), else `default`; for a ServiceAccount target, itself.
    var serviceAccountName: String {
        if target.kind == .serviceaccount { return target.name }
        let spec = podTemplate?["spec"]
        for key in ["serviceAccountName", "serviceAccount"] {
            if let name = spec?[key]?.string, !name.isEmpty { return name }
        }
        return "default"
    }

    /// `metadata.uid`, which the owner references of its ReplicaSets, Jobs and pods name.
    var uid: String { object["metadata"]?["uid"]?.string ?? "" }
}
