// The Swift compiler cannot expand C macros, so this file does it for the macros we use.
#define _GNU_SOURCE  // for accept4
#include <malloc.h>
#include <sys/socket.h>
#include "CShims.h"

// MARK: OpenSSL macro wrappers

int CShims_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

long CShims_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

long CShims_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes) {
    return SSL_CTX_set_read_ahead(ctx, yes);
}

int CShims_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

int CShims_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return (int)SSL_CTX_add1_chain_cert(ctx, cert);
}

EVP_PKEY *CShims_EVP_EC_gen_P256(void) {
    return EVP_EC_gen("P-256");
}

// MARK: ALPN

static const unsigned char kHTTP11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

int CShims_alpn_select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                              const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    (void)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, kHTTP11, sizeof(kHTTP11), in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        // OpenSSL answers this with the no_application_protocol alert (RFC 7301 §3.2).
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

// MARK: zlib macro wrappers

int CShims_deflateInit2(z_stream *stream, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}

int CShims_inflateInit2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

// MARK: libc

int CShims_accept4(int fd, int flags) {
    return accept4(fd, NULL, NULL, flags);
}

int CShims_mallopt_mmap_threshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}
