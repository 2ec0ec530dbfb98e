public import KubeClient
public import Logging
import WebhookPOSIX

/// The MutatingWebhookConfiguration's caBundles as last read, judged against the certificate
/// being served right now.
///
/// Fed by a watch on the configuration (and by the rotator's own reads); asked by `/readyz` and
/// by the metrics scrape. Each answer is computed at the time of asking, so a serving certificate
/// reloaded a moment ago is judged, not the one that was loaded when the caBundle was read.
public final class CABundleMonitor: Sendable {
    private enum State: Sendable {
        case unknown(String)
        case read([[UInt8]])
    }

    private let hostName: String
    private let servingChain: @Sendable () -> [UInt8]?
    private let logger: Logger
    private let state = Locked<State>(.unknown("the MutatingWebhookConfiguration has not been read yet"))
    /// The last verdict logged, so each change is logged once.
    private let lastLogged = Locked<CABundleVerdict?>(nil)

    /// - Parameters:
    ///   - hostName: the name the serving certificate is checked for (`<service>.<namespace>.svc`).
    ///   - servingChain: the PEM chain being served now.
    public init(hostName: String, servingChain: @escaping @Sendable () -> [UInt8]?, logger: Logger) {
        self.hostName = hostName
        self.servingChain = servingChain
        self.logger = logger
    }

    /// Records the caBundles just read.
    public func record(_ bundles: WebhookCABundles) {
        state.withLock { $0 = .read(bundles.caBundles) }
        logIfChanged()
    }

    /// Records that the configuration cannot be read (forbidden, missing, deleted), and why.
    public func recordUnreadable(_ reason: String) {
        state.withLock { $0 = .unknown(reason) }
        logIfChanged()
    }

    /// Whether the caBundles verify the serving certificate now.
    public func verdict() -> CABundleVerdict {
        switch state.withLock({ $0 }) {
        case let .unknown(reason): .fails(reason)
        case let .read(bundles): CABundleVerdict.check(caBundles: bundles, servingChain: servingChain(), hostName: hostName)
        }
    }

    /// Records what a watch event line says: the new caBundles, or that the configuration was deleted.
    public func record(eventLine line: [UInt8]) {
        do throws(KubeClientError) {
            let (type, bundles) = try WebhookCABundles.decodeEvent(line)
            if let bundles { record(bundles) } else { recordUnreadable("the MutatingWebhookConfiguration was \(type.lowercased())") }
        } catch {
            logger.warning("undecodable MutatingWebhookConfiguration event", metadata: ["error": "\(error)"])
        }
    }

    /// Records a failed read or watch: a refusal (403, 404) makes the state unknown; a transport
    /// failure keeps the last state, since the configuration has most likely not changed.
    public func record(failure error: KubeClientError) {
        if case let .status(code, message) = error, code == 403 || code == 404 {
            recordUnreadable("reading the MutatingWebhookConfiguration failed with HTTP \(code): \(message)")
        }
    }

    /// A watch of the configuration that keeps this monitor current (not started yet).
    ///
    /// - Parameter onChange: also called after each change is recorded (rotation re-checks then).
    public func watch(transport: any KubeTransport, name: String, onChange: @escaping @Sendable () -> Void = {}) throws(KubeClientError) -> NamedObjectWatcher {
        try NamedObjectWatcher(transport: transport, collectionPath: WebhookConfigurationClient.collectionPath, name: name) { [self] event in
            switch event {
            case let .changed(line):
                record(eventLine: line)
                onChange()
            case let .failed(error):
                record(failure: error)
                logger.warning("watching the MutatingWebhookConfiguration failed; retrying", metadata: ["name": "\(name)", "error": "\(error)"])
            }
        }
    }

    private func logIfChanged() {
        let current = verdict()
        let changed = lastLogged.withLock { last in
            defer { last = current }
            return last != current
        }
        guard changed else { return }
        switch current {
        case .verifies:
            logger.info("the webhook configuration's caBundle verifies the serving certificate")
        case let .fails(reason):
            logger.error("the webhook configuration's caBundle does not verify the serving certificate: the API server cannot call this webhook",
                         metadata: ["reason": "\(reason)"])
        }
    }
}
