internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Reading PEM text into OpenSSL objects, and OpenSSL objects back into PEM text.
///
/// Every returned pointer is a new reference the caller frees (`X509_free`, `EVP_PKEY_free`).
enum PEM {
    /// Every certificate in `pem`, in order (leaf first for a chain).
    static func certificates(_ pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        ERR_clear_error()
        guard let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw .openssl("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        var result: [OpaquePointer] = []
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
            result.append(certificate)
        }
        ERR_clear_error()  // the loop always ends with a "no start line" entry
        guard !result.isEmpty else {
            throw .invalidConfiguration("\(what): no PEM certificate found")
        }
        return result
    }

    /// The private key in `pem` (PKCS#8, SEC1 EC or PKCS#1 RSA).
    static func privateKey(_ pem: [UInt8], what: String) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw .openssl("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw .openssl("\(what): PEM_read_bio_PrivateKey", detail: "no usable PEM private key")
        }
        return key
    }

    /// Frees certificates returned by `certificates(_:what:)`.
    static func free(_ certificates: [OpaquePointer]) {
        for certificate in certificates { X509_free(certificate) }
    }

    /// The PEM text of a certificate.
    static func encode(certificate: OpaquePointer) throws(TLSError) -> [UInt8] {
        try write("PEM_write_bio_X509") { PEM_write_bio_X509($0, certificate) }
    }

    /// The PKCS#8 PEM text of a private key, unencrypted.
    static func encode(privateKey: OpaquePointer) throws(TLSError) -> [UInt8] {
        try write("PEM_write_bio_PrivateKey") { PEM_write_bio_PrivateKey($0, privateKey, nil, nil, 0, nil, nil) }
    }

    private static func write(_ operation: String, _ body: (OpaquePointer) -> Int32) throws(TLSError) -> [UInt8] {
        ERR_clear_error()
        guard let bio = BIO_new(BIO_s_mem()) else { throw .openssl("BIO_new") }
        defer { BIO_free(bio) }
        guard body(bio) == 1 else { throw .openssl(operation) }
        let count = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(count)) }
        guard read == count else { throw .openssl("BIO_read") }
        return bytes
    }

    /// A certificate's notAfter, in seconds since the Unix epoch.
    static func notAfter(_ certificate: OpaquePointer) -> Int64? {
        guard let time = X509_get0_notAfter(certificate) else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Int64(timegm(&parts))
    }
}
