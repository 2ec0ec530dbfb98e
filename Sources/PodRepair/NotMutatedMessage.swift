/// The text of the Warning Event (reason ``reason``) on an unmutated pod: what is missing, what
/// it breaks, and how to fix it, within the 1 KiB an Event message keeps.
public enum NotMutatedMessage {
    /// The Event's reason.
    public static let reason = "NotMutated"

    /// The message for `pod`, missing `missing`, in `mode`.
    public static func text(for pod: PodRecord, missing: PodVerdict.Missing, mode: RepairMode) -> String {
        var lacks: [String] = []
        if !missing.containers.isEmpty {
            let names = missing.containers.prefix(5).joined(separator: ", ") + (missing.containers.count > 5 ? ", …" : "")
            lacks.append("container\(missing.containers.count == 1 ? "" : "s") \(names) lack\(missing.containers.count == 1 ? "s" : "") AZURE_FEDERATED_TOKEN_FILE")
        }
        if missing.volume { lacks.append("the pod lacks the azure-identity-token volume") }
        var text = "Azure Workload Identity was not injected: \(lacks.joined(separator: " and ")), so Azure SDKs in it cannot get tokens. "
        text += "The webhook did not mutate this pod; it was probably unavailable when the pod was created (failurePolicy Ignore). "
        if pod.controller.recreatesEvictedPods {
            text += mode == .evict
                ? "The webhook evicts it so its \(pod.controller.kind) recreates it mutated."
                : "Fix: delete it while the webhook is serving (kubectl delete pod -n \(pod.namespace) \(pod.name)); its \(pod.controller.kind) recreates it mutated."
        } else {
            text += "Nothing recreates it (no ReplicaSet, StatefulSet, DaemonSet or Job owns it): recreate it yourself while the webhook is serving."
        }
        return text
    }
}
