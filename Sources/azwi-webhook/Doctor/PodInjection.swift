import Admission
import YAML

/// Whether one pod has what the webhook injects, and if not, the likely reason.
///
/// It does not restate the mutation rules: it admits the pod, as it is now, with the same
/// ``Admitter`` the server runs (the ServiceAccount as it is now, the cluster's tenant). The
/// admission is idempotent, so a pod the webhook fully mutated yields no patch; every operation
/// the patch does hold is something the pod lacks — an env var, the mount, the volume — or a
/// value recorded for an earlier ServiceAccount.
struct PodInjection {
    let podName: String
    /// What the pod lacks or holds stale (the check fails).
    private(set) var problems: [String] = []
    /// What is odd but may be intended (the check warns): shadowed variables, skipped containers.
    private(set) var notes: [String] = []
    /// The containers that got (or would get) the variables.
    private(set) var injectedContainers: [String] = []
    /// The containers the pod's annotations exclude.
    private(set) var skippedContainers: [String] = []
    /// Why the pod lacks what it lacks, when problems is not empty.
    private(set) var cause: String?

    /// - Parameters:
    ///   - pod: the pod (or, offline, a pod template) as JSON or YAML.
    ///   - webhookCreated: the webhook configuration's creationTimestamp, to date the pod against.
    init(pod: YAMLNode, namespace: String, serviceAccount: ServiceAccountFacts, config: AdmissionConfig, webhookCreated: String?) {
        podName = pod.objectName
        let request: AdmissionRequest
        do throws(AdmissionReadError) {
            request = try AdmissionRequest.read(PodReview.request(for: pod, namespace: namespace))
        } catch {
            problems = ["the pod cannot be read as admission reads it: \(error.message)"]
            return
        }
        // Where an injected proxy sits does not matter here: a proxy already in either list is
        // recognised by name, and only what the containers lack is read from the patch.
        let outcome = Admitter(config: config).admit(request, serviceAccount: serviceAccount, nativeSidecars: false)
        if case let .denied(_, message) = outcome.decision {
            problems = ["the webhook denies this pod now: \(message)"]
            return
        }
        notes += outcome.warnings.filter { !$0.hasPrefix("AZURE_CLIENT_ID not injected") && !$0.contains("uses envFrom") }
        let summary = PatchSummary(patch: outcome.patch ?? [], pod: pod)
        let selection = ContainerSelection(
            skipContainers: pod.annotations[ContainerSelection.skipAnnotation],
            includeContainers: pod.annotations[ContainerSelection.includeAnnotation])
        let containers = summary.initContainerNames + summary.containerNames
        skippedContainers = containers.filter { !selection.includes($0) }
        for name in skippedContainers {
            notes.append("container \(name) is skipped (\(ContainerSelection.skipAnnotation) or \(ContainerSelection.includeAnnotation)): it gets no identity")
        }
        injectedContainers = containers.filter(selection.includes)

        for (container, names) in summary.missingEnv {
            problems.append("container \(container) lacks \(names.joined(separator: ", "))")
        }
        for container in summary.missingMount {
            problems.append("container \(container) lacks the token mount at /var/run/secrets/azure/tokens")
        }
        for (container, names) in summary.staleEnv {
            problems.append("container \(container) has \(names.joined(separator: ", ")) of an earlier ServiceAccount or client-id")
        }
        if summary.volumeMissing { problems.append("the pod lacks the azure-identity-token volume") }
        if !summary.addedContainers.isEmpty {
            problems.append("the pod lacks the proxy container(s) \(summary.addedContainers.joined(separator: ", "))")
        }
        if summary.volumeDiffers { notes.append("the azure-identity-token volume differs from what the webhook injects now (audience or token lifetime)") }
        for container in summary.differingMount {
            notes.append("container \(container)'s token mount differs from the webhook's")
        }
        if !problems.isEmpty {
            cause = Self.cause(pod: pod, summary: summary, webhookCreated: webhookCreated)
        }
    }

