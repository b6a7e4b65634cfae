/*
 * GradDrop kernels, OpenCL C 1.2. The arithmetic is the contract of docs/semantics.md, operation
 * by operation, so these kernels return the bits of the Java reference backend.
 *
 * Build options set by the host:
 *   TASK_WORDS        ceil(K / 32): the 32-bit words that hold one bit per task in private memory
 *   HAS_FP64          defined when the device has cl_khr_fp64 (norm keeping and statistics need it)
 *   DIVIDE_IN_DOUBLE  defined when float division is not correctly rounded on this device; each
 *                     quotient is then one double division rounded to float, which is correctly
 *                     rounded because 53 >= 2 * 24 + 2 makes the double rounding innocuous
 */

// Every multiply and add below is rounded on its own, as in Java; no fused multiply-add.
#pragma OPENCL FP_CONTRACT OFF

#ifdef HAS_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double partial_t;
#else
typedef float partial_t;
#endif

#ifdef DIVIDE_IN_DOUBLE
#define DIVIDE(a, b) ((float) ((double) (a) / (double) (b)))
#else
#define DIVIDE(a, b) ((a) / (b))
#endif

#define ACTIVATION_NONE 0
#define ACTIVATION_SIGN 1
#define ACTIVATION_VALUES 2
#define ACTIVATION_LINGVO_SIGN 3

#define KEEP_IDENTITY 0
#define KEEP_LINEAR 1
#define KEEP_SIGMOID 2

/* Hex literals are the float32 values that Java computes for the same expressions. */
#define LOG2E 0x1.715476p0f
#define LN2_HIGH 0x1.62e4p-1f
#define LN2_LOW 0x1.7f7d1cp-20f
#define INV_5040 0x1.a01a02p-13f
#define INV_720 0x1.6c16c2p-10f
#define INV_120 0x1.111112p-7f
#define INV_24 0x1.555556p-5f
#define INV_6 0x1.555556p-3f

/* The deterministic expf of docs/semantics.md, for x in [-87, 88]. */
static float graddrop_exp(float x) {
    float n = floor(x * LOG2E + 0.5f);
    float r = (x - n * LN2_HIGH) - n * LN2_LOW;

    float p = INV_5040;
    p = p * r + INV_720;
    p = p * r + INV_120;
    p = p * r + INV_24;
    p = p * r + INV_6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;

    float twoToN = as_float(((int) n + 127) << 23);
    return p * twoToN;
}

static float graddrop_sigmoid(float x) {
    float minusX = -x;
    if (minusX < -87.0f) {
        minusX = -87.0f;
    } else if (minusX > 88.0f) {
        minusX = 88.0f;
    }
    return DIVIDE(1.0f, 1.0f + graddrop_exp(minusX));
}

/*
 * Writes the four uniform values of Philox4x32-10 block `block` (positions 4·block to 4·block + 3),
 * keyed by the seed, with the step in the counter's high half. The 32x32 -> 64-bit products are
 * written as ulong multiplies because PoCL vectorizes those and not mul_hi.
 */
