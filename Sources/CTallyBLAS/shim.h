#ifndef CTALLYBLAS_SHIM_H
#define CTALLYBLAS_SHIM_H
// OpenBLAS's cblas.h (a superset of netlib CBLAS, with openblas_set_num_threads and friends)
// and netlib's lapacke.h (Debian's OpenBLAS is built without LAPACKE).
// `lapack_int` is a macro Swift cannot import: use Int32 (LP64 build).
#include <cblas.h>
#include <lapacke.h>
#endif
