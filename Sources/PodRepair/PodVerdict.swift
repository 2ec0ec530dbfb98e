import Admission

/// Whether a pod went without the injection the webhook would have made, judged by admission's
/// own rules.
public enum PodVerdict: Sendable, Equatable {
    /// Every container the webhook mutates has `AZURE_FEDERATED_TOKEN_FILE`, and the volume exists.
    case mutated
    /// The question does not arise; the reason says why (finished, being deleted, …).
    case notApplicable(String)
    /// The webhook would have injected and did not.
    case unmutated(Missing)

    /// What the webhook would have added and the pod lacks.
    public struct Missing: Sendable, Equatable {
        /// Containers the webhook mutates that lack `AZURE_FEDERATED_TOKEN_FILE`, in pod order.
        public var containers: [String]
        /// Whether the `azure-identity-token` volume is missing.
        public var volume: Bool

        public init(containers: [String], volume: Bool) {
            self.containers = containers
            self.volume = volume
        }
    }
}

extension PodRecord {
    /// The verdict on this pod: only a pending or running pod, not being deleted, not a mirror
    /// pod, that the webhook configuration's `objectSelector` selects, with at least one
    /// container the skip and include annotations leave to the webhook, can be unmutated.
    /// (The `namespaceSelector` is judged apart: it needs the namespace.)
    public var verdict: PodVerdict {
        if phase == .finished { return .notApplicable("finished") }
        if isDeleting { return .notApplicable("being deleted") }
        if isMirror { return .notApplicable("a mirror pod") }
        if !objectSelected { return .notApplicable("not selected by the webhook's objectSelector") }
        let selection = ContainerSelection(skipContainers: skipContainers, includeContainers: includeContainers)
        let mutated = containers.filter { selection.includes($0.name) }
        if mutated.isEmpty { return .notApplicable("no container the webhook mutates") }
        let missing = PodVerdict.Missing(containers: mutated.filter { !$0.hasTokenFile }.map(\.name), volume: !hasTokenVolume)
        return missing.containers.isEmpty && !missing.volume ? .mutated : .unmutated(missing)
    }
}
