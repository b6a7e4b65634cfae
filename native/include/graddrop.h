/*
 * GradDrop native SIMD library: the C interface called from Java through FFM downcalls.
 *
 * The arithmetic follows docs/semantics.md exactly, so results are bit-identical to the Java
 * reference backend on every tier and thread count. All sizes are fixed-width; every pointer is
 * to float32 data in the caller's memory, read in place.
 */
#ifndef GRADDROP_H
#define GRADDROP_H

#include <stdint.h>

#if defined(_WIN32)
#define GD_EXPORT __declspec(dllexport)
#else
#define GD_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this interface; Java checks it before binding anything else. */
#define GD_ABI_VERSION 1

/* Status codes returned by gd_apply. */
#define GD_OK 0
#define GD_ERR_INVALID_ARGUMENT 1 /* a field of gd_params is out of range */
#define GD_ERR_UNSUPPORTED 2      /* a feature this library does not implement */
#define GD_ERR_NON_FINITE 3       /* reject policy found a NaN or infinity; see gd_result */
#define GD_ERR_OUT_OF_MEMORY 4    /* scratch allocation failed */

/* SIMD tiers, from the portable scalar path up. */
#define GD_TIER_SCALAR 0
#define GD_TIER_SSE2 1
#define GD_TIER_AVX2 2
#define GD_TIER_AVX512 3
#define GD_TIER_NEON 4

/* Enumerations used in gd_params. */
#define GD_ACT_NONE 0
#define GD_ACT_SIGN 1
#define GD_ACT_VALUES 2
#define GD_ACT_LINGVO_SIGN 3

#define GD_PURITY_PAPER 0
#define GD_PURITY_LINGVO 1

#define GD_KEEP_IDENTITY 0
#define GD_KEEP_LINEAR 1
#define GD_KEEP_SIGMOID 2

#define GD_TIES_PAPER 0
#define GD_TIES_LINGVO 1

#define GD_NORM_NONE 0
#define GD_NORM_KEEP 1
#define GD_NORM_LINGVO 2

#define GD_NOISE_EXPLICIT 0
#define GD_NOISE_PHILOX 1

#define GD_NONFINITE_PROPAGATE 0
#define GD_NONFINITE_REJECT 1

/*
 * One call's configuration. Field order puts 8-byte fields first so that the layout has no
 * padding; the Java side declares the same layout and checks its size against gd_params_size().
 */
typedef struct gd_params {
    int64_t batch;         /* B >= 1; 1 for unbatched [K, D] input */
    int64_t features;      /* D >= 1 */
    uint64_t seed;         /* Philox key, used when noise_mode == GD_NOISE_PHILOX */
    uint64_t step;         /* Philox counter high half */
    int32_t tasks;         /* K >= 1 */
    int32_t activation_mode;
    int32_t purity_form;
    int32_t keep_function;
    float keep_scale;      /* k of linear(k) and sigmoid(k) */
    float epsilon;         /* >= 0, finite */
    int32_t marginalize;   /* 1: one mask per feature; 0: one mask per element */
    int32_t tie_rule;
    int32_t norm_mode;
    int32_t noise_mode;
    int32_t nonfinite_policy;
    int32_t threads;       /* 0 to 1024; 0: the number of online processors */
    int32_t histogram_bins; /* 1 to 4096 when statistics are requested */
    int32_t reserved;      /* must be 0 */
} gd_params;

/* Optional outputs of one call; any pointer may be NULL. */
typedef struct gd_result {
    int64_t *kept_counts;      /* [tasks]: positions where the task's mask is 1 */
    int64_t *histogram;        /* [histogram_bins]: counts of purity per bin */
    int64_t conflict_count;    /* out: positions where the tasks' signs conflict */
    double purity_sum;         /* out: sum of purity over positions, in block order */
    int64_t nonfinite_index;   /* out: with GD_ERR_NON_FINITE, the first bad flat index */
    int32_t nonfinite_source;  /* out: 0 gradients (index is k*B*D + b*D + d), 1 activations */
    int32_t want_statistics;   /* in: 1 to fill kept_counts, histogram, conflict_count, purity_sum */
} gd_result;

/*
 * Applies GradDrop.
 *   gradients    [tasks] pointers, each to B*D floats
 *   activations  B*D floats, or NULL when activation_mode == GD_ACT_NONE
 *   uniform      N floats (N = D when marginalized, else B*D), or NULL with Philox noise
 *   leaks        [tasks] floats in [0, 1]
 *   output       B*D floats, written
 *   task_outputs [tasks] pointers to B*D floats, or NULL
 *   result       optional statistics and error details, or NULL
 * Nothing is written when the call fails.
 */
GD_EXPORT int32_t gd_apply(const gd_params *params, const float *const *gradients,
                           const float *activations, const float *uniform, const float *leaks,
                           float *output, float *const *task_outputs, gd_result *result);

/*
 * As gd_apply, with the tasks' gradients at gradients + k * gradient_stride and the per-task
 * outputs, when task_outputs is not NULL, at task_outputs + k * task_output_stride (strides in
 * floats). Every pointer is a direct argument, so Java can pass heap arrays through a critical
 * downcall, where pointers stored inside memory are not allowed.
 */
GD_EXPORT int32_t gd_apply_strided(const gd_params *params, const float *gradients,
                                   int64_t gradient_stride, const float *activations,
                                   const float *uniform, const float *leaks, float *output,
                                   float *task_outputs, int64_t task_output_stride,
                                   gd_result *result);

/* Fills n values of Philox4x32-10 noise for positions first..first+n-1. */
GD_EXPORT void gd_philox_uniform(uint64_t seed, uint64_t step, int64_t first, int64_t n,
                                 float *out);

/* The active tier: the best the CPU and OS support, lowered by GRADDROP_MAX_TIER. */
GD_EXPORT int32_t gd_tier(void);

/* The name of a tier ("scalar", "sse2", "avx2", "avx512", "neon"). */
GD_EXPORT const char *gd_tier_name(int32_t tier);

/* The worker threads a call with threads == 0 uses: the online processors, at most 1024. */
GD_EXPORT int32_t gd_default_threads(void);

GD_EXPORT int32_t gd_abi_version(void);
GD_EXPORT int64_t gd_params_size(void);
GD_EXPORT int64_t gd_result_size(void);

#ifdef __cplusplus
}
#endif

#endif
