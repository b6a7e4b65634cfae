/*
 * Read-only timing of the batched tile pattern against a sequential read of the same bytes. It
 * does no GradDrop arithmetic and no writes. It is built with the library on x86-64 and never run
 * by the tests.
 *
 * Usage: graddrop_tile_read [columns]   (the tile width in floats, 256 by default)
 *
 * It reads K + 1 = 5 tensors of [256][65536] floats on two threads, each thread taking half of the
 * columns. The tiled read walks every row of a tile's columns and prefetches two rows ahead into
 * L2, as the native library's batched kernel does. The ratio bounds what a one-pass tiled kernel
 * can reach on this machine.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TENSORS 5
#define ROWS 256
#define COLUMNS 65536
#define THREADS 2
#define REPEATS 8

static float *tensors[TENSORS];
static int64_t tile_columns;

typedef struct part {
    int64_t first; /* first column */
    int64_t end;   /* end column */
    int tiled;
    float checksum;
} part;

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

/* Adds 8 floats at a time into four chains, so that the loads and not the additions set the pace. */
static float sum_run(const float *p, int64_t count) {
    __m256 chains[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t i = 0; i < count; i += 32) {
        for (int c = 0; c < 4; c++) {
            chains[c] = _mm256_add_ps(chains[c], _mm256_load_ps(p + i + 8 * c));
        }
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(chains[0], chains[1]), _mm256_add_ps(chains[2], chains[3])));
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

static void *read_main(void *argument) {
    part *share = argument;
    float checksum = 0.0f;
    if (!share->tiled) {
        /* The same bytes in long runs: the rows of the thread's share of the row range. */
        int64_t row_begin = ROWS * share->first / COLUMNS;
        int64_t row_end = ROWS * share->end / COLUMNS;
        for (int t = 0; t < TENSORS; t++) {
            checksum += sum_run(tensors[t] + row_begin * COLUMNS, (row_end - row_begin) * COLUMNS);
        }
    } else {
        for (int64_t c = share->first; c < share->end; c += tile_columns) {
            for (int64_t b = 0; b < ROWS; b++) {
                if (b + 2 < ROWS) {
                    for (int t = 0; t < TENSORS; t++) {
                        for (int64_t j = 0; j < tile_columns; j += 16) {
                            _mm_prefetch((const char *) (tensors[t] + (b + 2) * COLUMNS + c + j), _MM_HINT_T1);
                        }
                    }
                }
                for (int t = 0; t < TENSORS; t++) {
                    checksum += sum_run(tensors[t] + b * COLUMNS + c, tile_columns);
                }
            }
        }
    }
    share->checksum = checksum;
    return NULL;
}

/* Returns the seconds of the best of REPEATS passes on THREADS threads. */
static double best_pass(int tiled) {
    double best = 1e30;
    for (int repeat = 0; repeat < REPEATS; repeat++) {
        pthread_t other;
        part shares[THREADS];
        double start = now_seconds();
        for (int t = 0; t < THREADS; t++) {
            shares[t] = (part){COLUMNS * t / THREADS, COLUMNS * (t + 1) / THREADS, tiled, 0.0f};
        }
        pthread_create(&other, NULL, read_main, &shares[1]);
        read_main(&shares[0]);
        pthread_join(other, NULL);
        double seconds = now_seconds() - start;
        best = seconds < best ? seconds : best;
    }
    return best;
}

int main(int argc, char **argv) {
    if (!__builtin_cpu_supports("avx2")) {
        fprintf(stderr, "graddrop_tile_read needs AVX2, which this CPU lacks\n");
        return 1;
    }
    tile_columns = argc > 1 ? atol(argv[1]) : 256;
    if (tile_columns < 32 || tile_columns % 32 != 0 || (COLUMNS / THREADS) % tile_columns != 0) {
        fprintf(stderr, "invalid tile width %lld: use a multiple of 32 that divides %d\n", (long long) tile_columns,
                COLUMNS / THREADS);
        return 2;
    }
    for (int t = 0; t < TENSORS; t++) {
        tensors[t] = aligned_alloc(4096, (size_t) ROWS * COLUMNS * sizeof(float));
        if (tensors[t] == NULL) {
            fprintf(stderr, "allocation of %d MiB failed\n", (int) ((size_t) ROWS * COLUMNS * sizeof(float) >> 20));
            return 1;
        }
        memset(tensors[t], 0, (size_t) ROWS * COLUMNS * sizeof(float));
    }

    /* Alternate the two patterns so that a drift in the machine's bandwidth hits both alike. */
    double sequential = 1e30;
    double tiled = 1e30;
    for (int round = 0; round < 3; round++) {
        double s = best_pass(0);
        double t = best_pass(1);
        sequential = s < sequential ? s : sequential;
        tiled = t < tiled ? t : tiled;
    }
    double bytes = (double) TENSORS * ROWS * COLUMNS * sizeof(float);
    printf("sequential read: %7.2f ms %7.2f GB/s\n", sequential * 1e3, bytes / sequential / 1e9);
    printf("tiled read (%lld columns, prefetch 2 rows): %7.2f ms %7.2f GB/s, %.2f of sequential\n",
           (long long) tile_columns, tiled * 1e3, bytes / tiled / 1e9, sequential / tiled);
    return 0;
}
