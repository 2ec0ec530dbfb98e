internal import COpenSSL
internal import CShims
#if canImport(Glibc)
import Glibc
#endif

/// A certificate authority and a serving certificate it signed, as PEM bytes.
///
/// Built-in rotation keeps one in the webhook's Secret (and re-issues the leaf from the same CA),
/// dev mode serves with a throw-away one, and tests use it instead of committed keys. The CA is
/// upstream's (CN `azure-workload-identity-ca`, O `azure-workload-identity`). Keys are ECDSA P-256
/// (a handshake costs one cheap signature); the leaf carries every name in its subjectAltName,
/// `serverAuth`, and its first name as common name, cut to the 64 characters X.509 allows.
public struct SelfSignedCertificates: Sendable, Equatable {
    /// The CA certificate: what a client (or a webhook `caBundle`) trusts.
    public let caCertificatePEM: [UInt8]
    /// The CA's private key, kept to re-issue leaves.
    public let caPrivateKeyPEM: [UInt8]
    /// The leaf certificate (the chain a server presents).
    public let certificateChainPEM: [UInt8]
    /// The leaf's private key.
    public let privateKeyPEM: [UInt8]

    /// Ten years, the default CA lifetime.
    public static let defaultCAValidity = Duration.seconds(10 * 365 * 86_400)
    /// One year, the default leaf lifetime.
    public static let defaultLeafValidity = Duration.seconds(365 * 86_400)
    /// The CA's common name, upstream's.
    public static let caCommonName = "azure-workload-identity-ca"
    /// The CA's organization, upstream's.
    public static let caOrganization = "azure-workload-identity"

    /// Generates a new CA and a leaf for `dnsNames` and `ipAddresses`.
    ///
    /// - Parameters:
    ///   - dnsNames: host names for the subjectAltName (e.g. `svc.ns.svc`); the first is the CN.
    ///   - ipAddresses: IPv4/IPv6 literals for the subjectAltName.
    ///   - clientAuth: also allow the leaf as a TLS client certificate.
    /// - Throws: `TLSError.invalidConfiguration` for a malformed name or address, or no name at all.
    public static func generate(
        dnsNames: [String], ipAddresses: [String] = [],
        caValidity: Duration = defaultCAValidity, leafValidity: Duration = defaultLeafValidity,
        clientAuth: Bool = false
    ) throws(TLSError) -> SelfSignedCertificates {
        let caKey = try newKey()
        defer { EVP_PKEY_free(caKey) }
        let ca = try build(
            subject: [("O", caOrganization), ("CN", caCommonName)], key: caKey, issuer: nil, issuerKey: caKey, validity: caValidity,
            extensions: [
                (NID_basic_constraints, "critical,CA:TRUE"),
                (NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"),
                (NID_subject_key_identifier, "hash"),
            ])
        defer { X509_free(ca) }
        let caPEM = try PEM.encode(certificate: ca)
        let caKeyPEM = try PEM.encode(privateKey: caKey)
        return try issue(ca: ca, caKey: caKey, caPEM: caPEM, caKeyPEM: caKeyPEM, dnsNames: dnsNames,
                         ipAddresses: ipAddresses, validity: leafValidity, clientAuth: clientAuth)
    }

    /// Issues a fresh leaf (new key) from this CA, for rotation before the current leaf expires.
    public func reissuingLeaf(
        dnsNames: [String], ipAddresses: [String] = [], leafValidity: Duration = defaultLeafValidity, clientAuth: Bool = false
    ) throws(TLSError) -> SelfSignedCertificates {
        let cas = try PEM.certificates(caCertificatePEM, what: "CA certificate")
        defer { PEM.free(cas) }
        let caKey = try PEM.privateKey(caPrivateKeyPEM, what: "CA private key")
        defer { EVP_PKEY_free(caKey) }
        return try Self.issue(ca: cas[0], caKey: caKey, caPEM: caCertificatePEM, caKeyPEM: caPrivateKeyPEM, dnsNames: dnsNames,
                              ipAddresses: ipAddresses, validity: leafValidity, clientAuth: clientAuth)
    }

    /// Certificates read back from storage (a Secret); nothing is checked here: see ``checkAuthority()`` and ``checkServingCertificate(hostName:)``.
    public init(caCertificatePEM: [UInt8], caPrivateKeyPEM: [UInt8], certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.caCertificatePEM = caCertificatePEM
        self.caPrivateKeyPEM = caPrivateKeyPEM
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }

    private static func issue(
        ca: OpaquePointer, caKey: OpaquePointer, caPEM: [UInt8], caKeyPEM: [UInt8], dnsNames: [String], ipAddresses: [String],
        validity: Duration, clientAuth: Bool
    ) throws(TLSError) -> SelfSignedCertificates {
        let subjectAltName = try subjectAltName(dnsNames: dnsNames, ipAddresses: ipAddresses)
        let key = try newKey()
        defer { EVP_PKEY_free(key) }
        let leaf = try build(
            subject: [("CN", commonName(dnsNames.first ?? ipAddresses[0]))], key: key, issuer: ca, issuerKey: caKey, validity: validity,
            extensions: [
                (NID_basic_constraints, "critical,CA:FALSE"),
                (NID_key_usage, "critical,digitalSignature"),
                (NID_ext_key_usage, clientAuth ? "serverAuth,clientAuth" : "serverAuth"),
                (NID_subject_key_identifier, "hash"),
                (NID_authority_key_identifier, "keyid:always"),
                (NID_subject_alt_name, subjectAltName),
            ])
        defer { X509_free(leaf) }
        return SelfSignedCertificates(
            caCertificatePEM: caPEM, caPrivateKeyPEM: caKeyPEM,
            certificateChainPEM: try PEM.encode(certificate: leaf), privateKeyPEM: try PEM.encode(privateKey: key))
    }

    /// The leaf's common name: `name` cut to 64 characters (X.509's upper bound; clients match the
    /// subjectAltName, not the CN, so a cut name still verifies).
    static func commonName(_ name: String) -> String {
        String(name.prefix(64))
    }

    /// The subjectAltName configuration text, after checking every entry.
    private static func subjectAltName(dnsNames: [String], ipAddresses: [String]) throws(TLSError) -> String {
        guard !dnsNames.isEmpty || !ipAddresses.isEmpty else {
            throw .invalidConfiguration("a certificate needs at least one DNS name or IP address")
        }
        var entries: [String] = []
        for name in dnsNames {
            let allowed = name.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x2E || byte == 0x2A
            }
            guard allowed, !name.isEmpty, name.utf8.count <= 253 else {
                throw .invalidConfiguration("\"\(name)\" is not a valid DNS name for a certificate")
            }
            entries.append("DNS:\(name)")
        }
        for address in ipAddresses {
            guard TLSConnection.isIPLiteral(address) else {
                throw .invalidConfiguration("\"\(address)\" is not an IP address")
            }
            entries.append("IP:\(address)")
        }
        return entries.joined(separator: ",")
    }

