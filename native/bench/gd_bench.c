/*
 * Timing of gd_apply against a streaming copy of the same bytes; built with the library, never
 * run by the tests.
 *
 * Usage: graddrop_bench [threads]   (0, the default, uses every online processor)
 *
 * Bandwidth counts the bytes a call must move: K gradient tensors and the activations read, the
 * output written. The copy baseline is memcpy split over the same number of threads and counts
 * its bytes read plus bytes written.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graddrop.h"

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

typedef struct copy_part {
    char *dst;
    const char *src;
    size_t bytes;
} copy_part;

static void *copy_main(void *argument) {
    copy_part *part = argument;
    memcpy(part->dst, part->src, part->bytes);
    return NULL;
}

/* memcpy of `bytes` split over `threads` threads; returns seconds. */
static double parallel_copy(char *dst, const char *src, size_t bytes, int threads) {
    pthread_t ids[64];
    copy_part parts[64];
    size_t share = (bytes / (size_t) threads + 63) / 64 * 64;
    double start = now_seconds();
    for (int t = 0; t < threads; t++) {
        size_t first = share * (size_t) t;
        size_t length = first >= bytes ? 0 : (bytes - first < share ? bytes - first : share);
        parts[t] = (copy_part){dst + first, src + first, length};
        if (t > 0) {
            pthread_create(&ids[t], NULL, copy_main, &parts[t]);
        }
    }
    copy_main(&parts[0]);
    for (int t = 1; t < threads; t++) {
        pthread_join(ids[t], NULL);
    }
    return now_seconds() - start;
}

static float *filled(size_t n, uint32_t seed) {
    float *data = aligned_alloc(64, n * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        data[i] = (float) (seed >> 8) * 0x1p-24f - 0.5f;
    }
    return data;
}

static gd_params params_of(int32_t tasks, int64_t batch, int64_t features, int threads, int activations) {
    gd_params p;
    memset(&p, 0, sizeof p);
    p.tasks = tasks;
    p.batch = batch;
    p.features = features;
    p.seed = 42;
    p.activation_mode = activations ? GD_ACT_SIGN : GD_ACT_NONE;
    p.keep_function = GD_KEEP_IDENTITY;
    p.keep_scale = 1.0f;
    p.marginalize = 1;
    p.noise_mode = GD_NOISE_PHILOX;
    p.threads = threads;
    p.histogram_bins = 10;
    return p;
}

/* Best of `repeats` timed calls, so that page faults of the first call do not count. */
static void large_case(const char *name, int32_t tasks, int64_t batch, int64_t features, int threads, int activations) {
    const size_t elements = (size_t) batch * (size_t) features;
    const float *gradients[8];
    for (int k = 0; k < tasks; k++) {
        gradients[k] = filled(elements, 7u + (uint32_t) k);
    }
    float *a = activations ? filled(elements, 99u) : NULL;
    float *output = filled(elements, 5u);
    float leaks[8] = {0};
    gd_params p = params_of(tasks, batch, features, threads, activations);

    const size_t traffic = elements * sizeof(float) * (size_t) (tasks + (activations ? 1 : 0) + 1);
    double best = 1e30;
    for (int repeat = 0; repeat < 6; repeat++) {
        double start = now_seconds();
        int32_t status = gd_apply(&p, gradients, a, NULL, leaks, output, NULL, NULL);
        double seconds = now_seconds() - start;
        if (status != GD_OK) {
            fprintf(stderr, "gd_apply failed: %d\n", status);
            exit(1);
        }
        best = seconds < best ? seconds : best;
    }

    /* The copy moves the same bytes: half read, half written. */
    size_t copy_bytes = traffic / 2;
    char *src = (char *) filled(copy_bytes / sizeof(float), 3u);
    char *dst = (char *) filled(copy_bytes / sizeof(float), 4u);
    int copy_threads = threads == 0 ? gd_default_threads() : threads;
    double best_copy = 1e30;
    for (int repeat = 0; repeat < 6; repeat++) {
        double seconds = parallel_copy(dst, src, copy_bytes, copy_threads);
        best_copy = seconds < best_copy ? seconds : best_copy;
    }

    double gbps = (double) traffic / best / 1e9;
    double copy_gbps = (double) (2 * copy_bytes) / best_copy / 1e9;
    printf("%-28s %8.2f ms %7.2f GB/s   memcpy %7.2f GB/s   ratio %5.1f%%\n", name, best * 1e3, gbps, copy_gbps,
           100.0 * gbps / copy_gbps);

    for (int k = 0; k < tasks; k++) {
        free((void *) gradients[k]);
    }
    free(a);
    free(output);
    free(src);
    free(dst);
}

static void tiny_case(int threads) {
    const int32_t tasks = 3;
    const int64_t batch = 64, features = 64;
    const size_t elements = (size_t) (batch * features);
    const float *gradients[3];
    for (int k = 0; k < tasks; k++) {
        gradients[k] = filled(elements, 11u + (uint32_t) k);
    }
    float *a = filled(elements, 13u);
    float *output = filled(elements, 17u);
    float leaks[3] = {0};
    gd_params p = params_of(tasks, batch, features, threads, 1);

    const int calls = 200000;
    for (int i = 0; i < 10000; i++) {
        gd_apply(&p, gradients, a, NULL, leaks, output, NULL, NULL);
    }
    double start = now_seconds();
    for (int i = 0; i < calls; i++) {
        p.step = (uint64_t) i;
        gd_apply(&p, gradients, a, NULL, leaks, output, NULL, NULL);
    }
    double seconds = now_seconds() - start;
    printf("%-28s %8.3f us per call\n", "tiny K=3 B=64 D=64", seconds / calls * 1e6);
    for (int k = 0; k < tasks; k++) {
        free((void *) gradients[k]);
    }
    free(a);
    free(output);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 0;
    printf("tier %s, threads %d (0 = %d online processors)\n", gd_tier_name(gd_tier()), threads, gd_default_threads());
    large_case("unbatched K=4 D=16Mi", 4, 1, 16 << 20, threads, 0);
    large_case("batched K=4 B=256 D=64Ki", 4, 256, 64 << 10, threads, 1);
    tiny_case(threads);
    return 0;
}
