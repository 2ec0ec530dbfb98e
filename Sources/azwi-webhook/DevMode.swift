#if canImport(Glibc)
import Glibc
#endif
import WebhookTLS

/// `serve --dev`: everything a developer needs to try the webhook on a laptop, with no cluster.
///
/// A throw-away CA and serving certificate for `localhost`/`127.0.0.1` in a fresh temporary
/// directory, the example ServiceAccounts, a placeholder tenant, and a `curl` line to paste.
enum DevMode {
    /// The tenant used when `AZURE_TENANT_ID` is unset.
    static let placeholderTenantID = "00000000-0000-0000-0000-000000000000"
    /// The ServiceAccounts loaded when `--service-accounts` is not given (relative to the current directory).
    static let defaultServiceAccounts = "examples/serviceaccount.yaml"

    /// Creates a new temporary directory holding `ca.crt`, `tls.crt` and `tls.key`.
    ///
    /// - Returns: the directory's path.
    static func makeCertificateDirectory() throws -> String {
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/azwi-webhook-dev-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ServeError("--dev: cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        try write(certificates.caCertificatePEM, to: directory + "/ca.crt", mode: 0o644)
        try write(certificates.certificateChainPEM, to: directory + "/tls.crt", mode: 0o644)
        try write(certificates.privateKeyPEM, to: directory + "/tls.key", mode: 0o600)
        return directory
    }

    /// Removes the directory made by `makeCertificateDirectory()`.
    static func removeCertificateDirectory(_ directory: String) {
        for name in ["ca.crt", "tls.crt", "tls.key"] { unlink(directory + "/" + name) }
        rmdir(directory)
    }

    /// The command that sends the example AdmissionReview to the running server.
    static func curlCommand(certificateDirectory: String, port: Int) -> String {
        "curl --cacert \(certificateDirectory)/ca.crt -H 'Content-Type: application/json' "
            + "--data @examples/admission-review.json https://127.0.0.1:\(port)\(AdmissionHandler.path)"
    }

    private static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw ServeError("--dev: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ServeError("--dev: cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
