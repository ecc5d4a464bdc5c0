#ifndef CTALLYZLIB_SHIM_H
#define CTALLYZLIB_SHIM_H
// zlib (apt: zlib1g-dev), for reading gzip-compressed inputs. `inflateInit2` is a macro Swift
// cannot import: call it through this inline function.
#include <zlib.h>

static inline int ctally_inflate_init_gzip(z_stream *stream) {
    // 15 window bits + 16: a gzip header and trailer, not a raw or zlib stream.
    return inflateInit2(stream, 15 + 16);
}
#endif
