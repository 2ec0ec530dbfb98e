import Admission
import ArgumentParser
import FoundationEssentials
import YAML

/// `azwi-webhook mutate`: shows what the webhook would do to a pod, with no cluster.
///
/// It runs the same admission code as the server on a pod (or a whole AdmissionReview) and a
/// ServiceAccount read from files, so developers can see the result before they deploy.
struct MutateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutate",
        abstract: "Show what the webhook does to a pod, offline.",
        discussion: """
            Reads a Pod (or a whole AdmissionReview request) and its ServiceAccount from YAML or JSON \
            files, as `kubectl get -o yaml` prints them, and prints the mutated pod, the JSON patch or \
            the AdmissionReview response. A denial is printed on stderr and the exit status is 1. \
            Configuration comes from the same environment as the server: AZURE_TENANT_ID (required), \
            AZURE_ENVIRONMENT, AZURE_ENVIRONMENT_FILEPATH, PROXY_IMAGE, PROXY_INIT_IMAGE, and for identity \
            bindings the AZURE_KUBERNETES_* variables (a CONFIG_-prefixed name wins, as upstream reads them).
            """
    )

    /// What `mutate` prints.
    enum Output: String, ExpressibleByArgument, CaseIterable {
        case pod, patch, review
    }

    @Option(help: ArgumentHelp("The pod to admit (YAML or JSON).", valueName: "file"))
    var pod: String?

    @Option(help: ArgumentHelp("A whole AdmissionReview request to admit, instead of --pod.", valueName: "file"))
    var review: String?

    @Option(help: ArgumentHelp("The ServiceAccount(s) to look the pod's one up in; without it the ServiceAccount is not found.", valueName: "file"))
    var serviceAccount: String?

    @Option(help: "The namespace the pod is created in (default: the pod's own, else default).")
    var namespace: String?

    @Option(help: "What to print: the mutated pod, the JSON patch, or the AdmissionReview response.")
    var output: Output = .pod

    @Flag(help: "Admit as on Kubernetes 1.32 or later: the proxy becomes a native sidecar.")
    var nativeSidecars = false

    @OptionGroup var admission: AdmissionOptions

    func validate() throws {
        guard (pod == nil) != (review == nil) else {
            throw ValidationError("give exactly one of --pod and --review")
        }
    }

    func run() throws {
        let config = try admission.makeConfig(defaultTenantID: nil)
        let (requestBody, object, inputWasJSON) = try readRequest()

        let request: AdmissionRequest
        do {
            request = try AdmissionRequest.read(requestBody)
        } catch {
            throw ValidationError("not an AdmissionReview: \(error.message)")
        }
        let accounts = try serviceAccount.map { try ServiceAccountFiles.load(path: $0, defaultNamespace: request.namespace) } ?? []
        let account = accounts.first { $0.namespace == request.namespace && $0.name == request.serviceAccountName }
        let outcome = Admitter(config: config).admit(request, serviceAccount: account, nativeSidecars: nativeSidecars)

        for warning in outcome.warnings {
            Standard.error("Warning: \(warning)")
        }
        switch output {
        case .review:
            Standard.output(outcome.responseBody)
        case .patch:
            Standard.output(outcome.patch ?? Array("[]".utf8))
        case .pod:
            if case .denied = outcome.decision { break }
            let mutated = try outcome.patch.map { try JSONPatch.apply($0, to: object) } ?? object
            Standard.output(inputWasJSON ? mutated.jsonBytes() : mutated.yamlBytes())
        }
        if case .denied(_, let message) = outcome.decision {
            Standard.error("denied: \(message)")
            throw ExitCode(1)
        }
    }

    /// The review to admit, the pod in it, and whether the input file was JSON.
    private func readRequest() throws -> (body: [UInt8], pod: YAMLNode, inputWasJSON: Bool) {
        let path = pod ?? review!
        let bytes = try LocalFile.read(path, purpose: pod != nil ? "--pod" : "--review")
        let document: YAMLNode
        do {
            document = try YAMLNode.parse(bytes)
        } catch {
            throw ValidationError("\(path): not YAML or JSON: \(error)")
        }
        let isJSON = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
        if pod != nil {
            let namespace = namespace ?? document["metadata"]?["namespace"]?.string ?? "default"
            return (PodReview.request(for: document, namespace: namespace), document, isJSON)
        }
        return (document.jsonBytes(), document["request"]?["object"] ?? .mapping([]), isJSON)
    }
}
