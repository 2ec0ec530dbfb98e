import Admission

/// The fields of a pod's JSON repair reads, as a `Decodable` shape: everything else (the rest
/// of the spec, status conditions, managed fields) is skipped while decoding.
public struct PodShape: Sendable, Decodable {
    struct Metadata: Sendable, Decodable {
        var name: String?
        var namespace: String?
        var uid: String?
        var labels: [String: String]?
        var annotations: [String: String]?
        var ownerReferences: [OwnerReference]?
        var deletionTimestamp: String?
    }

    struct OwnerReference: Sendable, Decodable {
        var kind: String?
        var controller: Bool?
    }

    struct Spec: Sendable, Decodable {
        var initContainers: [Container]?
        var containers: [Container]?
        var volumes: [Named]?
    }

    struct Container: Sendable, Decodable {
        var name: String?
        var env: [Named]?
    }

    struct Named: Sendable, Decodable {
        var name: String?
    }

    struct Status: Sendable, Decodable {
        var phase: String?
    }

    var metadata: Metadata?
    var spec: Spec?
    var status: Status?

    static let tokenFileVariable = "AZURE_FEDERATED_TOKEN_FILE"
    static let tokenVolume = "azure-identity-token"
    static let mirrorAnnotation = "kubernetes.io/config.mirror"
}

extension PodRecord {
    /// The record of a decoded pod; nil without a name, namespace or uid.
    ///
    /// - Parameter selection: judges the pod's labels against the configuration's `objectSelector`.
    public init?(_ pod: PodShape, selection: WebhookSelection) {
        guard let metadata = pod.metadata, let name = metadata.name, let namespace = metadata.namespace, let uid = metadata.uid else {
            return nil
        }
        let annotations = metadata.annotations ?? [:]
        let containers = (pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? [])
        self.init(
            uid: PodUID(uid), namespace: namespace, name: name,
            controller: Controller(kind: metadata.ownerReferences?.first { $0.controller == true }?.kind),
            phase: Phase(pod.status?.phase),
            isDeleting: metadata.deletionTimestamp != nil,
            isMirror: annotations[PodShape.mirrorAnnotation] != nil,
            hasTokenVolume: pod.spec?.volumes?.contains { $0.name == PodShape.tokenVolume } ?? false,
            objectSelected: selection.objectSelector.matches(metadata.labels ?? [:]),
            containers: containers.map { container in
                Container(name: container.name ?? "", hasTokenFile: container.env?.contains { $0.name == PodShape.tokenFileVariable } ?? false)
            },
            skipContainers: annotations[ContainerSelection.skipAnnotation],
            includeContainers: annotations[ContainerSelection.includeAnnotation])
    }
}
