internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Questions about PEM certificates that operators and rotation need answered without a TLS
/// connection: when does it expire, and does it chain to a given CA (the `caBundle` check).
public enum PEMCertificate {
    /// The notAfter of the first certificate in `pem`, in seconds since the Unix epoch.
    public static func notAfter(_ pem: [UInt8]) throws(TLSError) -> Int64 {
        let certificates = try PEM.certificates(pem, what: "certificate")
        defer { PEM.free(certificates) }
        guard let seconds = PEM.notAfter(certificates[0]) else {
            throw .openssl("ASN1_TIME_to_tm", detail: "unreadable notAfter")
        }
        return seconds
    }

    /// Checks that the first certificate of `chainPEM` (a leaf, then optional intermediates)
    /// chains to one of the CAs in `trustedCAPEM` and is valid now; with `hostName`, also that it
    /// names that host (or IP address).
    ///
    /// - Throws: `TLSError.openssl` with OpenSSL's verification message ("certificate has expired",
    ///   "unable to get local issuer certificate", "hostname mismatch", ...).
    public static func verify(chainPEM: [UInt8], trustedCAPEM: [UInt8], hostName: String? = nil) throws(TLSError) {
        let chain = try PEM.certificates(chainPEM, what: "certificate")
        defer { PEM.free(chain) }
        let authorities = try PEM.certificates(trustedCAPEM, what: "CA bundle")
        defer { PEM.free(authorities) }
        ERR_clear_error()
        guard let store = X509_STORE_new() else { throw .openssl("X509_STORE_new") }
        defer { X509_STORE_free(store) }
        for authority in authorities where X509_STORE_add_cert(store, authority) != 1 {
            throw .openssl("X509_STORE_add_cert")
        }
        guard let untrusted = OPENSSL_sk_new_null() else { throw .openssl("OPENSSL_sk_new_null") }
        defer { OPENSSL_sk_free(untrusted) }
        for intermediate in chain.dropFirst() {
            _ = OPENSSL_sk_push(untrusted, UnsafeRawPointer(intermediate))
        }
        guard let context = X509_STORE_CTX_new() else { throw .openssl("X509_STORE_CTX_new") }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, chain[0], untrusted) == 1 else { throw .openssl("X509_STORE_CTX_init") }
        if let hostName {
            let parameters = X509_STORE_CTX_get0_param(context)
            let accepted = TLSConnection.isIPLiteral(hostName)
                ? X509_VERIFY_PARAM_set1_ip_asc(parameters, hostName)
                : X509_VERIFY_PARAM_set1_host(parameters, hostName, 0)
            guard accepted == 1 else { throw .openssl("X509_VERIFY_PARAM_set1_host") }
        }
        guard X509_verify_cert(context) == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            ERR_clear_error()
            throw .openssl(operation: "X509_verify_cert", message: String(cString: X509_verify_cert_error_string(Int(code))))
        }
    }
}
