
/// Keeps a `CurrentTLSContext` in step with `tls.crt`/`tls.key` in a mounted Secret directory.
///
/// Every `interval` it reads both files and compares their bytes with the last pair it saw, which
/// is robust to Kubernetes swapping the `..data` symlink (modification times of the links lie).
/// A changed pair is turned into a complete new context first; only then is it published. A read
/// that straddles a swap is noticed (the certificate is read again after the key) and left for the
/// next poll; a bad pair (the key does not match) keeps the old context, `onReload` hears the
/// failure, and the next change is tried again. Runs on its own thread.
public final class CertificateReloader: Sendable {
    private let certificateFile: String
    private let keyFile: String
    private let interval: Duration
    private let minimumVersion: TLSVersion
    private let target: CurrentTLSContext
    private let onReload: @Sendable (Result<TLSContext, TLSError>) -> Void
    private let stopSignal: WakePipe
    private let lastSeen: Locked<[UInt8]>

    /// - Parameters:
    ///   - directory: the folder holding `tls.crt` and `tls.key`.
    ///   - interval: time between two checks.
    ///   - target: the box the server's acceptor loads contexts from.
    ///   - onReload: told about each reload attempt, for logs and metrics (called on the reloader thread).
    public init(
        directory: String, interval: Duration, minimumVersion: TLSVersion, target: CurrentTLSContext,
        onReload: @escaping @Sendable (Result<TLSContext, TLSError>) -> Void
    ) throws(TLSError) {
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        certificateFile = folder + "/tls.crt"
        keyFile = folder + "/tls.key"
        self.interval = interval
        self.minimumVersion = minimumVersion
        self.target = target
        self.onReload = onReload
        stopSignal = try WakePipe()
        lastSeen = Locked((try? Self.snapshot(certificateFile, keyFile)) ?? [])
    }

    /// Starts the polling thread. The files as they were at `init` count as already loaded.
    public func start() throws(TLSError) {
        try OwnedThread.start { [self] in
            var next = ContinuousClock.now + interval
            while !stopSignal.wait(until: next) {
                checkNow()
                next = ContinuousClock.now + interval
            }
        }
    }

    /// Stops the polling thread (it exits within one poll wake-up).
    public func stop() {
        stopSignal.signal()
    }

    /// Reads the pair once and, if it changed, tries to publish a context built from it.
    ///
    /// - Returns: `nil` when nothing changed or the files were mid-swap, else what `onReload` was told.
    @discardableResult
    public func checkNow() -> Result<TLSContext, TLSError>? {
        let outcome: Result<TLSContext, TLSError>
        do throws(TLSError) {
            let certificate = try FileBytes.read(certificateFile)
            let key = try FileBytes.read(keyFile)
            // A swap between the two reads gives one file of each pair: read again next time.
            guard try FileBytes.read(certificateFile) == certificate else { return nil }
            let pair = certificate + [0] + key
            let changed = lastSeen.withLock { seen in
                guard seen != pair else { return false }
                seen = pair
                return true
            }
            guard changed else { return nil }
            let context = try TLSContext.server(certificateChainPEM: certificate, privateKeyPEM: key, minimumVersion: minimumVersion)
            target.replace(with: context)
            outcome = .success(context)
        } catch {
            outcome = .failure(error)
        }
        onReload(outcome)
        return outcome
    }

    private static func snapshot(_ certificateFile: String, _ keyFile: String) throws(TLSError) -> [UInt8] {
        try FileBytes.read(certificateFile) + [0] + FileBytes.read(keyFile)
    }
}
