/// What repair keeps of one labelled pod: only the facts its judgement needs, so that tens of
/// thousands of pods fit in a few megabytes.
///
/// The container facts are the pod's own (names, whether each has `AZURE_FEDERATED_TOKEN_FILE`,
/// whether the `azure-identity-token` volume exists, the skip and include annotations); whether
/// the webhook configuration's `objectSelector` selects the pod is judged once, from its labels,
/// when the record is made, so the labels themselves are not kept.
public struct PodRecord: Sendable, Equatable {
    /// The kind of the controller owning the pod (the owner reference with `controller: true`).
    public enum Controller: UInt8, Sendable, Equatable {
        /// No controller: a bare pod, which nothing would recreate.
        case none
        case replicaSet, statefulSet, daemonSet, job
        /// Anything else (a custom controller, a Node for a static pod).
        case other

        init(kind: String?) {
            switch kind {
            case nil: self = .none
            case "ReplicaSet": self = .replicaSet
            case "StatefulSet": self = .statefulSet
            case "DaemonSet": self = .daemonSet
            case "Job": self = .job
            default: self = .other
            }
        }

        /// Whether the controller recreates an evicted pod, so evicting one is a repair.
        public var recreatesEvictedPods: Bool {
            switch self {
            case .replicaSet, .statefulSet, .daemonSet, .job: true
            case .none, .other: false
            }
        }

        /// The owner's kind as the API writes it, for messages.
        public var kind: String {
            switch self {
            case .none: "none"
            case .replicaSet: "ReplicaSet"
            case .statefulSet: "StatefulSet"
            case .daemonSet: "DaemonSet"
            case .job: "Job"
            case .other: "other"
            }
        }
    }

    /// Where the pod is in its life.
    public enum Phase: UInt8, Sendable, Equatable {
        /// Pending, or a phase not reported yet.
        case pending
        case running
        /// Succeeded or Failed: its containers will not run again.
        case finished
        /// A phase this code does not know (Unknown).
        case unknown

        init(_ phase: String?) {
            switch phase {
            case nil, "", "Pending": self = .pending
            case "Running": self = .running
            case "Succeeded", "Failed": self = .finished
            default: self = .unknown
            }
        }
    }

    /// One init container or container.
    public struct Container: Sendable, Equatable {
        public var name: String
        /// Whether its `env` has an entry named `AZURE_FEDERATED_TOKEN_FILE`.
        public var hasTokenFile: Bool

        public init(name: String, hasTokenFile: Bool) {
            self.name = name
            self.hasTokenFile = hasTokenFile
        }
    }

    public var uid: PodUID
    public var namespace: String
    public var name: String
    public var controller: Controller
    public var phase: Phase
    /// Whether `metadata.deletionTimestamp` is set.
    public var isDeleting: Bool
    /// Whether it is a static pod's mirror (`kubernetes.io/config.mirror`), which the webhook never mutates.
    public var isMirror: Bool
    /// Whether `spec.volumes` has `azure-identity-token`.
    public var hasTokenVolume: Bool
    /// Whether the webhook configuration's `objectSelector` selects the pod's labels.
    public var objectSelected: Bool
    /// Init containers first, then containers.
    public var containers: [Container]
    /// `azure.workload.identity/skip-containers`, when present.
    public var skipContainers: String?
    /// `azure.workload.identity/include-containers`, when present.
    public var includeContainers: String?

    public init(
        uid: PodUID, namespace: String, name: String, controller: Controller = .none, phase: Phase = .running,
        isDeleting: Bool = false, isMirror: Bool = false, hasTokenVolume: Bool, objectSelected: Bool = true,
        containers: [Container], skipContainers: String? = nil, includeContainers: String? = nil
    ) {
        self.uid = uid
        self.namespace = namespace
        self.name = name
        self.controller = controller
        self.phase = phase
        self.isDeleting = isDeleting
        self.isMirror = isMirror
        self.hasTokenVolume = hasTokenVolume
        self.objectSelected = objectSelected
        self.containers = containers
        self.skipContainers = skipContainers
        self.includeContainers = includeContainers
    }
}