static void philox_uniforms(ulong block, uint seedLo, uint seedHi, uint stepLo, uint stepHi, __local float *out) {
    uint c0 = (uint) block;
    uint c1 = (uint) (block >> 32);
    uint c2 = stepLo;
    uint c3 = stepHi;
    uint k0 = seedLo;
    uint k1 = seedHi;
    for (int round = 0; round < 10; round++) {
        ulong product0 = (ulong) 0xD2511F53u * (ulong) c0;
        ulong product1 = (ulong) 0xCD9E8D57u * (ulong) c2;
        uint hi0 = (uint) (product0 >> 32);
        uint lo0 = (uint) product0;
        uint hi1 = (uint) (product1 >> 32);
        uint lo1 = (uint) product1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = (float) (c0 >> 8) * 0x1.0p-24f;
    out[1] = (float) (c1 >> 8) * 0x1.0p-24f;
    out[2] = (float) (c2 >> 8) * 0x1.0p-24f;
    out[3] = (float) (c3 >> 8) * 0x1.0p-24f;
}

/* g times the activation factor s(a). Java's Math.signum keeps -0, +0 and NaN, unlike sign(). */
static float weighted(float g, float a, int mode, float epsilon) {
    if (mode == ACTIVATION_SIGN) {
        float s = a > 0.0f ? 1.0f : (a < 0.0f ? -1.0f : a);
        return g * s;
    }
    if (mode == ACTIVATION_VALUES) {
        return g * a;
    }
    if (mode == ACTIVATION_LINGVO_SIGN) {
        float shift = fabs(a) <= epsilon ? 1.0f : 0.0f;
        return g * DIVIDE(a, fabs(a + shift));
    }
    return g;
}

#define BIT_SET(words, k) ((words)[(k) >> 5] |= (1u << ((k) & 31)))
#define BIT_TEST(words, k) (((words)[(k) >> 5] >> ((k) & 31)) & 1u)

/*
 * One work-item per mask position d, looping over the batch and the tasks in the order of the
 * contract. Per-example masks are the case batch = 1, features = B*D, which the host sets up.
 * NOTE: PoCL 3.1 does not vectorize this kernel across work-items (its loop vectorizer rejects the
 * task and batch loops), so on a CPU device it reaches about 2% of streaming bandwidth; giving each
 * work-item a float8 of features is the likely fix.
 * Global sizes are rounded up to the work-group size, so items past the end only take part in
 * the barriers. The work-group size and `first` are multiples of 4, so the first quarter of the
 * work-items computes each Philox block of the group once, into local memory.
 */
__kernel void graddrop_positions(
        __global const float *gradients, const ulong taskStride,
        __global const float *activations, const int activationMode,
        __global const float *uniform, const int explicitNoise,
        const uint seedLo, const uint seedHi, const uint stepLo, const uint stepHi,
        __global const float *keptCoefficients, __global const float *droppedCoefficients,
        __global float *output,
        __global float *taskOutputs, const ulong taskOutputStride, const int writeTaskOutputs,
        __global partial_t *partialIn, __global partial_t *partialOut, const int norms,
        __local float *localUniform,
        __global float *purities, __global uint *counters, __local uint *localCounters,
        const int statistics, const int bins,
        const int tasks, const ulong batch, const ulong features, const ulong first,
        const int lingvoForm, const int keepKind, const float keepScale, const float keepFourScale,
        const float epsilon, const int lingvoTies) {
    ulong d = first + get_global_id(0);
    bool active = d < features;
    int counterCount = tasks + 1 + bins;

    if (statistics) {
        for (int i = get_local_id(0); i < counterCount; i += get_local_size(0)) {
            localCounters[i] = 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    if (!explicitNoise) {
        size_t lid = get_local_id(0);
        if (lid * 4 < get_local_size(0)) {
            ulong groupFirst = first + get_group_id(0) * get_local_size(0);
            philox_uniforms(groupFirst / 4 + lid, seedLo, seedHi, stepLo, stepHi, localUniform + lid * 4);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    if (active) {
        uint positive[TASK_WORDS];
        uint negative[TASK_WORDS];
        uint zero[TASK_WORDS];
        for (int w = 0; w < TASK_WORDS; w++) {
            positive[w] = 0;
            negative[w] = 0;
            zero[w] = 0;
        }

        float sum = 0.0f;
        float absSum = 0.0f;
        for (int k = 0; k < tasks; k++) {
            __global const float *g = gradients + (ulong) k * taskStride;
            float signedSum = 0.0f;
            for (ulong b = 0; b < batch; b++) {
                ulong index = b * features + d;
                float a = activationMode == ACTIVATION_NONE ? 0.0f : activations[index];
                float term = weighted(g[index], a, activationMode, epsilon);
                signedSum = b == 0 ? term : signedSum + term;
            }
            sum = k == 0 ? signedSum : sum + signedSum;
            absSum = k == 0 ? fabs(signedSum) : absSum + fabs(signedSum);
            if (signedSum > 0.0f) {
                BIT_SET(positive, k);
            } else if (signedSum < 0.0f) {
                BIT_SET(negative, k);
            } else if (signedSum == 0.0f) {
                BIT_SET(zero, k);
            }
        }

        float argument;
        if (!lingvoForm) {
            float den = absSum + epsilon;
            argument = den == 0.0f ? 0.5f : 0.5f * (1.0f + DIVIDE(sum, den));
        } else {
            float den = 2.0f * absSum + epsilon;
            argument = den == 0.0f ? 0.0f : DIVIDE(sum, den);
        }

        float f;
        if (!lingvoForm) {
            f = keepKind == KEEP_IDENTITY ? argument
                    : keepKind == KEEP_LINEAR ? 0.5f + keepScale * (argument - 0.5f)
                    : graddrop_sigmoid(keepFourScale * (argument - 0.5f));
        } else {
            f = keepKind == KEEP_IDENTITY ? argument + 0.5f
                    : keepKind == KEEP_LINEAR ? keepScale * argument + 0.5f
                    : graddrop_sigmoid(4.0f * (keepScale * argument));
        }
        float purity = lingvoForm ? argument + 0.5f : argument;

        float u = explicitNoise ? uniform[d] : localUniform[get_local_id(0)];
        bool keepPositive = lingvoTies ? f >= u : f > u;
        bool keepNegative = f < u;

        // kept reuses the storage of zero: bit k is 1 where task k's mask is 1.
        bool anyPositive = false;
        bool anyNegative = false;
        for (int w = 0; w < TASK_WORDS; w++) {
            uint kept = (keepPositive ? positive[w] : 0u) | (keepNegative ? negative[w] : 0u)
                    | (lingvoTies ? zero[w] : 0u);
            anyPositive |= positive[w] != 0u;
            anyNegative |= negative[w] != 0u;
            zero[w] = kept;
        }

        if (statistics) {
            for (int k = 0; k < tasks; k++) {
                if (BIT_TEST(zero, k)) {
                    atomic_inc(&localCounters[k]);
                }
            }
            if (anyPositive && anyNegative) {
                atomic_inc(&localCounters[tasks]);
            }
            if (!isnan(purity)) {
                int bin = convert_int_sat(purity * (float) bins);
                bin = max(0, min(bin, bins - 1));
                atomic_inc(&localCounters[tasks + 1 + bin]);
            }
            purities[d] = purity;
        }

        partial_t sumIn = 0;
        partial_t sumOut = 0;
        for (ulong b = 0; b < batch; b++) {
            ulong index = b * features + d;
            float out = 0.0f;
            float plain = 0.0f;
            for (int k = 0; k < tasks; k++) {
                float g = gradients[(ulong) k * taskStride + index];
                float coefficient = BIT_TEST(zero, k) ? keptCoefficients[k] : droppedCoefficients[k];
                float term = coefficient * g;
                out = k == 0 ? term : out + term;
                plain = k == 0 ? g : plain + g;
                if (writeTaskOutputs) {
                    taskOutputs[(ulong) k * taskOutputStride + index] = term;
                }
            }
            output[index] = out;
            if (norms) {
                sumIn += (partial_t) plain * (partial_t) plain;
                sumOut += (partial_t) out * (partial_t) out;
            }
        }
        if (norms) {
            partialIn[d] = sumIn;
            partialOut[d] = sumOut;
        }
    }

    if (statistics) {
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int i = get_local_id(0); i < counterCount; i += get_local_size(0)) {
            uint count = localCounters[i];
            if (count != 0) {
                atomic_add(&counters[i], count);
            }
        }
    }
}

#ifdef HAS_FP64
/* Sums each block of 4096 consecutive partials in increasing order, starting from 0.0. */
__kernel void graddrop_block_sums(__global const double *partials, const ulong count, __global double *blockSums) {
    ulong blockIndex = get_global_id(0);
    ulong start = blockIndex * 4096;
    if (start >= count) {
        return;
    }
    ulong end = min(start + 4096, count);
    double sum = 0.0;
    for (ulong p = start; p < end; p++) {
        sum += partials[p];
    }
    blockSums[blockIndex] = sum;
}

/* As graddrop_block_sums, for the float purities of the statistics. */
__kernel void graddrop_block_sums_float(__global const float *values, const ulong count, __global double *blockSums) {
    ulong blockIndex = get_global_id(0);
    ulong start = blockIndex * 4096;
    if (start >= count) {
        return;
    }
    ulong end = min(start + 4096, count);
    double sum = 0.0;
    for (ulong p = start; p < end; p++) {
        sum += (double) values[p];
    }
    blockSums[blockIndex] = sum;
}
#endif

/* Multiplies every output element by the norm factor: one rounded float32 product each. */
__kernel void graddrop_scale(__global float *output, const ulong count, const float scale) {
    ulong i = get_global_id(0);
    if (i < count) {
        output[i] = output[i] * scale;
    }
}
