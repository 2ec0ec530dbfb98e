import Admission
import CertificateRotation
import CoreMetrics
import KubeClient
import Logging
import Prometheus
import WebhookHTTP
import WebhookTLS

/// The running server: its components (the listeners, the ServiceAccount cache, the cluster
/// version read, certificate work, pod repair) started from one ordered list that keeps `/readyz` truthful,
/// and stopped in reverse.
///
/// Probes and metrics listen first (the kubelet sees "not ready" rather than "refused" while the
/// webhook starts), the webhook listener last; at shutdown the webhook drains first and the
/// probes answer "not ready" until the end.
final class WebhookProcess {
    private let components: Components
    private let webhook: ListenerComponent
    private let readiness: Readiness
    private let logger: Logger

    private init(components: Components, webhook: ListenerComponent, readiness: Readiness, logger: Logger) {
        self.components = components
        self.webhook = webhook
        self.readiness = readiness
        self.logger = logger
    }

    /// Loads the certificate, starts every component and logs the bound ports on one line.
    ///
    /// - Throws: `ServeError` naming the certificate directory, the address or the component that failed.
    static func start(_ settings: ServeSettings, registry: PrometheusCollectorRegistry, logger: Logger) throws -> WebhookProcess {
        let webhookMetrics = WebhookMetrics(registry: registry)
        let directory = settings.certificateDirectory.hasSuffix("/") ? String(settings.certificateDirectory.dropLast()) : settings.certificateDirectory
        var rotator: CertificateRotator?
        let first: TLSContext
        var firstKey: [UInt8]?
        if let cluster = settings.cluster, let rotation = cluster.rotation {
            let built = CertificateRotator(transport: cluster.client, settings: rotation, logger: logger)
            do {
                let certificates = try built.prepare()
                webhookMetrics.caCertificateLoaded(notAfter: try? PEMCertificate.notAfter(certificates.caCertificatePEM))
                first = try TLSContext.server(
                    certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM,
                    minimumVersion: settings.minimumTLSVersion)
                firstKey = certificates.privateKeyPEM
            } catch {
                throw ServeError("built-in certificate rotation: \(error)")
            }
            rotator = built
        } else {
            do {
                first = try TLSContext.server(
                    certificateChainFile: directory + "/tls.crt", privateKeyFile: directory + "/tls.key",
                    minimumVersion: settings.minimumTLSVersion)
            } catch {
                throw ServeError("--webhook-cert-dir \(settings.certificateDirectory): cannot load tls.crt and tls.key: \(error)")
            }
        }
        let serving = ServingCertificate(CurrentTLSContext(first), privateKeyPEM: firstKey, minimumVersion: settings.minimumTLSVersion) { event in
            report(event, directory: directory, metrics: webhookMetrics, logger: logger)
        }
        webhookMetrics.certificateLoaded(notAfter: first.certificateExpiry)
        // The monitor reads the box, not the owner: the owner's report reaches the metrics, which
        // hold the monitor, and capturing the owner here would make a cycle that is never freed.
        let current = serving.current
        let caBundle = settings.cluster.map { cluster in
            CABundleMonitor(hostName: cluster.hostName, servingChain: { current.load().certificateChainPEM }, logger: logger)
        }
        caBundle.map(webhookMetrics.observe(caBundle:))
        let readiness = Readiness(serviceAccounts: settings.serviceAccounts, caBundle: rotator == nil ? nil : caBundle)
        readiness.markCertificateLoaded()

        var webhookConfiguration = HTTPServerConfiguration(
            host: settings.webhook.host, port: settings.webhook.port, tls: serving.current, name: "webhook")
        webhookConfiguration.handshakeTimeout = settings.handshakeTimeout
        webhookConfiguration.headerTimeout = settings.headerTimeout
        webhookConfiguration.bodyTimeout = settings.bodyTimeout
        webhookConfiguration.idleTimeout = settings.idleTimeout
        webhookConfiguration.maxConnections = settings.maxConnections
        let admissionHandler = AdmissionHandler(
            config: settings.admission, features: settings.features, serviceAccounts: settings.serviceAccounts,
            metrics: webhookMetrics, logger: logger)
        let health = ListenerComponent(
            try HTTPServer(configuration: probeConfiguration(settings.health, name: "health"), handler: ProbeHandler(readiness: readiness), logger: logger),
            name: "health listener", address: settings.health, flag: "--health-addr")
        let metrics = ListenerComponent(
            try HTTPServer(configuration: probeConfiguration(settings.metrics, name: "metrics"), handler: MetricsHandler(metrics: webhookMetrics), logger: logger),
            name: "metrics listener", address: settings.metrics, flag: "--metrics-addr")
        let webhook = ListenerComponent(
            try HTTPServer(configuration: webhookConfiguration, handler: admissionHandler, logger: logger),
            name: "webhook listener", address: settings.webhook, flag: "--port")

        // The one start order; shutdown runs it backwards.
        var list: [any Component] = [health, metrics]
        if let cache = settings.serviceAccountCache { list.append(cache) }
        list.append(settings.features)
        list.append(try CertificateReloader(directory: directory, interval: settings.certificateCheckInterval, serving: serving))
        if let cluster = settings.cluster, let caBundle {
            if let rotator {
                list.append(RotationComponent(rotator, monitor: caBundle, serving: serving, metrics: webhookMetrics))
            } else {
                list.append(try caBundle.watch(transport: cluster.client, name: cluster.webhookConfigurationName))
            }
        }
        list.append(webhook)
        if let repair = settings.repair, let cluster = settings.cluster {
            list.append(try RepairComponent(
                settings: repair, transport: cluster.client, isReady: { readiness.unmetConditions().isEmpty },
                metrics: RepairMetrics(registry: registry, mode: repair.mode), logger: logger))
        }
        let components = Components(logger: logger)
        try components.start(list)

        readiness.markListening()
        logger.info("serving", metadata: [
            "webhookPort": .stringConvertible(webhook.port),
            "healthPort": .stringConvertible(health.port),
            "metricsPort": .stringConvertible(metrics.port),
            "tlsMinVersion": "\(settings.minimumTLSVersion)",
            "certDir": "\(settings.certificateDirectory)",
        ])
        if let devDirectory = settings.devCertificateDirectory {
            Standard.output(Array(DevMode.curlCommand(certificateDirectory: devDirectory, port: webhook.port).utf8))
        }
        return WebhookProcess(components: components, webhook: webhook, readiness: readiness, logger: logger)
    }

