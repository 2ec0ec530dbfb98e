import KubeClient

/// What `azwi-webhook doctor` is asked about: `deployment/web`, `pod/web-5d8f7-x2x9q`,
/// `serviceaccount/keyvault-reader`, written as kubectl writes them.
///
/// Parsing accepts kubectl's spellings of each kind (singular, plural, short name, `kind.group`)
/// so that a user can paste what `kubectl get` printed.
struct DoctorTarget: Equatable, Sendable, CustomStringConvertible {
    /// The kinds doctor can check: a pod, the workloads that make pods, or a ServiceAccount.
    enum Kind: String, CaseIterable, Sendable {
        case pod, deployment, statefulset, daemonset, job, cronjob, replicaset, serviceaccount

        /// The API resource objects of this kind are read from.
        var resource: KubeResource {
            switch self {
            case .pod: .pods
            case .deployment: .deployments
            case .statefulset: .statefulSets
            case .daemonset: .daemonSets
            case .job: .jobs
            case .cronjob: .cronJobs
            case .replicaset: .replicaSets
            case .serviceaccount: .serviceAccounts
            }
        }

        /// The `kind` field of such an object (`Deployment`), as manifests and owner references write it.
        var objectKind: String {
            switch self {
            case .pod: "Pod"
            case .deployment: "Deployment"
            case .statefulset: "StatefulSet"
            case .daemonset: "DaemonSet"
            case .job: "Job"
            case .cronjob: "CronJob"
            case .replicaset: "ReplicaSet"
            case .serviceaccount: "ServiceAccount"
            }
        }

        /// The kind whose `kind` field is `objectKind`, if doctor knows it.
        init?(objectKind: String) {
            guard let kind = Kind.allCases.first(where: { $0.objectKind == objectKind }) else { return nil }
            self = kind
        }

        /// Every way kubectl accepts to name this kind, lower-case.
        var spellings: [String] {
            let plural = resource.plural
            var names = [rawValue, plural]
            if !resource.group.isEmpty { names += ["\(rawValue).\(resource.group)", "\(plural).\(resource.group)"] }
            switch self {
            case .pod: names.append("po")
            case .deployment: names.append("deploy")
            case .statefulset: names.append("sts")
            case .daemonset: names.append("ds")
            case .cronjob: names.append("cj")
            case .replicaset: names.append("rs")
            case .serviceaccount: names.append("sa")
            case .job: break
            }
            return names
        }
    }

    let kind: Kind
    let name: String

    var description: String { "\(kind.rawValue)/\(name)" }

    /// Parses `KIND/NAME`.
    ///
    /// - Throws: ``DoctorFailure`` naming the accepted kinds, or saying what is wrong with the name.
    init(parsing text: String) throws(DoctorFailure) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw DoctorFailure("target \"\(text)\" is not KIND/NAME (e.g. deployment/web); kinds: \(Self.kindList)")
        }
        let kindText = parts[0].lowercased()
        guard let kind = Kind.allCases.first(where: { $0.spellings.contains(kindText) }) else {
            throw DoctorFailure("target kind \"\(parts[0])\" is not one doctor checks; kinds: \(Self.kindList)")
        }
        let name = String(parts[1])
        guard Self.isObjectName(name) else {
            throw DoctorFailure("target name \"\(name)\" is not a Kubernetes object name (lower-case letters, digits, '-' and '.')")
        }
        self.init(kind: kind, name: name)
    }

    init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    private static var kindList: String { Kind.allCases.map(\.rawValue).joined(separator: ", ") }

    /// Whether `name` is a DNS subdomain, as object names are: at most 253 characters of
    /// lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.
    static func isObjectName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let alphanumeric = { (byte: UInt8) in (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        return (1...253).contains(bytes.count) && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
            && alphanumeric(bytes.first!) && alphanumeric(bytes.last!)
    }
}