    /// The likeliest reason a pod lacks the injection, from what it has and when it was made.
    private static func cause(pod: YAMLNode, summary: PatchSummary, webhookCreated: String?) -> String {
        let spec = pod["spec"]
        let allContainers = (spec?["initContainers"]?.items ?? []) + (spec?["containers"]?.items ?? [])
        let hasToken = allContainers.contains { container in
            (container["env"]?.items ?? []).contains { $0["name"]?.string == "AZURE_FEDERATED_TOKEN_FILE" }
        } || (spec?["volumes"]?.items ?? []).contains { $0["name"]?.string == "azure-identity-token" }
        let record = pod.annotations[DoctorRun.injectedAnnotation].flatMap { try? YAMLNode.parse(Array($0.utf8)) }
        if !hasToken {
            if pod.labels[DoctorRun.useLabel] != "true" {
                return "it was created without the \(DoctorRun.useLabel): \"true\" label"
            }
            if let created = pod["metadata"]?["creationTimestamp"]?.string, let webhookCreated, created < webhookCreated {
                return "it was created (\(created)) before the webhook was installed (\(webhookCreated))"
            }
            return "the webhook did not mutate it when it was created: the label was added later, its namespace did not match then, or the webhook was unreachable under failurePolicy Ignore"
        }
        if !summary.staleEnv.isEmpty {
            return "the ServiceAccount's client-id or tenant-id changed after the pod was created"
        }
        let missing = Set(summary.missingEnv.flatMap(\.names))
        if missing == ["AZURE_CLIENT_ID"], record?["clientID"]?.string ?? "" == "" {
            return "it was created before its ServiceAccount had the \(DoctorRun.clientIDAnnotation) annotation"
        }
        if missing == ["AZURE_TENANT_ID"], record?["tenantID"]?.string ?? "" == "" {
            return "it was created while its ServiceAccount's tenant-id annotation was empty"
        }
        return "it was only partly mutated (by another webhook, or edited since)"
    }
}

/// What an admission patch says a pod lacks, by container name.
struct PatchSummary {
    private(set) var initContainerNames: [String]
    private(set) var containerNames: [String]
    /// Env vars that would be added, per container, in container order.
    private(set) var missingEnv: [(container: String, names: [String])] = []
    /// Env values that would be corrected (recorded for an earlier ServiceAccount).
    private(set) var staleEnv: [(container: String, names: [String])] = []
    private(set) var missingMount: [String] = []
    private(set) var differingMount: [String] = []
    private(set) var volumeMissing = false
    private(set) var volumeDiffers = false
    /// Containers the patch adds (the proxy and its init container).
    private(set) var addedContainers: [String] = []

    init(patch: [UInt8], pod: YAMLNode) {
        let spec = pod["spec"]
        let groups = ["initContainers": spec?["initContainers"]?.items ?? [], "containers": spec?["containers"]?.items ?? []]
        initContainerNames = groups["initContainers", default: []].map { $0["name"]?.string ?? "" }
        containerNames = groups["containers", default: []].map { $0["name"]?.string ?? "" }
        let operations = (try? YAMLNode.parse(patch))?.items ?? []
        // A container added at index 0 (the proxy) shifts the indices the later operations use.
        var shift: [String: Int] = [:]
        for operation in operations {
            let path = Self.components(operation["path"]?.string ?? "")
            guard operation["op"]?.string == "add", path.count == 2 || path.count == 3, path[0] == "spec", groups[path[1]] != nil else { continue }
            let value = operation["value"]
            addedContainers += (value?.items ?? [value].compactMap { $0 }).compactMap { $0["name"]?.string }
            if path.count == 3, path[2] == "0" { shift[path[1], default: 0] += 1 }
        }
        for operation in operations {
            let op = operation["op"]?.string ?? ""
            let path = Self.components(operation["path"]?.string ?? "")
            if path.count >= 2, path[0] == "spec", path[1] == "volumes" {
                if op == "add" { volumeMissing = true } else { volumeDiffers = true }
                continue
            }
            guard path.count >= 4, path[0] == "spec", let group = groups[path[1]], let index = Int(path[2]) else { continue }
            let position = index - shift[path[1], default: 0]
            guard group.indices.contains(position) else { continue }
            let container = group[position]
            let name = container["name"]?.string ?? ""
            switch (path[3], op) {
            case ("env", "add"):
                let value = operation["value"]
                let names = (value?.items ?? [value].compactMap { $0 }).compactMap { $0["name"]?.string }
                Self.append(names, for: name, to: &missingEnv)
            case ("env", "replace"):
                let entry = path.count > 4 ? Int(path[4]).flatMap { container["env"]?.items?[safe: $0] } : nil
                Self.append([entry?["name"]?.string ?? "env"], for: name, to: &staleEnv)
            case ("volumeMounts", "add"): missingMount.append(name)
            case ("volumeMounts", _): differingMount.append(name)
            default: break
            }
        }
    }

    /// The unescaped reference tokens of a JSON pointer.
    private static func components(_ pointer: String) -> [String] {
        pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            String($0).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    private static func append(_ names: [String], for container: String, to list: inout [(container: String, names: [String])]) {
        if let index = list.firstIndex(where: { $0.container == container }) {
            list[index].names += names
        } else {
            list.append((container, names))
        }
    }
}

extension Array {
    /// The element at `index`, or nil outside the array.
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
