// The Swift compiler cannot expand C macros, so this file does it for the macros we use.
#include "CShims.h"

// MARK: OpenSSL macro wrappers

int CShims_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

// MARK: zlib macro wrappers

int CShims_deflateInit2(z_stream *stream, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}
