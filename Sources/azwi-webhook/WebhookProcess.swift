import Admission
import CoreMetrics
import Logging
import Prometheus
import WebhookHTTP
import WebhookTLS

/// The running server: the HTTPS webhook listener, the health and metrics listeners, and the
/// certificate reloader, started in an order that keeps `/readyz` truthful.
///
/// Probes and metrics listen first (the kubelet sees "not ready" rather than "refused" while the
/// webhook starts), the webhook listener last. Shutdown runs in the reverse order.
final class WebhookProcess {
    private let webhook: HTTPServer
    private let health: HTTPServer
    private let metrics: HTTPServer
    private let reloader: CertificateReloader
    private let readiness: Readiness
    private let logger: Logger

    private init(webhook: HTTPServer, health: HTTPServer, metrics: HTTPServer, reloader: CertificateReloader, readiness: Readiness, logger: Logger) {
        self.webhook = webhook
        self.health = health
        self.metrics = metrics
        self.reloader = reloader
        self.readiness = readiness
        self.logger = logger
    }

    /// Loads the certificate, binds every listener and logs the bound ports on one line.
    ///
    /// - Throws: `ServeError` naming the certificate directory or the address that failed.
    static func start(_ settings: ServeSettings, registry: PrometheusCollectorRegistry, logger: Logger) throws -> WebhookProcess {
        let webhookMetrics = WebhookMetrics(registry: registry)
        let readiness = Readiness(serviceAccounts: settings.serviceAccounts)

        let directory = settings.certificateDirectory.hasSuffix("/") ? String(settings.certificateDirectory.dropLast()) : settings.certificateDirectory
        let context: TLSContext
        do {
            context = try TLSContext.server(
                certificateChainFile: directory + "/tls.crt", privateKeyFile: directory + "/tls.key",
                minimumVersion: settings.minimumTLSVersion)
        } catch {
            throw ServeError("--webhook-cert-dir \(settings.certificateDirectory): cannot load tls.crt and tls.key: \(error)")
        }
        let current = CurrentTLSContext(context)
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
        return WebhookProcess(webhook: webhook, health: health, metrics: metrics, reloader: reloader, readiness: readiness, logger: logger)
    }

    /// Graceful stop within `timeout`: not ready at once, the webhook drains, then the probe listeners close.
    func shutdown(timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        readiness.markShuttingDown()
        reloader.stop()
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
