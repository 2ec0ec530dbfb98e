internal import COpenSSL

extension SelfSignedCertificates {
    /// Checks the CA half: the key belongs to the certificate, and the certificate is a CA.
    ///
    /// - Throws: `TLSError` saying what is wrong (unparsable PEM, key mismatch, not a CA).
    public func checkAuthority() throws(TLSError) {
        try Self.checkKey(certificatePEM: caCertificatePEM, keyPEM: caPrivateKeyPEM, what: "CA")
        let authorities = try PEM.certificates(caCertificatePEM, what: "CA certificate")
        defer { PEM.free(authorities) }
        guard X509_check_ca(authorities[0]) != 0 else {
            throw .invalidConfiguration("the CA certificate is not a certificate authority")
        }
    }

    /// Checks the serving half: the key belongs to the leaf, and the leaf chains to the CA, is
    /// valid now and names `hostName`.
    ///
    /// Built-in rotation runs both checks on what it reads from the Secret: anything that fails is
    /// replaced rather than served.
    ///
    /// - Throws: `TLSError` saying what is wrong (unparsable PEM, key mismatch, OpenSSL's
    ///   verification message such as "certificate has expired" or "hostname mismatch").
    public func checkServingCertificate(hostName: String) throws(TLSError) {
        try Self.checkKey(certificatePEM: certificateChainPEM, keyPEM: privateKeyPEM, what: "serving")
        try PEMCertificate.verify(chainPEM: certificateChainPEM, trustedCAPEM: caCertificatePEM, hostName: hostName)
    }

    private static func checkKey(certificatePEM: [UInt8], keyPEM: [UInt8], what: String) throws(TLSError) {
        let certificates = try PEM.certificates(certificatePEM, what: "\(what) certificate")
        defer { PEM.free(certificates) }
        let key = try PEM.privateKey(keyPEM, what: "\(what) private key")
        defer { EVP_PKEY_free(key) }
        ERR_clear_error()
        guard X509_check_private_key(certificates[0], key) == 1 else {
            ERR_clear_error()
            throw .invalidConfiguration("the \(what) private key does not match the \(what) certificate")
        }
    }
}
