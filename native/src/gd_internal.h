/*
 * Internal interface between the call driver (apply.c), the thread pool and the per-tier
 * kernels. Nothing here is exported from the shared library.
 */
#ifndef GD_INTERNAL_H
#define GD_INTERNAL_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>

#include "graddrop.h"

/* Every float operation must round to float32, as Java's does; x87 excess precision would not. */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "graddrop needs FLT_EVAL_METHOD == 0 (SSE2 on x86-64, or AArch64)"
#endif

#define GD_INTERNAL __attribute__((visibility("hidden")))

/* Positions per block of the double sums; part of the arithmetic contract (docs/semantics.md). */
#define GD_BLOCK 4096

/* Widest vector, in floats; tile widths are multiples of it. */
#define GD_MAX_LANES 16

#define GD_MAX_HISTOGRAM_BINS 4096
#define GD_MAX_THREADS 1024

/* One call, after validation: the read-only state every worker shares. */
typedef struct gd_job {
    int32_t tasks;
    int64_t batch;
    int64_t features;
    int64_t elements;  /* B*D */
    int64_t positions; /* D when marginalized, else B*D */
    int32_t batched;   /* 1: masks per feature with B > 1, so G sums over the batch */

    const float *const *gradients;
    const float *activations; /* NULL when activation_mode is GD_ACT_NONE */
    int32_t activation_mode;
    const float *uniform; /* explicit U, or NULL for Philox noise */
    uint64_t seed;
    uint64_t step;

    float epsilon;
    int32_t lingvo_purity;
    int32_t keep_function;
    float keep_scale;
    float four_scale; /* 4.0f * keep_scale, the paper-form sigmoid factor */
    int32_t lingvo_ties;

    const float *kept_coefficient;    /* [tasks]: l + (1 - l) */
    const float *dropped_coefficient; /* [tasks]: l */

    float *output;
    float *const *task_outputs; /* NULL, or [tasks] pointers */
    int32_t stream; /* 1: outputs are written with non-temporal stores, every vector store aligned */
    int32_t prefetch; /* 1: the inputs come from memory, so pass 1 of batched tiles prefetches rows */

    int32_t norms;
    int32_t statistics;
    int32_t bins;

    int64_t tile_width; /* positions per tile: a power of two from 16 to GD_BLOCK */
} gd_job;

/*
 * Scratch of one worker for one tile, indexed by the column j of the tile (0 <= j < width).
 * The counters accumulate over every tile the worker runs.
 */
typedef struct gd_tile {
    int64_t width;
    float *noise;   /* [width]: Philox U of the tile */
    float *purity;  /* [width]: P, with statistics */
    double *sq_in;  /* [width]: per-position sums of squares of the plain sum, with norms */
    double *sq_out; /* [width]: the same for the output */
    float *signs;   /* [width]: activation factor of one row, batched */
    float *signed_sums; /* [tasks * width]: G_k, batched */
    float *coefficients; /* [tasks * width]: c_k, batched */
    int64_t *kept;  /* [tasks] */
    int64_t conflicts;
} gd_tile;

/* One SIMD tier: the same arithmetic, vectorized for one instruction set. */
typedef struct gd_kernels {
    /* Positions first + j for j in [j0, j1), one element each (per-element masks, or B == 1). */
    void (*fused)(const gd_job *job, int64_t first, int64_t j0, int64_t j1, gd_tile *tile,
                  const float *noise);
    /* Features first + j for j in [j0, j1) over the whole batch (per-feature masks, B > 1). */
    void (*batched)(const gd_job *job, int64_t first, int64_t j0, int64_t j1, gd_tile *tile,
                    const float *noise);
    void (*philox)(uint64_t seed, uint64_t step, int64_t first, int64_t n, float *out);
    void (*scale)(float *data, int64_t n, float factor);
    /* Index of the first NaN or infinity in x[0..n), or -1. */
    int64_t (*find_nonfinite)(const float *x, int64_t n);
} gd_kernels;

GD_INTERNAL extern const gd_kernels gd_kernels_scalar;
#if defined(__x86_64__) || defined(_M_X64)
GD_INTERNAL extern const gd_kernels gd_kernels_sse2;
GD_INTERNAL extern const gd_kernels gd_kernels_avx2;
GD_INTERNAL extern const gd_kernels gd_kernels_avx512;
#endif
#if defined(__aarch64__)
GD_INTERNAL extern const gd_kernels gd_kernels_neon;
#endif

/* The scalar tier's kernels, which the vector tiers call for the columns left after the last full vector. */
GD_INTERNAL void gd_scalar_fused(const gd_job *job, int64_t first, int64_t j0, int64_t j1,
                                 gd_tile *tile, const float *noise);
GD_INTERNAL void gd_scalar_batched(const gd_job *job, int64_t first, int64_t j0, int64_t j1,
                                   gd_tile *tile, const float *noise);
GD_INTERNAL void gd_philox_scalar(uint64_t seed, uint64_t step, int64_t first, int64_t n,
                                  float *out);

/* The tier chosen at load time, and its kernels. */
GD_INTERNAL int32_t gd_active_tier(void);
GD_INTERNAL const gd_kernels *gd_active_kernels(void);
GD_INTERNAL int32_t gd_online_processors(void);

/*
 * Runs task(context, worker) on `workers` threads, the caller being worker 0, and returns when all
 * have finished. Runs on the caller alone when workers <= 1 or another call is using the pool.
 * Returns the number of workers that ran.
 */
typedef void (*gd_task_fn)(void *context, int32_t worker);
GD_INTERNAL int32_t gd_pool_run(int32_t workers, gd_task_fn task, void *context);

/*
 * Per-thread scratch that grows and is reused across calls, freed when the thread exits.
 * Slot 0 is the worker's tile scratch, slot 1 the caller's per-call arrays and slot 2 the
 * pointer arrays of gd_apply_strided. Returns NULL when
 * allocation fails.
 */
GD_INTERNAL void *gd_scratch(int32_t slot, size_t bytes);

#endif
