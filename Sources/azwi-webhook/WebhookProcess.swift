import Admission
import CertificateRotation
import CoreMetrics
import KubeClient
import Logging
import Prometheus
import WebhookHTTP
import WebhookTLS

/// The running server: the HTTPS webhook listener, the health and metrics listeners, the
/// certificate reloader and, with a cluster, built-in rotation or the caBundle watch, started in
/// an order that keeps `/readyz` truthful.
///
/// Probes and metrics listen first (the kubelet sees "not ready" rather than "refused" while the
/// webhook starts), the webhook listener last. Shutdown runs in the reverse order.
final class WebhookProcess {
    private let webhook: HTTPServer
    private let health: HTTPServer
    private let metrics: HTTPServer
    private let reloader: CertificateReloader
    private let readiness: Readiness
    private let rotator: CertificateRotator?
    private let caBundleWatch: NamedObjectWatcher?
    private let logger: Logger

    private init(
        webhook: HTTPServer, health: HTTPServer, metrics: HTTPServer, reloader: CertificateReloader, readiness: Readiness,
        rotator: CertificateRotator?, caBundleWatch: NamedObjectWatcher?, logger: Logger
    ) {
        self.webhook = webhook
        self.health = health
        self.metrics = metrics
        self.reloader = reloader
        self.readiness = readiness
        self.rotator = rotator
        self.caBundleWatch = caBundleWatch
        self.logger = logger
    }

    /// Loads the certificate, binds every listener and logs the bound ports on one line.
    ///
    /// - Throws: `ServeError` naming the certificate directory or the address that failed.
    static func start(_ settings: ServeSettings, registry: PrometheusCollectorRegistry, logger: Logger) throws -> WebhookProcess {
        let webhookMetrics = WebhookMetrics(registry: registry)
        let directory = settings.certificateDirectory.hasSuffix("/") ? String(settings.certificateDirectory.dropLast()) : settings.certificateDirectory
        var rotator: CertificateRotator?
        let context: TLSContext
        if let cluster = settings.cluster, let rotation = cluster.rotation {
            let built = CertificateRotator(transport: cluster.client, settings: rotation, logger: logger)
            do {
                let certificates = try built.prepare()
                webhookMetrics.caCertificateLoaded(notAfter: try? PEMCertificate.notAfter(certificates.caCertificatePEM))
                context = try TLSContext.server(
                    certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM,
                    minimumVersion: settings.minimumTLSVersion)
            } catch {
                throw ServeError("built-in certificate rotation: \(error)")
            }
            rotator = built
        } else {
            do {
                context = try TLSContext.server(
                    certificateChainFile: directory + "/tls.crt", privateKeyFile: directory + "/tls.key",
                    minimumVersion: settings.minimumTLSVersion)
            } catch {
                throw ServeError("--webhook-cert-dir \(settings.certificateDirectory): cannot load tls.crt and tls.key: \(error)")
            }
        }
        let current = CurrentTLSContext(context)
        let caBundle = settings.cluster.map { cluster in
            CABundleMonitor(hostName: cluster.hostName, servingChain: { current.load().certificateChainPEM }, logger: logger)
        }
        caBundle.map(webhookMetrics.observe(caBundle:))
        let readiness = Readiness(serviceAccounts: settings.serviceAccounts, caBundle: rotator == nil ? nil : caBundle)
        webhookMetrics.certificateLoaded(notAfter: context.certificateExpiry)
        readiness.markCertificateLoaded()
        let reloader = try CertificateReloader(
            directory: directory, interval: settings.certificateCheckInterval,
            minimumVersion: settings.minimumTLSVersion, target: current
        ) { result in
            switch result {
            case .success(let context):
                webhookMetrics.certificateLoaded(notAfter: context.certificateExpiry)
                webhookMetrics.certificateReloaded(succeeded: true)
                logger.info("reloaded the serving certificate", metadata: ["dir": "\(directory)"])
            case .failure(let error):
                webhookMetrics.certificateReloaded(succeeded: false)
                logger.error("kept the previous serving certificate: the new pair is not usable",
                             metadata: ["dir": "\(directory)", "error": "\(error)"])
            }
        }

        var webhookConfiguration = HTTPServerConfiguration(host: settings.webhook.host, port: settings.webhook.port, tls: current, name: "webhook")
        webhookConfiguration.handshakeTimeout = settings.handshakeTimeout
        webhookConfiguration.headerTimeout = settings.headerTimeout
        webhookConfiguration.bodyTimeout = settings.bodyTimeout
        webhookConfiguration.idleTimeout = settings.idleTimeout
        webhookConfiguration.maxConnections = settings.maxConnections
        let admissionHandler = AdmissionHandler(
            config: settings.admission, features: settings.features, serviceAccounts: settings.serviceAccounts,
            metrics: webhookMetrics, logger: logger)

        let health = try HTTPServer(
            configuration: probeConfiguration(settings.health, name: "health"),
            handler: ProbeHandler(readiness: readiness), logger: logger)
        let metrics = try HTTPServer(
            configuration: probeConfiguration(settings.metrics, name: "metrics"),
            handler: MetricsHandler(metrics: webhookMetrics), logger: logger)
        let webhook = try HTTPServer(configuration: webhookConfiguration, handler: admissionHandler, logger: logger)

        let healthPort = try bind(health, settings.health, flag: "--health-addr")
        let metricsPort = try bind(metrics, settings.metrics, flag: "--metrics-addr")
        let webhookPort = try bind(webhook, settings.webhook, flag: "--port")
        try reloader.start()
        let caBundleWatch = try startCertificateWork(
            settings.cluster, rotator: rotator, monitor: caBundle, current: current,
            minimumVersion: settings.minimumTLSVersion, metrics: webhookMetrics, logger: logger)
        readiness.markListening()
        logger.info("serving", metadata: [
            "webhookPort": .stringConvertible(webhookPort),
            "healthPort": .stringConvertible(healthPort),
            "metricsPort": .stringConvertible(metricsPort),
            "tlsMinVersion": "\(settings.minimumTLSVersion)",
            "certDir": "\(settings.certificateDirectory)",
        ])
        if let devDirectory = settings.devCertificateDirectory {
            Standard.output(Array(DevMode.curlCommand(certificateDirectory: devDirectory, port: webhookPort).utf8))
        }
        return WebhookProcess(
            webhook: webhook, health: health, metrics: metrics, reloader: reloader, readiness: readiness,
            rotator: rotator, caBundleWatch: caBundleWatch, logger: logger)
    }

