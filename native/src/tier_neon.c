/*
 * The AArch64 NEON tier: 4 lanes. Philox noise, rescaling and the non-finite scan use the
 * scalar forms, which keeps this tier small; the arithmetic is the shared kernel template.
 */
#include "gd_internal.h"
#include "vec_neon.h"

#define KERNEL(name) gd_neon_##name
#include "kernel_body.h"

static void neon_scale(float *data, int64_t n, float factor) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        vst1q_f32(data + i, vmulq_f32(vld1q_f32(data + i), vdupq_n_f32(factor)));
    }
    for (; i < n; i++) {
        data[i] = data[i] * factor;
    }
}

static int64_t neon_find_nonfinite(const float *x, int64_t n) {
    return gd_kernels_scalar.find_nonfinite(x, n);
}

const gd_kernels gd_kernels_neon = {
    gd_neon_fused, gd_neon_batched, gd_philox_scalar, neon_scale, neon_find_nonfinite,
};
