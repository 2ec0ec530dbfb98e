#if canImport(Glibc)
import Glibc
#endif
import Admission
import ArgumentParser
import CertificateRotation
import CoreMetrics
import FoundationEssentials
import KubeClient
import Logging
import PodRepair
import Prometheus
import WebhookHTTP
import WebhookTLS

/// `azwi-webhook serve`: runs the HTTPS webhook server, its health listener and its metrics listener.
///
/// Accepts upstream's flags and environment, so the upstream Helm chart's arguments work unchanged.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the webhook server (the default command).",
        discussion: """
            Environment: AZURE_TENANT_ID (required outside --dev), AZURE_ENVIRONMENT, \
            AZURE_ENVIRONMENT_FILEPATH, PROXY_IMAGE, PROXY_INIT_IMAGE, POD_NAMESPACE. \
            With an API server and without --disable-cert-rotation, the webhook keeps a CA and a serving \
            certificate in the Secret azure-wi-webhook-server-cert in $POD_NAMESPACE (generated when it \
            is empty, invalid or expires within 90 days), serves them, writes them to --webhook-cert-dir \
            unless that is the mounted Secret, and keeps the MutatingWebhookConfiguration's caBundle set \
            to the CA. Otherwise tls.crt and tls.key are read from --webhook-cert-dir (cert-manager, the \
            admin) and reloaded when they change. With an API server, the replica holding the Lease \
            azure-wi-webhook-repair in $POD_NAMESPACE (named by $POD_NAME, else the host name) finds labelled \
            pods the webhook did not mutate and reports or evicts them (--repair). SIGTERM or SIGINT stops \
            the server gracefully.
            """
    )

    /// How log lines are written.
    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case json, text
    }

    @Option(help: ArgumentHelp("Directory holding the serving certificate (tls.crt) and key (tls.key).", valueName: "dir"))
    var webhookCertDir = "/certs"

    @Option(help: ArgumentHelp("Minimum TLS version: 1.2 or 1.3.", valueName: "version"))
    var tlsMinVersion = "1.3"

    @Option(help: ArgumentHelp("Address of the health listener (plain HTTP: /healthz, /readyz).", valueName: "host:port"))
    var healthAddr = ":9440"

    @Option(help: ArgumentHelp("Address of the metrics listener (plain HTTP: /metrics).", valueName: "host:port"))
    var metricsAddr = ":8095"

    @Option(help: ArgumentHelp("Metrics backend; only prometheus is supported.", valueName: "backend"))
    var metricsBackend = "prometheus"

    @Flag(help: "Do not manage certificates: serve tls.crt/tls.key from --webhook-cert-dir (cert-manager or the admin provides them).")
    var disableCertRotation = false

    @Option(help: ArgumentHelp("The MutatingWebhookConfiguration whose caBundle built-in rotation sets (and every mode checks).", valueName: "name"))
    var mutatingWebhookConfigurationName = "azure-wi-webhook-mutating-webhook-configuration"

    @Option(help: ArgumentHelp("How often built-in rotation re-checks the Secret and the caBundle when nothing changes.", valueName: "seconds"))
    var certRotationCheckInterval = DurationArgument(seconds: 12 * 3600)

    @Option(help: "Port of the HTTPS webhook listener, on every interface (0: any free port).")
    var port = 9443

    @Option(help: "Log format.")
    var logFormat: LogFormat = .json

    @Option(help: ArgumentHelp("Kubeconfig for the API server (default: $KUBECONFIG, else the in-cluster ServiceAccount).", valueName: "file"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("ServiceAccounts to admit against, from a YAML/JSON file or directory, instead of the API server.", valueName: "path"))
    var serviceAccounts: String?

    @Flag(help: "Without a cluster (--dev, --service-accounts): admit as Kubernetes 1.32 or later, with the proxy as a native sidecar.")
    var nativeSidecars = false

    @Flag(help: "Run without a cluster: a throw-away certificate for 127.0.0.1, the example ServiceAccounts, and a curl line to try it.")
    var dev = false

    @Option(help: ArgumentHelp("How long in-flight requests may take to finish after SIGTERM.", valueName: "seconds"))
    var shutdownTimeout = DurationArgument(seconds: 10)

    @Option(help: ArgumentHelp("Deadline for a TLS handshake.", valueName: "seconds"))
    var handshakeTimeout = DurationArgument(seconds: 10)

    @Option(help: ArgumentHelp("Deadline for a request's head once its first byte arrived.", valueName: "seconds"))
    var headerTimeout = DurationArgument(seconds: 10)

    @Option(help: ArgumentHelp("Deadline for a request's body.", valueName: "seconds"))
    var bodyTimeout = DurationArgument(seconds: 30)

    @Option(help: ArgumentHelp("How long an idle keep-alive connection stays open (longer than the apiserver's 90 s).", valueName: "seconds"))
    var idleTimeout = DurationArgument(seconds: 120)

    @Option(help: ArgumentHelp("Open webhook connections at most; more are refused.", valueName: "count"))
    var maxConnections = 1024

    @Option(help: ArgumentHelp("How often the certificate files are checked for a new pair.", valueName: "seconds"))
    var certCheckInterval = DurationArgument(seconds: 5)

    @Option(help: ArgumentHelp(
        "What to do about labelled pods the webhook did not mutate: off, report (a gauge, a Warning Event, a log line; the default with an API server) or evict (report, and evict those a ReplicaSet, StatefulSet, DaemonSet or Job recreates).",
        valueName: "mode"))
    var repair: RepairMode?

    @Option(help: ArgumentHelp("With --repair=evict: eviction requests per minute at most.", valueName: "count"))
    var repairEvictionsPerMinute = 10

    @Option(help: ArgumentHelp("With --repair: how often every labelled pod is judged again, besides each change.", valueName: "duration"))
    var repairResync = DurationArgument(minutes: 10)

    @OptionGroup var admission: AdmissionOptions

    func validate() throws {
        guard (0...65_535).contains(port) else {
            throw ValidationError("--port \(port) is not valid: use 0 to 65535")
        }
        guard maxConnections > 0 else {
            throw ValidationError("--max-connections \(maxConnections) is not valid: it must be at least 1")
        }
        guard metricsBackend.lowercased() == "prometheus" else {
            throw ValidationError("--metrics-backend \"\(metricsBackend)\" is not supported: use prometheus")
        }
        do {
            _ = try TLSVersion(flag: tlsMinVersion)
        } catch {
            throw ValidationError("--tls-min-version: \(error)")
        }
        _ = try ListenAddress(healthAddr, flag: "--health-addr")
        _ = try ListenAddress(metricsAddr, flag: "--metrics-addr")
        if serviceAccounts != nil && kubeconfig != nil {
            throw ValidationError("give --service-accounts (local files) or --kubeconfig (an API server), not both")
        }
        if let repair, repair != .off, usesLocalServiceAccounts {
            throw ValidationError("--repair=\(repair.rawValue) needs an API server: without one there are no pods to repair")
        }
        guard repairEvictionsPerMinute >= 1 else {
            throw ValidationError("--repair-evictions-per-minute \(repairEvictionsPerMinute) is not valid: it must be at least 1")
        }
        if nativeSidecars && !usesLocalServiceAccounts {
            throw ValidationError("--native-sidecars is for runs without a cluster: with an API server, its /version decides")
        }
    }

    /// Whether ServiceAccounts come from local files rather than an API server.
    private var usesLocalServiceAccounts: Bool { dev || serviceAccounts != nil }

    func run() throws {
        ShutdownSignals.block()
        LargeAllocations.returnToTheKernel()  // LIST pages are megabytes: give them back when freed
        let logger = WebhookLogging.bootstrap(format: logFormat, level: admission.logLevel)
        logger.info("starting azwi-webhook", metadata: BuildInfo.current.logMetadata)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DescribedMetricsFactory(
            registry: registry, help: HTTPServer.metricHelp.merging(KubeAPIClient.metricHelp) { first, _ in first }))
        let settings = try resolveSettings(logger: logger)
        let server: WebhookProcess
        do {
            server = try WebhookProcess.start(settings, registry: registry, logger: logger)
        } catch {
            settings.devCertificateDirectory.map(DevMode.removeCertificateDirectory)
            throw error
        }
        let signal = ShutdownSignals.wait()
        logger.info("shutting down", metadata: ["signal": "\(signal)", "timeout": "\(shutdownTimeout)"])
        server.shutdown(timeout: shutdownTimeout.duration)
        if let directory = settings.devCertificateDirectory {
            DevMode.removeCertificateDirectory(directory)
        }
    }

    /// Reads and checks every flag, environment value and file, before anything is bound.
    private func resolveSettings(logger: Logger) throws -> ServeSettings {
        let environment = ProcessInfo.processInfo.environment
        if let namespace = environment["POD_NAMESPACE"], !namespace.isEmpty, !Self.isDNSLabel(namespace) {
            throw ServeError("POD_NAMESPACE \"\(namespace)\" is not a valid namespace name (lowercase letters, digits and '-', at most 63)")
        }
        if dev && (UpstreamEnvironment(variables: environment)["AZURE_TENANT_ID"] ?? "").isEmpty {
            logger.info("AZURE_TENANT_ID is not set: using a placeholder tenant in dev mode", metadata: ["tenantID": "\(DevMode.placeholderTenantID)"])
        }
        let config = try admission.makeConfig(defaultTenantID: dev ? DevMode.placeholderTenantID : nil)
        let namespace = environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "azure-workload-identity-system"
        var cluster: ClusterCertificates?
        let source: any ServiceAccountSource
        let features: ClusterFeatures
        var cache: ServiceAccountCache?
        var repairSettings: RepairSettings?
        if usesLocalServiceAccounts {
            (source, features) = try localServiceAccounts(environment: environment, logger: logger)
        } else {
            let client = try clusterClient(environment: environment, logger: logger)
            try checkClusterTrustBundles(config.customTokenEndpoint, client: client)
            let clusterCache = ServiceAccountCache(client: client, logger: logger)
            cache = clusterCache
            features = ClusterFeatures(client: client, logger: logger)
            source = ClusterServiceAccountSource(cache: clusterCache, features: features)
            var certificates = CertificateRotationSettings(
                namespace: namespace, webhookConfigurationName: mutatingWebhookConfigurationName, certificateDirectory: webhookCertDir)
            certificates.checkInterval = certRotationCheckInterval.duration
            cluster = ClusterCertificates(
                client: client, hostName: certificates.hostName, webhookConfigurationName: mutatingWebhookConfigurationName,
                rotation: disableCertRotation ? nil : certificates)
            let mode = repair ?? .report
            if mode != .off {
                repairSettings = RepairSettings(
                    mode: mode, evictionsPerMinute: repairEvictionsPerMinute, resync: repairResync.duration,
                    identity: environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.hostName(),
                    namespace: namespace, webhookConfigurationName: mutatingWebhookConfigurationName)
            }
        }

        if let binding = config.customTokenEndpoint {
            logger.info("identity bindings on", metadata: ["annotation": "\(binding.annotationKey)", "audience": "\(binding.audience)"])
        }
        var health = try ListenAddress(healthAddr, flag: "--health-addr")
        var metrics = try ListenAddress(metricsAddr, flag: "--metrics-addr")
        var webhook = ListenAddress(host: "", port: port)
        var certificateDirectory = webhookCertDir
        var devDirectory: String?
        if dev {
            health.host = "127.0.0.1"
            metrics.host = "127.0.0.1"
            webhook.host = "127.0.0.1"
            certificateDirectory = try DevMode.makeCertificateDirectory()
            devDirectory = certificateDirectory
        }
        return ServeSettings(
            admission: config,
            serviceAccounts: source,
            features: features,
            serviceAccountCache: cache,
            webhook: webhook, health: health, metrics: metrics,
            certificateDirectory: certificateDirectory,
            certificateCheckInterval: certCheckInterval.duration,
            minimumTLSVersion: try TLSVersion(flag: tlsMinVersion),
            handshakeTimeout: handshakeTimeout.duration,
            headerTimeout: headerTimeout.duration,
            bodyTimeout: bodyTimeout.duration,
            idleTimeout: idleTimeout.duration,
            maxConnections: maxConnections,
            cluster: cluster,
            repair: repairSettings,
            devCertificateDirectory: devDirectory)
    }

    /// Refuses to start when identity bindings take their CA from a ClusterTrustBundle and the
    /// cluster serves none: every opted-in pod would otherwise be rejected by the API server.
    private func checkClusterTrustBundles(_ binding: CustomTokenEndpoint?, client: KubeAPIClient) throws {
        guard binding?.clusterTrustBundleSignerName != nil else { return }
        let served: Bool
        do {
            served = try client.servesResource(group: "certificates.k8s.io", resource: "clustertrustbundles")
        } catch {
            throw ServeError("AZURE_KUBERNETES_CA_CTB_SIGNER_NAME is set but the API server's certificates.k8s.io API could not be read: \(error)")
        }
        guard served else {
            throw ServeError("AZURE_KUBERNETES_CA_CTB_SIGNER_NAME is set but the cluster serves no clustertrustbundles API (group certificates.k8s.io): enable the ClusterTrustBundle feature or use AZURE_KUBERNETES_CA_CONFIGMAP_NAME")
        }
    }

    /// ServiceAccounts from `--service-accounts`, or `examples/` in dev mode; no cluster to ask.
    private func localServiceAccounts(environment: [String: String], logger: Logger) throws -> (any ServiceAccountSource, ClusterFeatures) {
        let accountsPath = serviceAccounts ?? DevMode.defaultServiceAccounts
        if serviceAccounts == nil && !FileManager.default.fileExists(atPath: accountsPath) {
            throw ServeError("""
                --dev loads \(accountsPath) relative to the current directory, and it is not there: \
                run from the repository root or pass --service-accounts <file or directory>
                """)
        }
        let accounts = try ServiceAccountFiles.load(path: accountsPath, defaultNamespace: environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default")
        logger.info("loaded ServiceAccounts", metadata: ["path": "\(accountsPath)", "count": "\(accounts.count)"])
        return (StaticServiceAccountSource(accounts), ClusterFeatures(nativeSidecars: nativeSidecars, logger: logger))
    }

    /// The API server client (`--kubeconfig`, `$KUBECONFIG`, or in-cluster).
    private func clusterClient(environment: [String: String], logger: Logger) throws -> KubeAPIClient {
        do throws(KubeClientError) {
            let connection = try KubeConnection.load(kubeconfigPath: kubeconfig, environment: environment)
            logger.info("using the API server", metadata: ["server": "\(connection.host):\(connection.port)", "from": "\(connection.origin)"])
            return try KubeAPIClient(connection: connection, userAgent: BuildInfo.current.userAgent, logger: logger)
        } catch {
            throw ServeError("cannot use the API server: \(error)")
        }
    }

    /// This machine's host name (a pod's name, in a pod), for the Lease when POD_NAME is not set.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "azwi-webhook" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `name` is an RFC 1123 label, as namespace names are.
    static func isDNSLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let allowed = { (byte: UInt8) in (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "-") }
        return (1...63).contains(bytes.count) && bytes.allSatisfy(allowed)
            && bytes.first != UInt8(ascii: "-") && bytes.last != UInt8(ascii: "-")
    }
}
