public import KubeClient
public import Logging
public import WebhookTLS
import WebhookPOSIX
#if canImport(Glibc)
import Glibc
#endif

/// Built-in certificate management without cert-manager: keeps a CA and a serving certificate
/// in the webhook's Secret, serves them, and keeps the MutatingWebhookConfiguration's caBundles
/// set to that CA.
///
/// One pass ("reconcile") reads the Secret and, if it is empty, invalid or expiring (see
/// ``RenewalDecision``), writes new certificates with an update conditional on the
/// resourceVersion read; on a conflict it re-reads and adopts what the other replica wrote, so
/// replicas starting together end up with one CA. It then hands the pair to the server, writes
/// it to the certificate directory unless that is a mounted Secret volume, and patches the
/// caBundles that differ from the CA. A pass runs at start, on every change of the Secret or the
/// configuration (both watched), every `checkInterval`, and after a failure with backoff.
public final class CertificateRotator: Sendable {
    private let settings: CertificateRotationSettings
    private let secrets: SecretClient
    private let configurations: WebhookConfigurationClient
    private let transport: any KubeTransport
    private let logger: Logger
    private let signal = ReconcileSignal()
    private static let conflictRetries = 5

    public init(transport: any KubeTransport, settings: CertificateRotationSettings, logger: Logger) {
        self.transport = transport
        self.settings = settings
        self.logger = logger
        secrets = SecretClient(transport: transport, namespace: settings.namespace, name: settings.secretName)
        configurations = WebhookConfigurationClient(transport: transport, name: settings.webhookConfigurationName)
    }

