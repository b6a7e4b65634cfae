/* The portable scalar tier: the kernel template at width 1, plain C on any CPU. */
#include <math.h>

#include "gd_internal.h"
#include "vec_scalar.h"

#define KERNEL(name) gd_scalar_##name
#include "kernel_body.h"

static void scalar_scale(float *data, int64_t n, float factor) {
    for (int64_t i = 0; i < n; i++) {
        data[i] = data[i] * factor;
    }
}

static int64_t scalar_find_nonfinite(const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            return i;
        }
    }
    return -1;
}

const gd_kernels gd_kernels_scalar = {
    gd_scalar_fused, gd_scalar_batched, gd_philox_scalar, scalar_scale, scalar_find_nonfinite,
};
