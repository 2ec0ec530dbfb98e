// zlib, for gzip response bodies.
#include <zlib.h>
