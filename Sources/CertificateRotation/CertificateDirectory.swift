#if canImport(Glibc)
import Glibc
#endif
import WebhookPOSIX
import WebhookTLS

/// The `--webhook-cert-dir` as rotation sees it: a Secret volume the kubelet keeps up to date,
/// or a plain directory rotation writes `tls.crt` and `tls.key` into.
enum CertificateDirectory {
    /// Whether `directory` is a mounted Secret (or projected) volume: the kubelet's atomic writer
    /// keeps a `..data` symbolic link there, and the kubelet alone writes such a volume.
    static func isMountedVolume(_ directory: String) -> Bool {
        var info = stat()
        return lstat(directory + "/..data", &info) == 0
    }

    /// Writes the serving pair into `directory` unless it is already there, each file through a
    /// temporary file and a rename so that no reader sees half a file; the key is private (0600).
    ///
    /// - Returns: whether anything was written.
    /// - Throws: `SystemError.failed` naming the file that could not be written.
    static func write(_ certificates: SelfSignedCertificates, to directory: String) throws(SystemError) -> Bool {
        let files = [("tls.key", certificates.privateKeyPEM, mode_t(0o600)), ("tls.crt", certificates.certificateChainPEM, mode_t(0o644))]
        var wrote = false
        for (name, bytes, mode) in files where (try? FileBytes.read(directory + "/" + name)) != bytes {
            try replace(directory + "/" + name, with: bytes, mode: mode)
            wrote = true
        }
        return wrote
    }

    private static func replace(_ path: String, with bytes: [UInt8], mode: mode_t) throws(SystemError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .failed("open(\(temporary))") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = SystemError.failed("write(\(temporary))")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let error = SystemError.failed("fsync(\(temporary))")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = SystemError.failed("rename(\(temporary))")
            unlink(temporary)
            throw error
        }
    }
}