    /// Makes sure the Secret holds usable certificates, retrying failures until `startTimeout`;
    /// for start-up, before the server can serve anything.
    ///
    /// - Returns: the certificates to serve.
    /// - Throws: `CertificateRotationError` with the last failure.
    public func prepare() throws(CertificateRotationError) -> SelfSignedCertificates {
        let deadline = ContinuousClock.now + settings.startTimeout
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(5))
        while true {
            do throws(CertificateRotationError) {
                return try ensureSecret()
            } catch {
                let pause = backoff.next(jitter: Double.random(in: 0..<1))
                guard ContinuousClock.now + pause < deadline else { throw error }
                logger.warning("cannot prepare the serving certificate yet; retrying", metadata: ["error": "\(error)"])
                _ = signal.wait(timeout: pause)
            }
        }
    }

    /// Starts the rotation thread and the two watches.
    ///
    /// - Parameters:
    ///   - monitor: told what the configuration's caBundles are, whenever they are read.
    ///   - serve: called with the certificates to serve after every pass (the same ones, mostly:
    ///     the caller compares), on the rotation thread.
    /// - Throws: `CertificateRotationError` when a thread cannot be started.
    public func start(monitor: CABundleMonitor, serve: @escaping @Sendable (SelfSignedCertificates) -> Void) throws(CertificateRotationError) {
        let secretWatch: NamedObjectWatcher
        let configurationWatch: NamedObjectWatcher
        do throws(KubeClientError) {
            secretWatch = try NamedObjectWatcher(transport: transport, collectionPath: secrets.collectionPath, name: settings.secretName) {
                [signal, logger] event in
                switch event {
                case .changed: signal.trigger()
                case let .failed(error): logger.warning("watching the certificate Secret failed; retrying", metadata: ["error": "\(error)"])
                }
            }
            configurationWatch = try monitor.watch(transport: transport, name: settings.webhookConfigurationName, onChange: signal.trigger)
            try secretWatch.start()
            try configurationWatch.start()
        } catch {
            throw .kube(error)
        }
        do throws(SystemError) {
            try OwnedThread.start(stackSize: 1 << 20) { [self] in
                var backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
                while true {
                    let pause: Duration
                    if reconcile(monitor: monitor, serve: serve) {
                        backoff.reset()
                        pause = settings.checkInterval
                    } else {
                        pause = backoff.next(jitter: Double.random(in: 0..<1))
                    }
                    guard signal.wait(timeout: pause) else { break }
                }
                secretWatch.stop()
                configurationWatch.stop()
                signal.markFinished()
            }
        } catch {
            throw .thread("\(error)")
        }
    }

    /// Stops the rotation thread and its watches.
    public func stop() {
        signal.stop()
    }

    /// Waits, after `stop()`, until a pass in progress has finished, so the process does not exit
    /// under it; `false` if `timeout` passed first (a pass waiting on the API server).
    public func waitUntilStopped(timeout: Duration) -> Bool {
        signal.waitUntilFinished(timeout: timeout)
    }

    /// One full pass; `false` when something failed (logged) and a retry is due.
    func reconcile(monitor: CABundleMonitor, serve: @Sendable (SelfSignedCertificates) -> Void) -> Bool {
        let certificates: SelfSignedCertificates
        do throws(CertificateRotationError) {
            certificates = try ensureSecret()
        } catch {
            logger.error("certificate rotation: the Secret step failed", metadata: ["error": "\(error)"])
            return false
        }
        serve(certificates)
        if !CertificateDirectory.isMountedVolume(settings.certificateDirectory) {
            do throws(SystemError) {
                if try CertificateDirectory.write(certificates, to: settings.certificateDirectory) {
                    logger.info("wrote the serving certificate", metadata: ["dir": "\(settings.certificateDirectory)"])
                }
            } catch {
                logger.error("cannot write the serving certificate", metadata: ["dir": "\(settings.certificateDirectory)", "error": "\(error)"])
            }
        }
        do throws(CertificateRotationError) {
            try injectCABundle(certificates.caCertificatePEM, monitor: monitor)
            return true
        } catch {
            logger.error("certificate rotation: cannot inject the caBundle; serving with the Secret's certificate anyway",
                         metadata: ["error": "\(error)", "mutatingWebhookConfiguration": "\(settings.webhookConfigurationName)"])
            return false
        }
    }

    /// Reads the Secret and, when needed, writes new certificates into it; adopts another
    /// writer's certificates on a conflict.
    private func ensureSecret() throws(CertificateRotationError) -> SelfSignedCertificates {
        for _ in 0..<Self.conflictRetries {
            let secret: KubeSecret
            do throws(KubeClientError) {
                secret = try secrets.get()
            } catch {
                throw .secret(name: "\(settings.namespace)/\(settings.secretName)", error)
            }
            let fresh: SelfSignedCertificates
            let reason: String
            do throws(TLSError) {
                switch RenewalDecision.decide(
                    data: secret.data, hostName: settings.hostName, now: Int64(time(nil)), renewBefore: settings.renewBefore)
                {
                case let .keep(certificates):
                    return certificates
                case let .reissueServingCertificate(current, why):
                    fresh = try current.reissuingLeaf(dnsNames: [settings.hostName])
                    reason = why
                case let .generate(why):
                    fresh = try SelfSignedCertificates.generate(dnsNames: [settings.hostName])
                    reason = why
                }
            } catch {
                throw .generation(error)
            }
            let result: KubeWriteResult
            do throws(KubeClientError) {
                result = try secrets.update(secret, setting: RenewalDecision.secretData(fresh))
            } catch {
                throw .secret(name: "\(settings.namespace)/\(settings.secretName)", error)
            }
            switch result {
            case .written:
                logger.info("wrote new certificates to the Secret", metadata: [
                    "reason": "\(reason)", "secret": "\(settings.namespace)/\(settings.secretName)", "host": "\(settings.hostName)"])
                return fresh
            case let .conflict(message):
                logger.info("another writer updated the Secret first; using what it wrote", metadata: ["message": "\(message)"])
            }
        }
        throw .tooManyConflicts("the Secret \(settings.namespace)/\(settings.secretName)")
    }

    /// Sets every webhook's caBundle in the configuration to `caCertificate` unless it already is.
    private func injectCABundle(_ caCertificate: [UInt8], monitor: CABundleMonitor) throws(CertificateRotationError) {
        for _ in 0..<Self.conflictRetries {
            let current: WebhookCABundles
            let result: KubeWriteResult
            do throws(KubeClientError) {
                current = try configurations.get()
                monitor.record(current)
                if current.caBundles.allSatisfy({ $0 == caCertificate }) { return }
                result = try configurations.injectCABundle(caCertificate, into: current)
            } catch {
                monitor.record(failure: error)
                throw .webhookConfiguration(name: settings.webhookConfigurationName, error)
            }
            switch result {
            case .written:
                logger.info("injected the CA into the caBundles", metadata: [
                    "mutatingWebhookConfiguration": "\(settings.webhookConfigurationName)", "webhooks": "\(current.caBundles.count)"])
            case let .conflict(message):
                logger.info("the MutatingWebhookConfiguration changed meanwhile; re-reading", metadata: ["message": "\(message)"])
            }
        }
        throw .tooManyConflicts("the MutatingWebhookConfiguration \(settings.webhookConfigurationName)")
    }
}
