public import WebhookPOSIX

/// Feeds the ``ServingCertificate`` from `tls.crt`/`tls.key` in a mounted Secret directory.
///
/// Every `interval` it reads both files and compares their bytes with the last pair it saw, which
/// is robust to Kubernetes swapping the `..data` symlink (modification times of the links lie).
/// A changed pair is offered to the serving certificate, which builds and swaps it. A read that
/// straddles a swap is noticed (the certificate is read again after the key) and left for the
/// next poll; a bad pair keeps the old context and is not offered again until the files change.
/// Runs on its own thread.
public final class CertificateReloader: Sendable {
    private let certificateFile: String
    private let keyFile: String
    private let interval: Duration
    private let serving: ServingCertificate
    private let stopSignal: WakePipe
    private let lastSeen: Locked<[UInt8]>

    /// - Parameters:
    ///   - directory: the folder holding `tls.crt` and `tls.key`.
    ///   - interval: time between two checks.
    ///   - serving: the owner every changed pair is offered to.
    public init(directory: String, interval: Duration, serving: ServingCertificate) throws(SystemError) {
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        certificateFile = folder + "/tls.crt"
        keyFile = folder + "/tls.key"
        self.interval = interval
        self.serving = serving
        stopSignal = try WakePipe()
        lastSeen = Locked((try? Self.snapshot(certificateFile, keyFile)) ?? [])
    }

    /// Starts the polling thread. The files as they were at `init` count as already loaded.
    public func start() throws(SystemError) {
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

    /// Reads the pair once and, if it changed, offers it to the serving certificate.
    ///
    /// - Returns: `nil` when nothing changed or the files were mid-swap, else the offer's outcome.
    @discardableResult
    public func checkNow() -> Result<TLSContext, TLSError>? {
        do throws(TLSError) {
            let certificate = try TLSError.carrying { () throws(SystemError) in try FileBytes.read(certificateFile) }
            let key = try TLSError.carrying { () throws(SystemError) in try FileBytes.read(keyFile) }
            // A swap between the two reads gives one file of each pair: read again next time.
            guard try TLSError.carrying({ () throws(SystemError) in try FileBytes.read(certificateFile) }) == certificate else { return nil }
            let pair = certificate + [0] + key
            let changed = lastSeen.withLock { seen in
                guard seen != pair else { return false }
                seen = pair
                return true
            }
            guard changed else { return nil }
            return serving.offer(certificateChainPEM: certificate, privateKeyPEM: key, from: .directory)
        } catch {
            serving.refuse(error, from: .directory)
            return .failure(error)
        }
    }

    private static func snapshot(_ certificateFile: String, _ keyFile: String) throws(SystemError) -> [UInt8] {
        try FileBytes.read(certificateFile) + [0] + FileBytes.read(keyFile)
    }
}
