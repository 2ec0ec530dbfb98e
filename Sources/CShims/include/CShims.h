#ifndef CSHIMS_H
#define CSHIMS_H
#include <openssl/ssl.h>
#include <zlib.h>

// MARK: OpenSSL macro wrappers
// Function-like macros in OpenSSL 3 that Swift cannot import; each wrapper is one line.

/// Wraps the macro `SSL_CTX_set_min_proto_version`.
int CShims_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);

// MARK: zlib macro wrappers

/// Wraps the macro `deflateInit2` (it passes the library version and struct size for us).
int CShims_deflateInit2(z_stream *stream, int level, int method, int windowBits, int memLevel, int strategy);

#endif
