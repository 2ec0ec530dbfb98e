#ifndef CSHIMS_H
#define CSHIMS_H
#include <openssl/ssl.h>
#include <openssl/evp.h>
#include <zlib.h>

// MARK: OpenSSL macro wrappers
// Function-like macros in OpenSSL 3 that Swift cannot import; each wrapper is one line.

/// Wraps the macro `SSL_CTX_set_min_proto_version`.
int CShims_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);

/// Wraps the macro `SSL_CTX_set_mode`.
long CShims_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);

/// Wraps the macro `SSL_CTX_set_read_ahead` (read whole socket buffers, not record by record).
long CShims_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes);

/// Wraps the macro `SSL_set_tlsext_host_name` (SNI on a client connection).
int CShims_SSL_set_tlsext_host_name(SSL *ssl, const char *name);

/// Wraps the macro `SSL_CTX_add1_chain_cert` (adds an intermediate certificate; takes its own reference).
int CShims_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *cert);

/// Wraps the macro `EVP_EC_gen` (a variadic call underneath) for the P-256 curve.
EVP_PKEY *CShims_EVP_EC_gen_P256(void);

// MARK: OpenSSL option constants
// `SSL_OP_*` are built with `SSL_OP_BIT(n)`, which Swift cannot import; these constants import fine.

/// `SSL_OP_NO_COMPRESSION`.
static const uint64_t CShims_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
/// `SSL_OP_NO_RENEGOTIATION`.
static const uint64_t CShims_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
/// `SSL_OP_NO_TICKET`.
static const uint64_t CShims_SSL_OP_NO_TICKET = SSL_OP_NO_TICKET;
/// `SSL_OP_IGNORE_UNEXPECTED_EOF`.
static const uint64_t CShims_SSL_OP_IGNORE_UNEXPECTED_EOF = SSL_OP_IGNORE_UNEXPECTED_EOF;

// MARK: ALPN
// The one piece of logic in C: a server ALPN selector, so no Swift closure crosses into OpenSSL.

/// Server ALPN callback for `SSL_CTX_set_alpn_select_cb`: selects "http/1.1" when offered, never h2;
/// a client that offers protocols but not "http/1.1" (e.g. h2 only) gets the fatal
/// no_application_protocol alert, as RFC 7301 §3.2 says. A client offering no ALPN is not called for.
int CShims_alpn_select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                              const unsigned char *in, unsigned int inlen, void *arg);

// MARK: zlib macro wrappers

/// Wraps the macro `deflateInit2` (it passes the library version and struct size for us).
int CShims_deflateInit2(z_stream *stream, int level, int method, int windowBits, int memLevel, int strategy);

/// Wraps the macro `inflateInit2` (tests inflate gzip bodies with it).
int CShims_inflateInit2(z_stream *stream, int windowBits);

// MARK: libc

/// `accept4(fd, NULL, NULL, flags)`: glibc declares `accept4` only under `_GNU_SOURCE`, which
/// Swift's Glibc module does not define. With `SOCK_NONBLOCK | SOCK_CLOEXEC` it saves the
/// server three `fcntl` calls per connection.
int CShims_accept4(int fd, int flags);

/// `mallopt(M_MMAP_THRESHOLD, bytes)`: `<malloc.h>` is not part of Swift's Glibc module.
int CShims_mallopt_mmap_threshold(int bytes);

#endif
