internal import COpenSSL
internal import CShims
import WebhookPOSIX

/// One fully configured OpenSSL context (`SSL_CTX`), server or client side.
///
/// Built completely (certificate, key check, versions, ALPN) before anyone sees it, and never
/// mutated afterwards: that is what makes it safe to share between connection threads
/// (`@unchecked Sendable`) and to swap atomically on certificate reload. Each `SSL` made from it
/// keeps its own reference, so dropping a context never disturbs open connections.
public final class TLSContext: @unchecked Sendable {
    /// The owned `SSL_CTX *`.
    let raw: OpaquePointer
    /// Whether this is a server context (accepts) or a client context (connects).
    let isServer: Bool
    /// The leaf certificate's notAfter in seconds since the epoch, for an expiry metric; `nil`
    /// for a client context without a client certificate.
    public let certificateExpiry: Int64?
    /// The PEM chain a server context presents, so that a `caBundle` can be checked against the
    /// certificate actually being served; `nil` for a client context.
    public let certificateChainPEM: [UInt8]?

    private init(raw: OpaquePointer, isServer: Bool, certificateExpiry: Int64?, certificateChainPEM: [UInt8]? = nil) {
        self.raw = raw
        self.isServer = isServer
        self.certificateExpiry = certificateExpiry
        self.certificateChainPEM = certificateChainPEM
    }

    deinit { SSL_CTX_free(raw) }

    /// A server context from PEM files: the chain file holds the leaf first, then intermediates.
    ///
    /// - Throws: `TLSError` naming the file or the OpenSSL failure (unreadable file, no
    ///   certificate, key not matching the certificate).
    public static func server(certificateChainFile: String, privateKeyFile: String, minimumVersion: TLSVersion) throws(TLSError) -> TLSContext {
        let chain = try TLSError.carrying { () throws(SystemError) in try FileBytes.read(certificateChainFile) }
        let key = try TLSError.carrying { () throws(SystemError) in try FileBytes.read(privateKeyFile) }
        return try server(certificateChainPEM: chain, privateKeyPEM: key, minimumVersion: minimumVersion)
    }