    private static func newKey() throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let key = CShims_EVP_EC_gen_P256() else { throw .openssl("EVP_EC_gen") }
        return key
    }

    /// Builds and signs one certificate; `issuer == nil` makes it self-signed.
    private static func build(
        subject: [(String, String)], key: OpaquePointer, issuer: OpaquePointer?, issuerKey: OpaquePointer, validity: Duration,
        extensions: [(Int32, String)]
    ) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let certificate = X509_new() else { throw .openssl("X509_new") }
        do throws(TLSError) {
            guard X509_set_version(certificate, 2) == 1 else { throw .openssl("X509_set_version") }
            try setRandomSerial(certificate)
            let seconds = Int(validity.components.seconds)
            guard X509_gmtime_adj(X509_getm_notBefore(certificate), -300) != nil,
                  X509_gmtime_adj(X509_getm_notAfter(certificate), seconds) != nil
            else { throw .openssl("X509_gmtime_adj") }
            guard X509_set_pubkey(certificate, key) == 1 else { throw .openssl("X509_set_pubkey") }
            let name = X509_get_subject_name(certificate)
            for (field, value) in subject where X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, value, -1, -1, 0) != 1 {
                throw .openssl("X509_NAME_add_entry_by_txt(\(field))")
            }
            let issuerName = issuer.map { X509_get_subject_name($0) } ?? name
            guard X509_set_issuer_name(certificate, issuerName) == 1 else { throw .openssl("X509_set_issuer_name") }
            var v3 = X509V3_CTX()
            X509V3_set_ctx(&v3, issuer ?? certificate, certificate, nil, nil, 0)
            for (nid, value) in extensions {
                guard let ext = X509V3_EXT_conf_nid(nil, &v3, nid, value) else { throw .openssl("X509V3_EXT_conf_nid(\(value))") }
                defer { X509_EXTENSION_free(ext) }
                guard X509_add_ext(certificate, ext, -1) == 1 else { throw .openssl("X509_add_ext") }
            }
            guard X509_sign(certificate, issuerKey, EVP_sha256()) > 0 else { throw .openssl("X509_sign") }
            return certificate
        } catch {
            X509_free(certificate)
            throw error
        }
    }

    private static func setRandomSerial(_ certificate: OpaquePointer) throws(TLSError) {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else { throw .openssl("RAND_bytes") }
        bytes[0] &= 0x7F
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw .openssl("BN_bin2bn") }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil else { throw .openssl("BN_to_ASN1_INTEGER") }
    }
}