    /// Starts built-in rotation, which serves every new pair from the Secret at once; or, with
    /// `--disable-cert-rotation`, a watch that only judges the configuration's caBundle.
    ///
    /// - Returns: the caBundle watch, when that is what was started.
    private static func startCertificateWork(
        _ cluster: ClusterCertificates?, rotator: CertificateRotator?, monitor: CABundleMonitor?, current: CurrentTLSContext,
        minimumVersion: TLSVersion, metrics: WebhookMetrics, logger: Logger
    ) throws -> NamedObjectWatcher? {
        guard let cluster, let monitor else { return nil }
        do {
            guard let rotator else {
                let watch = try monitor.watch(transport: cluster.client, name: cluster.webhookConfigurationName)
                try watch.start()
                return watch
            }
            try rotator.start(monitor: monitor) { certificates in
                metrics.caCertificateLoaded(notAfter: try? PEMCertificate.notAfter(certificates.caCertificatePEM))
                guard current.load().certificateChainPEM != certificates.certificateChainPEM else { return }
                do {
                    let context = try TLSContext.server(
                        certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM,
                        minimumVersion: minimumVersion)
                    current.replace(with: context)
                    metrics.certificateLoaded(notAfter: context.certificateExpiry)
                    logger.info("serving the new certificate from the Secret")
                } catch {
                    logger.error("kept the previous serving certificate: the Secret's pair is not usable", metadata: ["error": "\(error)"])
                }
            }
            return nil
        } catch {
            throw ServeError("cannot start the certificate work: \(error)")
        }
    }

    /// Graceful stop within `timeout`: not ready at once, the webhook drains, then the probe listeners
    /// close and a certificate pass in progress finishes.
    func shutdown(timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        readiness.markShuttingDown()
        reloader.stop()
        rotator?.stop()
        caBundleWatch?.stop()
        webhook.beginShutdown()
        if webhook.waitUntilStopped(timeout: timeout) {
            logger.info("webhook listener drained")
        } else {
            logger.warning("shutdown timeout reached with connections still open", metadata: ["open": "\(webhook.openConnections)"])
        }
        health.beginShutdown()
        metrics.beginShutdown()
        _ = health.waitUntilStopped(timeout: max(.zero, deadline - .now))
        _ = metrics.waitUntilStopped(timeout: max(.zero, deadline - .now))
        _ = rotator?.waitUntilStopped(timeout: max(.zero, deadline - .now))
    }

    private static func probeConfiguration(_ address: ListenAddress, name: String) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration(host: address.host, port: address.port, tls: nil, name: name)
        configuration.maxConnections = 64
        configuration.idleTimeout = .seconds(30)
        return configuration
    }

    private static func bind(_ server: HTTPServer, _ address: ListenAddress, flag: String) throws -> Int {
        do {
            return try server.start()
        } catch {
            throw ServeError("\(flag): cannot listen on \(address): \(error)")
        }
    }
}
