import KubeClient
import YAML

/// Doctor's reads offline (`--file`): the objects of a manifest and of ServiceAccount files;
/// every read only a cluster can answer is `.unavailable(.offline)`.
struct ManifestDoctorSource: DoctorSource {
    /// The manifest's objects, `kind: List` items flattened.
    let objects: [YAMLNode]
    /// The ServiceAccounts given (from `--service-account` and the manifest); nil when none were.
    let serviceAccounts: [YAMLNode]?
    let manifestPath: String

    var isOffline: Bool { true }

    /// Reads the manifest and the optional ServiceAccount file.
    ///
    /// - Throws: ``DoctorFailure`` naming a file that cannot be read or is not YAML/JSON.
    init(manifestPath: String, serviceAccountPath: String?) throws(DoctorFailure) {
        self.manifestPath = manifestPath
        objects = try Self.objects(in: manifestPath)
        var accounts = objects.filter { $0["kind"]?.string == "ServiceAccount" }
        if let serviceAccountPath {
            accounts += try Self.objects(in: serviceAccountPath).filter { $0["kind"]?.string == "ServiceAccount" }
        }
        serviceAccounts = accounts.isEmpty && serviceAccountPath == nil ? nil : accounts
    }

    /// The object the user most likely means when no target is given: the manifest's first pod or workload.
    func defaultTarget() throws(DoctorFailure) -> DoctorTarget {
        for object in objects {
            if let kind = object["kind"]?.string.flatMap(DoctorTarget.Kind.init(objectKind:)), kind != .serviceaccount {
                return DoctorTarget(kind: kind, name: object.objectName)
            }
        }
        throw DoctorFailure("\(manifestPath) holds no Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob or ReplicaSet")
    }

    /// The namespace the manifest gives the target, if any.
    func namespace(of target: DoctorTarget) -> String? {
        find(target.kind.objectKind, name: target.name, namespace: nil)?["metadata"]?["namespace"]?.string
    }

    func get(_ resource: KubeResource, namespace: String?, name: String) -> Fetched<YAMLNode> {
        if resource == .serviceAccounts {
            guard let serviceAccounts else { return .unavailable(.offline) }
            let account = serviceAccounts.first { $0.objectName == name && Self.inNamespace($0, namespace) }
            return account.map(Fetched.found) ?? .unavailable(.missing("ServiceAccount \(name) is not in the files given"))
        }
        // Pods and workloads are in the manifest or nowhere; anything else needs a cluster.
        guard let kind = DoctorTarget.Kind.allCases.first(where: { $0.resource == resource }) else { return .unavailable(.offline) }
        guard let object = find(kind.objectKind, name: name, namespace: namespace) else {
            return .unavailable(.missing("\(kind.rawValue)/\(name) is not in \(manifestPath)"))
        }
        return .found(object)
    }

    func list(_ resource: KubeResource, namespace: String, labelSelector: String?) -> Fetched<[YAMLNode]> {
        .unavailable(.offline)
    }

    func openIDConfiguration() -> Fetched<YAMLNode> {
        .unavailable(.offline)
    }

    func token(namespace: String, serviceAccount: String, audience: String, expirationSeconds: Int) -> Fetched<ServiceAccountToken> {
        .unavailable(.offline)
    }

    private func find(_ kind: String, name: String, namespace: String?) -> YAMLNode? {
        objects.first { $0["kind"]?.string == kind && $0.objectName == name && Self.inNamespace($0, namespace) }
    }

    /// An object without a namespace goes wherever it is applied.
    private static func inNamespace(_ object: YAMLNode, _ namespace: String?) -> Bool {
        guard let namespace, let own = object["metadata"]?["namespace"]?.string else { return true }
        return own == namespace
    }

    private static func objects(in path: String) throws(DoctorFailure) -> [YAMLNode] {
        let documents: [YAMLNode]
        do {
            documents = try YAMLNode.parseDocuments(LocalFile.read(path, purpose: "doctor"))
        } catch {
            throw DoctorFailure("\(path): \(error)")
        }
        return documents.flatMap { document in
            document["kind"]?.string?.hasSuffix("List") == true ? document["items"]?.items ?? [] : [document]
        }
    }
}
