import ArgumentParser
import FoundationEssentials
import KubeClient
import Logging

/// `azwi-webhook doctor`: why a workload does or does not get its Azure identity.
///
/// Reads the webhook's configuration, the workload, its namespace, ServiceAccount, pods and a
/// token with the caller's own kubeconfig (read only; a token is decoded, never printed), and
/// prints ten checks with a fix for each that does not pass, then the federated identity
/// credential the workload needs. The checks live in `Doctor/`, in this executable rather than
/// a target of their own, because they reuse what `mutate` already wires here: the pod review
/// (`PodReview`), local files, and the admission and certificate layers together.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Explain why a workload does or does not get its Azure identity.",
        discussion: """
            TARGET is pod/NAME, deployment/NAME, statefulset/NAME, daemonset/NAME, job/NAME, cronjob/NAME, \
            replicaset/NAME or serviceaccount/NAME. Checks, in order: webhook-configuration, webhook-endpoints, \
            ca-bundle, pod-label, namespace-selector, service-account, client-id, tenant-id, injected, token-issuer; \
            each passes, warns, fails or is skipped (a forbidden read is skipped, naming the permission). \
            With --file, a manifest is checked offline and the checks that need a cluster are skipped. \
            Exit status: 0 when nothing fails, 1 when a check fails, 2 when doctor could not run.
            """
    )

    @Argument(help: ArgumentHelp("What to check, as kubectl writes it (with --file: default the manifest's first workload).", valueName: "target"))
    var target: String?

    @Option(name: [.customShort("n"), .long], help: "The target's namespace (default: the kubeconfig context's, else default).")
    var namespace: String?

    @Option(help: ArgumentHelp("Kubeconfig to use (default: $KUBECONFIG, else the in-cluster ServiceAccount), as serve.", valueName: "file"))
    var kubeconfig: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    var output = "text"

    @Option(help: ArgumentHelp("The webhook's MutatingWebhookConfiguration.", valueName: "name"))
    var mutatingWebhookConfigurationName = "azure-wi-webhook-mutating-webhook-configuration"

    @Option(help: ArgumentHelp("Check this manifest (YAML or JSON) offline, with no cluster.", valueName: "manifest"))
    var file: String?

    @Option(help: ArgumentHelp("With --file: the ServiceAccount(s) the workload uses.", valueName: "file"))
    var serviceAccount: String?

    func run() throws {
        let report: DoctorReport
        do {
            report = try makeReport()
        } catch {
            Standard.error("error: \(error)")
            throw ExitCode(2)
        }
        Standard.output(output == "json" ? report.json() : Array(report.text().utf8))
        if report.hasFailures { throw ExitCode(1) }
    }

    /// Reads the arguments and runs the checks.
    private func makeReport() throws(DoctorFailure) -> DoctorReport {
        guard output == "text" || output == "json" else { throw DoctorFailure("-o \(output): use text or json") }
        let now = Int64(Date.now.timeIntervalSince1970)
        var run: DoctorRun
        if let file {
            guard kubeconfig == nil else { throw DoctorFailure("--file checks offline: it takes no --kubeconfig") }
            let source = try ManifestDoctorSource(manifestPath: file, serviceAccountPath: serviceAccount)
            let target = if let text = self.target { try DoctorTarget(parsing: text) } else { try source.defaultTarget() }
            let namespace = namespace ?? source.namespace(of: target) ?? "default"
            run = try DoctorRun(source: source, target: target, namespace: namespace,
                                webhookConfigurationName: mutatingWebhookConfigurationName, now: now)
        } else {
            guard serviceAccount == nil else { throw DoctorFailure("--service-account is for --file; with a cluster the ServiceAccount is read from it") }
            guard let text = target else { throw DoctorFailure("give a target (e.g. deployment/web), or --file MANIFEST") }
            let target = try DoctorTarget(parsing: text)
            let connection: KubeConnection
            let client: KubeAPIClient
            do throws(KubeClientError) {
                connection = try KubeConnection.load(kubeconfigPath: kubeconfig, environment: ProcessInfo.processInfo.environment)
                client = try KubeAPIClient(
                    connection: connection, userAgent: BuildInfo.current.userAgent + " doctor",
                    logger: Logger(label: "azwi-webhook.doctor", factory: { _ in SwiftLogNoOpLogHandler() }))
            } catch {
                throw DoctorFailure("cannot use the API server: \(error)")
            }
            let namespace = namespace ?? connection.namespace ?? "default"
            run = try DoctorRun(source: ClusterDoctorSource(transport: client), target: target, namespace: namespace,
                                webhookConfigurationName: mutatingWebhookConfigurationName, now: now)
        }
        return run.report()
    }
}
