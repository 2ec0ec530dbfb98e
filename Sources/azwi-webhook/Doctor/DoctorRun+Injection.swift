import Admission
import KubeClient
import YAML

/// The `injected` check: do the pods have what the webhook injects? Offline, what would it inject?
extension DoctorRun {
    /// A tenant for admitting pods when the cluster's is unknown: only whether a value is
    /// present matters to the check, never which.
    static let unknownTenant = "00000000-0000-0000-0000-000000000000"

    mutating func injectedCheck() -> DoctorCheck {
        let id = DoctorCheck.ID.injected
        guard let workload = workload.value else { return skipWithoutTarget(id) }
        guard let template = workload.podTemplate else {
            return .skip(id, "a ServiceAccount has no pods of its own: run doctor on the pod or workload that uses it")
        }
        guard let account = serviceAccount.value else { return skipWithoutServiceAccount(id) }
        let facts = ServiceAccountFacts(namespace: namespace, name: account.objectName, annotations: account.annotations)
        let config = AdmissionConfig(
            tenantID: tenantID ?? Self.unknownTenant, authorityHost: authorityHost ?? "https://login.microsoftonline.com/", audience: audience)
        if source.isOffline {
            return wouldInject(PodInjection(pod: template, namespace: namespace, serviceAccount: facts, config: config, webhookCreated: nil))
        }
        let pods: [YAMLNode]
        switch currentPods(of: workload) {
        case let .found(found): pods = found
        case let .unavailable(reason): return .skip(id, unavailable: reason)
        }
        guard !pods.isEmpty else { return .skip(id, "\(target) has no current pods to check") }
        let webhookCreated = webhook.value?.creationTimestamp
        let inspections = pods.map {
            PodInjection(pod: $0, namespace: namespace, serviceAccount: facts, config: config, webhookCreated: webhookCreated)
        }
        let counted = pods.count == 1 ? "" : " (\(pods.count) pods checked)"
        if let broken = inspections.first(where: { !$0.problems.isEmpty }) {
            let others = inspections.filter { !$0.problems.isEmpty }.count - 1
            let more = others > 0 ? "; \(others) more pod\(others == 1 ? "" : "s") like it" : ""
            let because = broken.cause.map { ": \($0)" } ?? ""
            let fix = owner().map { DoctorFixes.recreatePods(owner: $0, namespace: namespace, pods: inspections.filter { !$0.problems.isEmpty }.map(\.podName)) }
            return .fail(id, "pod \(broken.podName): \(broken.problems.joined(separator: "; "))\(because)\(more)\(counted)", fix: fix)
        }
        if let odd = inspections.first(where: { !$0.notes.isEmpty }) {
            let recreate = owner().map { DoctorFixes.recreatePods(owner: $0, namespace: namespace, pods: [odd.podName]) }
            return .warn(id, "pod \(odd.podName): \(odd.notes.joined(separator: "; "))\(counted)",
                         fix: Self.noteFix(odd) + (recreate.map { ", then: \($0)" } ?? ""))
        }
        let containers = inspections[0].injectedContainers.joined(separator: ", ")
        return .pass(id, "pod \(inspections[0].podName) has the AZURE_* variables and the token in \(containers)\(counted)")
    }

    /// Offline: what admitting the manifest's pod would do.
    private func wouldInject(_ inspection: PodInjection) -> DoctorCheck {
        let id = DoctorCheck.ID.injected
        if let denial = inspection.problems.first(where: { $0.hasPrefix("the webhook denies") }) {
            return .fail(id, denial, fix: "change the manifest so the webhook can admit it (see the message)")
        }
        if !inspection.notes.isEmpty {
            return .warn(id, "when created: \(inspection.notes.joined(separator: "; "))", fix: Self.noteFix(inspection))
        }
        guard !inspection.injectedContainers.isEmpty else {
            return .fail(id, "the webhook would inject into no container: every container is skipped",
                         fix: "remove the containers that need Azure credentials from \(ContainerSelection.skipAnnotation)")
        }
        return .pass(id, "when created, the webhook injects the AZURE_* variables and the token into container(s) \(inspection.injectedContainers.joined(separator: ", "))")
    }

    /// What to change when a pod's injection is odd: the skip list, or the container's own variables.
    private static func noteFix(_ inspection: PodInjection) -> String {
        if let skipped = inspection.skippedContainers.first {
            return "if container \(skipped) needs Azure credentials, take it out of the pod template's \(ContainerSelection.skipAnnotation) (or add it to \(ContainerSelection.includeAnnotation))"
        }
        return "remove the container's own AZURE_* env entries from the pod template, so the webhook's are injected"
    }

    /// The target's pods, found through its owner chain (Deployment → ReplicaSets → pods,
    /// CronJob → Jobs → pods), narrowed by the workload's selector.
    private func currentPods(of workload: DoctorWorkload) -> Fetched<[YAMLNode]> {
        let selector = (try? LabelSelector(workload.object["spec"]?["selector"]))?.equalityQuery
        func pods(ownedBy owners: [String], selector: String?) -> Fetched<[YAMLNode]> {
            source.list(.pods, namespace: namespace, labelSelector: selector).map { pods in
                pods.filter { pod in owners.contains { pod.isOwned(by: $0) } }
            }
        }
        switch target.kind {
        case .pod:
            return .found([workload.object])
        case .serviceaccount:
            return .found([])
        case .statefulset, .daemonset, .replicaset, .job:
            return pods(ownedBy: [workload.uid], selector: selector)
        case .deployment:
            return source.list(.replicaSets, namespace: namespace, labelSelector: selector).flatMap { sets in
                pods(ownedBy: sets.filter { $0.isOwned(by: workload.uid) }.compactMap { $0["metadata"]?["uid"]?.string }, selector: selector)
            }
        case .cronjob:
            return source.list(.jobs, namespace: namespace, labelSelector: nil).flatMap { jobs in
                pods(ownedBy: jobs.filter { $0.isOwned(by: workload.uid) }.compactMap { $0["metadata"]?["uid"]?.string }, selector: nil)
            }
        }
    }
}