    /// A server context from PEM bytes: ALPN selects http/1.1 (never h2), TLS 1.2 suites limited to
    /// ECDHE with AEAD ciphers, no compression, no renegotiation, no session tickets, a peer closing without close_notify is a clean end of stream.
    public static func server(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8], minimumVersion: TLSVersion) throws(TLSError) -> TLSContext {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .openssl("SSL_CTX_new") }
        let context = TLSContext(raw: ctx, isServer: true, certificateExpiry: try configure(ctx, minimumVersion: minimumVersion) { () throws(TLSError) in
            try useCertificate(ctx, chainPEM: certificateChainPEM, keyPEM: privateKeyPEM)
        }, certificateChainPEM: certificateChainPEM)
        SSL_CTX_set_alpn_select_cb(ctx, CShims_alpn_select_http11, nil)
        // TLS 1.2 (only with --tls-min-version 1.2): forward-secret AEAD suites only, as Go's
        // clients prefer; no CBC, no RSA key exchange. TLS 1.3 suites are all AEAD already.
        guard SSL_CTX_set_cipher_list(ctx, Self.tls12CipherSuites) == 1 else { throw .openssl("SSL_CTX_set_cipher_list") }
        // No session tickets: the API server's Go client has no session cache (nil
        // ClientSessionCache), so every ticket would be encrypted and sent for nothing.
        _ = SSL_CTX_set_options(ctx, CShims_SSL_OP_NO_TICKET)
        _ = SSL_CTX_set_num_tickets(ctx, 0)
        return context
    }

    /// The TLS 1.2 suites a server offers: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305.
    static let tls12CipherSuites = "ECDHE+AESGCM:ECDHE+CHACHA20"

    /// A client context (TLS 1.2 or later, ALPN http/1.1).
    ///
    /// - Parameters:
    ///   - trustedCAPEM: the certificate authorities to trust; `nil` uses the system store.
    ///   - clientCertificatePEM: a client certificate chain to present, with `clientKeyPEM`.
    ///   - clientKeyPEM: the client certificate's private key.
    ///   - verifyPeer: `false` accepts any server certificate (only for `insecure-skip-tls-verify`).
    public static func client(trustedCAPEM: [UInt8]?, clientCertificatePEM: [UInt8]?, clientKeyPEM: [UInt8]?, verifyPeer: Bool) throws(TLSError) -> TLSContext {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .openssl("SSL_CTX_new") }
        let expiry = try configure(ctx, minimumVersion: .tls12) { () throws(TLSError) -> Int64? in
            switch (clientCertificatePEM, clientKeyPEM) {
            case let (certificate?, key?):
                return try useCertificate(ctx, chainPEM: certificate, keyPEM: key)
            case (nil, nil):
                return nil
            default:
                throw .invalidConfiguration("a client certificate needs both the certificate and its key")
            }
        }
        let context = TLSContext(raw: ctx, isServer: false, certificateExpiry: expiry)
        if let trustedCAPEM {
            let authorities = try PEM.certificates(trustedCAPEM, what: "trusted CA")
            defer { PEM.free(authorities) }
            let store = SSL_CTX_get_cert_store(ctx)
            for authority in authorities where X509_STORE_add_cert(store, authority) != 1 {
                throw .openssl("X509_STORE_add_cert")
            }
        } else if SSL_CTX_set_default_verify_paths(ctx) != 1 {
            throw .openssl("SSL_CTX_set_default_verify_paths")
        }
        SSL_CTX_set_verify(ctx, verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        let http11: [UInt8] = [8] + Array("http/1.1".utf8)
        guard SSL_CTX_set_alpn_protos(ctx, http11, UInt32(http11.count)) == 0 else {  // 0 is success here
            throw .openssl("SSL_CTX_set_alpn_protos")
        }
        return context
    }

    /// Settings both sides share; frees `ctx` if `body` or a setting fails.
    private static func configure(
        _ ctx: OpaquePointer, minimumVersion: TLSVersion, _ body: () throws(TLSError) -> Int64?
    ) throws(TLSError) -> Int64? {
        do throws(TLSError) {
            guard CShims_SSL_CTX_set_min_proto_version(ctx, minimumVersion.openSSLVersion) == 1 else {
                throw TLSError.openssl("SSL_CTX_set_min_proto_version")
            }
            _ = SSL_CTX_set_options(ctx, CShims_SSL_OP_NO_COMPRESSION | CShims_SSL_OP_NO_RENEGOTIATION | CShims_SSL_OP_IGNORE_UNEXPECTED_EOF)
            // Partial writes let one write loop make progress; a moving buffer is allowed because a
            // retried SSL_write from Swift may see the array's storage at a new address. Released
            // buffers keep an idle connection's record buffers (~34 KiB) out of memory.
            _ = CShims_SSL_CTX_set_mode(
                ctx, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
            // One read(2) per socket buffer instead of one per record header and body.
            _ = CShims_SSL_CTX_set_read_ahead(ctx, 1)
            return try body()
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
    }

    /// Installs a certificate chain and its key, checks they match, returns the leaf's notAfter.
    private static func useCertificate(_ ctx: OpaquePointer, chainPEM: [UInt8], keyPEM: [UInt8]) throws(TLSError) -> Int64? {
        let chain = try PEM.certificates(chainPEM, what: "certificate chain")
        defer { PEM.free(chain) }
        let key = try PEM.privateKey(keyPEM, what: "private key")
        defer { EVP_PKEY_free(key) }
        ERR_clear_error()
        guard SSL_CTX_use_certificate(ctx, chain[0]) == 1 else { throw .openssl("SSL_CTX_use_certificate") }
        for intermediate in chain.dropFirst() where CShims_SSL_CTX_add1_chain_cert(ctx, intermediate) != 1 {
            throw .openssl("SSL_CTX_add1_chain_cert")
        }
        guard X509_check_private_key(chain[0], key) == 1 else {
            throw .openssl("X509_check_private_key", detail: "the private key does not match the certificate")
        }
        guard SSL_CTX_use_PrivateKey(ctx, key) == 1 else { throw .openssl("SSL_CTX_use_PrivateKey") }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw .openssl("SSL_CTX_check_private_key", detail: "the private key does not match the certificate")
        }
        return PEM.notAfter(chain[0])
    }
}