    /// Logs and counts what happened to a serving-certificate pair, by the feed it came from.
    private static func report(_ event: ServingCertificate.Event, directory: String, metrics: WebhookMetrics, logger: Logger) {
        switch event {
        case .served(let context, .directory):
            metrics.certificateLoaded(notAfter: context.certificateExpiry)
            metrics.certificateReloaded(succeeded: true)
            logger.info("reloaded the serving certificate", metadata: ["dir": "\(directory)"])
        case .refused(let error, .directory):
            metrics.certificateReloaded(succeeded: false)
            logger.error("kept the previous serving certificate: the new pair is not usable",
                         metadata: ["dir": "\(directory)", "error": "\(error)"])
        case .served(let context, .secret):
            metrics.certificateLoaded(notAfter: context.certificateExpiry)
            logger.info("serving the new certificate from the Secret")
        case .refused(let error, .secret):
            logger.error("kept the previous serving certificate: the Secret's pair is not usable", metadata: ["error": "\(error)"])
        }
    }

    /// Graceful stop within `timeout`: not ready at once, then every component in reverse start
    /// order: the webhook drains first, the probe listeners close last.
    func shutdown(timeout: Duration) {
        readiness.markShuttingDown()
        let deadline = ContinuousClock.now + timeout
        webhook.beginShutdown()
        if webhook.waitUntilStopped(timeout: timeout) {
            logger.info("webhook listener drained")
        } else {
            logger.warning("shutdown timeout reached with connections still open", metadata: ["open": "\(webhook.server.openConnections)"])
        }
        components.stop(timeout: max(.zero, deadline - .now))
    }

    private static func probeConfiguration(_ address: ListenAddress, name: String) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration(host: address.host, port: address.port, tls: nil, name: name)
        configuration.maxConnections = 64
        configuration.idleTimeout = .seconds(30)
        return configuration
    }
}
