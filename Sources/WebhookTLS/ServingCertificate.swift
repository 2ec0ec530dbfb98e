import WebhookPOSIX

/// The one owner of the serving certificate: every feed (the mounted certificate directory,
/// built-in rotation's Secret) offers it PEM bytes, and it alone builds the TLS context, swaps it
/// in for new connections and reports what happened.
///
/// The pair being served is not built again, so two feeds delivering the same renewal (rotation
/// writes the Secret the directory mounts) swap once.
public final class ServingCertificate: Sendable {
    /// Where an offered pair came from, for the report.
    public enum Source: Sendable, Equatable {
        case directory, secret
    }

    /// What happened to an offer.
    public enum Event: Sendable {
        /// A new context is served to new connections.
        case served(TLSContext, from: Source)
        /// The pair could not be used (unreadable, or the key does not match); the old context stays.
        case refused(TLSError, from: Source)
    }

    /// The context the webhook listener makes each new connection with.
    public let current: CurrentTLSContext
    private let minimumVersion: TLSVersion
    private let report: @Sendable (Event) -> Void
    /// The served context's private key, when known: with its chain, what identifies the served pair.
    private let servedKey: Locked<[UInt8]?>

    /// - Parameters:
    ///   - current: the box the listener loads contexts from, holding the context loaded at start
    ///     (not reported: the caller logs its own start).
    ///   - privateKeyPEM: that context's key, if known (an offer of the same pair is then a no-op).
    ///   - minimumVersion: the lowest TLS version every later context accepts.
    ///   - report: told about every served or refused pair, for logs and metrics.
    public init(
        _ current: CurrentTLSContext, privateKeyPEM: [UInt8]? = nil, minimumVersion: TLSVersion,
        report: @escaping @Sendable (Event) -> Void
    ) {
        self.current = current
        servedKey = Locked(privateKeyPEM)
        self.minimumVersion = minimumVersion
        self.report = report
    }

    /// Builds a context from `chain` and `key` and serves it, unless that pair is already served.
    ///
    /// - Returns: nil when nothing changed, else the new context or why the pair was refused.
    @discardableResult
    public func offer(certificateChainPEM chain: [UInt8], privateKeyPEM key: [UInt8], from source: Source) -> Result<TLSContext, TLSError>? {
        guard current.load().certificateChainPEM != chain || servedKey.withLock({ $0 }) != key else { return nil }
        do throws(TLSError) {
            let context = try TLSContext.server(certificateChainPEM: chain, privateKeyPEM: key, minimumVersion: minimumVersion)
            current.replace(with: context)
            servedKey.withLock { $0 = key }
            report(.served(context, from: source))
            return .success(context)
        } catch {
            report(.refused(error, from: source))
            return .failure(error)
        }
    }

    /// Reports a feed that could not even read its pair; the old context stays.
    public func refuse(_ error: TLSError, from source: Source) {
        report(.refused(error, from: source))
    }
}
