/*
 * STREAM-like memory bandwidth probe for Benchmarks/compare_ds.py (compiled there with cc -O2).
 *
 *   stream_bw MIB_PER_ARRAY REPEATS MAX_THREADS
 *
 * Three arrays of doubles, MIB_PER_ARRAY MiB each (the caller makes them >= 4x the L3 size), are
 * touched once, then every kernel runs REPEATS times for 1..MAX_THREADS pthreads (each thread on
 * a contiguous slice) and the best repeat is kept. Bytes are counted the STREAM way: what the
 * kernel reads plus what it writes, without the extra read-for-ownership of written lines.
 *   read   s += a[i]              8 bytes per element
 *   write  a[i] = s               8
 *   copy   a[i] = b[i]            16
 *   triad  a[i] = b[i] + q*c[i]   24
 * Prints one line per kernel and thread count:  kernel=copy threads=2 gbps=23.41 best_s=0.02291
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { READ, WRITE, COPY, TRIAD, KERNELS };
static const char *names[KERNELS] = {"read", "write", "copy", "triad"};
static const double bytes_per_element[KERNELS] = {8, 8, 16, 24};

static double *a, *b, *c;
static size_t n;
static volatile uint64_t sink;

struct job {
    int kernel;
    size_t lo, hi;
    uint64_t result;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *work(void *arg) {
    struct job *j = arg;
    size_t lo = j->lo, hi = j->hi, i;
    switch (j->kernel) {
    case READ: {
        /* integer adds on the bit patterns, eight independent chains: never the bottleneck */
        const uint64_t *p = (const uint64_t *)a;
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (i = lo; i + 8 <= hi; i += 8) {
            s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3];
            s4 += p[i + 4]; s5 += p[i + 5]; s6 += p[i + 6]; s7 += p[i + 7];
        }
        for (; i < hi; i++) s0 += p[i];
        j->result = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
        break;
    }
    case WRITE:
        for (i = lo; i < hi; i++) a[i] = 1.5;
        break;
    case COPY:
        for (i = lo; i < hi; i++) a[i] = b[i];
        break;
    case TRIAD:
        for (i = lo; i < hi; i++) a[i] = b[i] + 3.0 * c[i];
        break;
    }
    return NULL;
}

static double run(int kernel, int threads) {
    pthread_t tid[64];
    struct job jobs[64];
    double t0 = now();
    for (int t = 0; t < threads; t++) {
        jobs[t].kernel = kernel;
        jobs[t].lo = n * t / threads;
        jobs[t].hi = n * (t + 1) / threads;
        if (t == 0) continue;
        if (pthread_create(&tid[t], NULL, work, &jobs[t]) != 0) { perror("pthread_create"); exit(1); }
    }
    work(&jobs[0]);
    for (int t = 1; t < threads; t++) pthread_join(tid[t], NULL);
    double dt = now() - t0;
    for (int t = 0; t < threads; t++) sink += jobs[t].result;
    return dt;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MIB_PER_ARRAY REPEATS MAX_THREADS\n", argv[0]);
        return 2;
    }
    size_t mib = strtoull(argv[1], NULL, 10);
    int repeats = atoi(argv[2]), max_threads = atoi(argv[3]);
    if (mib == 0 || repeats < 1 || max_threads < 1 || max_threads > 64) return 2;
    n = mib * 1024 * 1024 / sizeof(double);
    a = malloc(n * sizeof(double));
    b = malloc(n * sizeof(double));
    c = malloc(n * sizeof(double));
    if (!a || !b || !c) { perror("malloc"); return 1; }
    for (size_t i = 0; i < n; i++) { a[i] = 1.0; b[i] = 2.0; c[i] = 0.5; } /* fault every page in */
    for (int threads = 1; threads <= max_threads; threads++) {
        for (int k = 0; k < KERNELS; k++) {
            double best = 1e30;
            for (int r = 0; r < repeats; r++) {
                double dt = run(k, threads);
                if (dt < best) best = dt;
            }
            printf("kernel=%s threads=%d gbps=%.3f best_s=%.6f\n", names[k], threads,
                   bytes_per_element[k] * n / best / 1e9, best);
            fflush(stdout);
        }
    }
    return a[n / 2] == 12345.0; /* keep the stores observable */
}
