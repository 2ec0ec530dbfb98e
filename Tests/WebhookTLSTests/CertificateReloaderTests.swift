import Foundation
import Synchronization
import Testing
import WebhookPOSIX
import WebhookTLS

/// A Secret volume laid out like the kubelet does: `tls.crt -> ..data/tls.crt`, `..data -> ..<version>`.
private struct SecretVolume {
    let directory: URL
    private var version = 0

    init() throws {
        directory = try temporaryDirectory()
    }

    /// Writes a new version and swaps the `..data` symlink atomically, as the kubelet does.
    mutating func publish(certificate: [UInt8], key: [UInt8]) throws {
        version += 1
        let manager = FileManager.default
        let versionName = "..2026_\(version)"
        let versionDirectory = directory.appendingPathComponent(versionName)
        try manager.createDirectory(at: versionDirectory, withIntermediateDirectories: true)
        try Data(certificate).write(to: versionDirectory.appendingPathComponent("tls.crt"))
        try Data(key).write(to: versionDirectory.appendingPathComponent("tls.key"))
        let temporaryLink = directory.appendingPathComponent("..data_tmp")
        try? manager.removeItem(at: temporaryLink)
        try manager.createSymbolicLink(atPath: temporaryLink.path, withDestinationPath: versionName)
        guard rename(temporaryLink.path, directory.appendingPathComponent("..data").path) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
        for name in ["tls.crt", "tls.key"] where !manager.fileExists(atPath: directory.appendingPathComponent(name).path) {
            try manager.createSymbolicLink(atPath: directory.appendingPathComponent(name).path, withDestinationPath: "..data/\(name)")
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

@Suite struct CertificateReloaderTests {
    private func isNil(_ result: Result<TLSContext, TLSError>?) -> Bool {
        if case .none = result { return true }
        return false
    }

    private func leaf(validityDays: Int) throws -> SelfSignedCertificates {
        try SelfSignedCertificates.generate(dnsNames: ["a.svc"], leafValidity: .seconds(validityDays * 86_400))
    }

    @Test func symlinkSwapPublishesANewContextAndBadPairsKeepTheOld() throws {
        var volume = try SecretVolume()
        defer { volume.remove() }
        let first = try leaf(validityDays: 1)
        try volume.publish(certificate: first.certificateChainPEM, key: first.privateKeyPEM)
        let initial = try TLSContext.server(
            certificateChainFile: volume.directory.appendingPathComponent("tls.crt").path,
            privateKeyFile: volume.directory.appendingPathComponent("tls.key").path, minimumVersion: .tls12)
        let reports = Mutex<[Bool]>([])
        let serving = ServingCertificate(CurrentTLSContext(initial), minimumVersion: .tls12) { event in
            reports.withLock { reports in
                if case .served = event { reports.append(true) } else { reports.append(false) }
            }
        }
        let current = serving.current
        let reloader = try CertificateReloader(directory: volume.directory.path, interval: .seconds(3600), serving: serving)

        #expect(isNil(reloader.checkNow()), "unchanged files: nothing to do")

        let second = try leaf(validityDays: 2)
        try volume.publish(certificate: second.certificateChainPEM, key: second.privateKeyPEM)
        let reloaded = try #require(try reloader.checkNow()?.get())
        #expect(current.load() === reloaded)
        #expect(reloaded.certificateExpiry == (try PEMCertificate.notAfter(second.certificateChainPEM)))

        let third = try leaf(validityDays: 3)
        try volume.publish(certificate: third.certificateChainPEM, key: second.privateKeyPEM)  // mismatched pair
        let failure = try #require(reloader.checkNow())
        #expect(throws: TLSError.self) { try failure.get() }
        #expect(current.load() === reloaded)  // the old context stays
        #expect(isNil(reloader.checkNow()))  // the same bad pair is not retried

        try volume.publish(certificate: third.certificateChainPEM, key: third.privateKeyPEM)
        #expect(try reloader.checkNow()?.get() === current.load())
        #expect(reports.withLock { $0 } == [true, false, true])
    }

    @Test func pollingThreadReloadsAndStops() throws {
        var volume = try SecretVolume()
        defer { volume.remove() }
        let first = try leaf(validityDays: 1)
        try volume.publish(certificate: first.certificateChainPEM, key: first.privateKeyPEM)
        let reloaded = try WakePipe()
        let serving = ServingCertificate(CurrentTLSContext(try TLSContext.server(
            certificateChainPEM: first.certificateChainPEM, privateKeyPEM: first.privateKeyPEM, minimumVersion: .tls12)),
            minimumVersion: .tls12) { _ in reloaded.signal() }
        let current = serving.current
        let reloader = try CertificateReloader(directory: volume.directory.path, interval: .milliseconds(20), serving: serving)
        try reloader.start()
        defer { reloader.stop() }
        let second = try leaf(validityDays: 2)
        try volume.publish(certificate: second.certificateChainPEM, key: second.privateKeyPEM)
        #expect(reloaded.wait(until: .now + .seconds(10)))
        #expect(current.load().certificateExpiry == (try PEMCertificate.notAfter(second.certificateChainPEM)))
    }
}
