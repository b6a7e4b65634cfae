/*
 * GradDrop kernels, OpenCL C 1.2. The arithmetic is the contract of docs/semantics.md, operation
 * by operation, so these kernels return the bits of the Java reference backend.
 *
 * Build options set by the host:
 *   TASKS             K, so that the per-task arrays have a compile-time size and short loops unroll
 *   WIDTH             consecutive mask positions per work-item: 1, 4, 8 or 16. Widths above 1 use
 *                     OpenCL vector types, so the compiler emits SIMD code without having to
 *                     vectorize across work-items (PoCL 3.1 cannot for this kernel)
 *   STATISTICS        defined to count masks and conflicts and to write the purities
 *   NORMS             defined to write the per-position double partials of norm keeping
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

#if WIDTH != 1 && WIDTH != 4 && WIDTH != 8 && WIDTH != 16
#error "WIDTH must be 1, 4, 8 or 16"
#endif

/* Positions per work-item: four vectors at widths above 1, so that Philox fills a whole vector. */
#if WIDTH == 1
#define SPAN 1
#else
#define SPAN (4 * WIDTH)
#endif

#define JOIN(a, b) JOIN_EXPANDED(a, b)
#define JOIN_EXPANDED(a, b) a##b

/*
 * floatv and friends hold the WIDTH positions of one work-item. Comparisons of vectors return -1
 * per true lane and of scalars 1, and select() takes either, so the code below never relies on
 * which one it gets; masks are combined with & and | only, and negated with !.
 */
#if WIDTH == 1
typedef float floatv;
typedef int intv;
#define LOAD(p) (*(p))
#define STORE(value, p) (*(p) = (value))
#define TO_INT(x) convert_int(x)
#define TO_INT_SAT(x) convert_int_sat(x)
#define AS_FLOAT(x) as_float(x)
#define LANE_INDEX 0
#ifdef HAS_FP64
typedef double doublev;
#define TO_DOUBLE(x) convert_double(x)
#define TO_FLOAT_FROM_DOUBLE(x) convert_float(x)
#define LOAD_DOUBLE(p) (*(p))
#define STORE_DOUBLE(value, p) (*(p) = (value))
#endif
#else
typedef JOIN(float, WIDTH) floatv;
typedef JOIN(int, WIDTH) intv;
#define LOAD(p) JOIN(vload, WIDTH)(0, p)
#define STORE(value, p) JOIN(vstore, WIDTH)(value, 0, p)
#define TO_INT(x) JOIN(convert_int, WIDTH)(x)
#define TO_INT_SAT(x) JOIN(JOIN(convert_int, WIDTH), _sat)(x)
#define AS_FLOAT(x) JOIN(as_float, WIDTH)(x)
#if WIDTH == 4
#define LANE_INDEX ((int4) (0, 1, 2, 3))
#elif WIDTH == 8
#define LANE_INDEX ((int8) (0, 1, 2, 3, 4, 5, 6, 7))
#else
#define LANE_INDEX ((int16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#endif
#ifdef HAS_FP64
typedef JOIN(double, WIDTH) doublev;
#define TO_DOUBLE(x) JOIN(convert_double, WIDTH)(x)
#define TO_FLOAT_FROM_DOUBLE(x) JOIN(convert_float, WIDTH)(x)
#define LOAD_DOUBLE(p) JOIN(vload, WIDTH)(0, p)
#define STORE_DOUBLE(value, p) JOIN(vstore, WIDTH)(value, 0, p)
#endif
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

/* A correctly rounded float quotient, lane by lane. */
static floatv divide(floatv a, floatv b) {
#ifdef DIVIDE_IN_DOUBLE
    return TO_FLOAT_FROM_DOUBLE(TO_DOUBLE(a) / TO_DOUBLE(b));
#else
    return a / b;
#endif
}

/* The deterministic expf of docs/semantics.md, for x in [-87, 88]. */
static floatv graddrop_exp(floatv x) {
    floatv n = floor(x * LOG2E + 0.5f);
    floatv r = (x - n * LN2_HIGH) - n * LN2_LOW;

    floatv p = (floatv) INV_5040;
    p = p * r + INV_720;
    p = p * r + INV_120;
    p = p * r + INV_24;
    p = p * r + INV_6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;

    // n is integral, so the conversion's rounding toward zero is exact.
    floatv twoToN = AS_FLOAT((TO_INT(n) + 127) << 23);
    return p * twoToN;
}

/* select() keeps a NaN argument as it is, like the reference's two comparisons. */
static floatv graddrop_sigmoid(floatv x) {
    floatv minusX = -x;
    minusX = select(minusX, (floatv) -87.0f, minusX < -87.0f);
    minusX = select(minusX, (floatv) 88.0f, minusX > 88.0f);
    return divide((floatv) 1.0f, 1.0f + graddrop_exp(minusX));
}

/*
 * Philox4x32-10 on WIDTH consecutive counter blocks at once, one vector lane per block, so that a
 * work-item of width 16 fills whole 16-lane vectors. The 32x32 -> 64-bit products are ulong
 * multiplies, which vectorize on CPUs (vpmuludq) where mul_hi does not.
 */
#if WIDTH == 1
typedef uint uintv;
typedef ulong ulongv;
#define TO_UINT(x) convert_uint(x)
#define TO_ULONG(x) convert_ulong(x)
#define BLOCK_INDEX 0
#else
typedef JOIN(uint, WIDTH) uintv;
typedef JOIN(ulong, WIDTH) ulongv;
#define TO_UINT(x) JOIN(convert_uint, WIDTH)(x)
#define TO_ULONG(x) JOIN(convert_ulong, WIDTH)(x)
#define BLOCK_INDEX JOIN(convert_ulong, WIDTH)(LANE_INDEX)
#endif

/*
 * Writes the uniform values of positions 4·block to 4·(block + WIDTH) - 1 to out, in position
 * order, keyed by the seed, with the step in the counter's high half.
 */
static void philox_uniforms(ulong block, uint seedLo, uint seedHi, uint stepLo, uint stepHi, float *out) {
    ulongv blocks = block + BLOCK_INDEX;
    uintv c0 = TO_UINT(blocks);
    uintv c1 = TO_UINT(blocks >> 32);
    uintv c2 = (uintv) stepLo;
    uintv c3 = (uintv) stepHi;
    uint k0 = seedLo;
    uint k1 = seedHi;
    for (int round = 0; round < 10; round++) {
        ulongv product0 = TO_ULONG(c0) * (ulong) 0xD2511F53u;
        ulongv product1 = TO_ULONG(c2) * (ulong) 0xCD9E8D57u;
        c0 = TO_UINT(product1 >> 32) ^ c1 ^ k0;
        c1 = TO_UINT(product1);
        c2 = TO_UINT(product0 >> 32) ^ c3 ^ k1;
        c3 = TO_UINT(product0);
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }

    // Position 4·b + w takes word w of block b. Values below 2^24 convert to float exactly.
#if WIDTH == 1
    vstore4(convert_float4((uint4) (c0, c1, c2, c3) >> 8) * 0x1.0p-24f, 0, out);
#else
    uint words0[WIDTH];
    uint words1[WIDTH];
    uint words2[WIDTH];
    uint words3[WIDTH];
    STORE(c0, words0);
    STORE(c1, words1);
    STORE(c2, words2);
    STORE(c3, words3);
    for (int lane = 0; lane < WIDTH; lane++) {
        uint4 words = (uint4) (words0[lane], words1[lane], words2[lane], words3[lane]);
        vstore4(convert_float4(words >> 8) * 0x1.0p-24f, lane, out);
    }
#endif
}

/* The first `lanes` floats at p, and zeros in the lanes past them. */
static floatv load_lanes(__global const float *p, uint lanes) {
#if WIDTH == 1
    return *p;
#else
    if (lanes == WIDTH) {
        return LOAD(p);
    }
    float values[WIDTH];
    for (uint i = 0; i < WIDTH; i++) {
        values[i] = i < lanes ? p[i] : 0.0f;
    }
    return LOAD(values);
#endif
}

/* Writes the first `lanes` lanes of value to p. */
static void store_lanes(floatv value, __global float *p, uint lanes) {
#if WIDTH == 1
    *p = value;
#else
    if (lanes == WIDTH) {
        STORE(value, p);
        return;
    }
    float values[WIDTH];
    STORE(value, values);
    for (uint i = 0; i < lanes; i++) {
        p[i] = values[i];
    }
#endif
}

#ifdef HAS_FP64
static void store_double_lanes(doublev value, __global double *p, uint lanes) {
#if WIDTH == 1
    *p = value;
#else
    if (lanes == WIDTH) {
        STORE_DOUBLE(value, p);
        return;
    }
    double values[WIDTH];
    STORE_DOUBLE(value, values);
    for (uint i = 0; i < lanes; i++) {
        p[i] = values[i];
    }
#endif
}
#endif

/*
 * The activation factor s(a) of each lane. Java's Math.signum keeps -0, +0 and NaN, unlike sign(),
 * so the sign mode passes a through where it is neither positive nor negative.
 */
static floatv activation_factor(floatv a, int mode, float epsilon) {
    if (mode == ACTIVATION_SIGN) {
        floatv negativeOrA = select(a, (floatv) -1.0f, a < 0.0f);
        return select(negativeOrA, (floatv) 1.0f, a > 0.0f);
    }
    if (mode == ACTIVATION_LINGVO_SIGN) {
        floatv shift = select((floatv) 0.0f, (floatv) 1.0f, fabs(a) <= epsilon);
        return divide(a, fabs(a + shift));
    }
    return a;
}

/* The keep probability f from the purity argument: P in the paper form, r in the lingvo form. */
static floatv keep_probability(floatv argument, int lingvoForm, int keepKind, float keepScale, float keepFourScale) {
    if (!lingvoForm) {
        if (keepKind == KEEP_IDENTITY) {
            return argument;
        }
        if (keepKind == KEEP_LINEAR) {
            return 0.5f + keepScale * (argument - 0.5f);
        }
        return graddrop_sigmoid(keepFourScale * (argument - 0.5f));
    }
    if (keepKind == KEEP_IDENTITY) {
        return argument + 0.5f;
    }
    if (keepKind == KEEP_LINEAR) {
        return keepScale * argument + 0.5f;
    }
    return graddrop_sigmoid(4.0f * (keepScale * argument));
}

#ifdef STATISTICS
/* The number of the first `lanes` lanes where mask is true. */
static uint count_lanes(intv mask, uint lanes) {
    intv ones = select((intv) 0, (intv) 1, mask & (LANE_INDEX < (int) lanes));
#if WIDTH == 1
    return (uint) ones;
#else
    int values[WIDTH];
    STORE(ones, values);
    uint count = 0;
    for (int i = 0; i < WIDTH; i++) {
        count += (uint) values[i];
    }
    return count;
#endif
}

/* Adds the kept, conflict and histogram counts of one work-item's lanes to the group's counters. */
static void count_statistics(floatv purity, __local uint *localCounters, const uint *kept, intv conflict,
        int bins, uint lanes) {
    for (int k = 0; k < TASKS; k++) {
        if (kept[k] != 0) {
            atomic_add(&localCounters[k], kept[k]);
        }
    }
    uint conflicts = count_lanes(conflict, lanes);
    if (conflicts != 0) {
        atomic_add(&localCounters[TASKS], conflicts);
    }

    intv bin = TO_INT_SAT(purity * (float) bins);
    bin = max(min(bin, bins - 1), 0);
    intv counted = !isnan(purity);
#if WIDTH == 1
    if (counted) {
        atomic_inc(&localCounters[TASKS + 1 + bin]);
    }
#else
    int bins_[WIDTH];
    int counted_[WIDTH];
    STORE(bin, bins_);
    STORE(counted, counted_);
    for (uint i = 0; i < lanes; i++) {
        if (counted_[i]) {
            atomic_inc(&localCounters[TASKS + 1 + bins_[i]]);
        }
    }
#endif
}
#endif

/*
 * Each work-item covers SPAN consecutive mask positions, WIDTH at a time, looping over the batch
 * and the tasks in the order of the contract. Per-example masks are the case batch = 1,
 * features = B*D, which the host sets up. The host rounds the global size up to the work-group
 * size, so the last work-items may cover fewer positions (`lanes`) or none; those with none only
 * take part in the barriers. `first` is a multiple of 4 and SPAN of 4 at widths above 1, so such a
 * work-item owns whole Philox blocks. At width 1 the work-group size is a multiple of 4, and the
 * first quarter of the work-items computes each Philox block of the group once, into local memory.
 */
__kernel void graddrop_positions(
        __global const float *gradients, const ulong taskStride,
        __global const float *activations, const int activationMode,
        __global const float *uniform, const int explicitNoise,
        const uint seedLo, const uint seedHi, const uint stepLo, const uint stepHi,
        __global const float *keptCoefficients, __global const float *droppedCoefficients,
        __global float *output,
        __global float *taskOutputs, const ulong taskOutputStride, const int writeTaskOutputs,
        __global partial_t *partialIn, __global partial_t *partialOut,
        __local float *localUniform,
        __global float *purities, __global uint *counters, __local uint *localCounters, const int bins,
        const ulong batch, const ulong features, const ulong first,
        const int lingvoForm, const int keepKind, const float keepScale, const float keepFourScale,
        const float epsilon, const int lingvoTies) {
    ulong start = first + get_global_id(0) * SPAN;

#ifdef STATISTICS
    int counterCount = TASKS + 1 + bins;
    for (int i = get_local_id(0); i < counterCount; i += get_local_size(0)) {
        localCounters[i] = 0;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
#endif

#if WIDTH == 1
    if (!explicitNoise) {
        size_t lid = get_local_id(0);
        if (lid * 4 < get_local_size(0)) {
            ulong groupFirst = first + get_group_id(0) * get_local_size(0);
            float block[4];
            philox_uniforms(groupFirst / 4 + lid, seedLo, seedHi, stepLo, stepHi, block);
            vstore4(vload4(0, block), 0, localUniform + lid * 4);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#else
    float uniforms[SPAN];
    if (!explicitNoise && start < features) {
        philox_uniforms(start / 4, seedLo, seedHi, stepLo, stepHi, uniforms);
    }
#endif

    for (int chunk = 0; chunk < SPAN / WIDTH; chunk++) {
        ulong d = start + chunk * WIDTH;
        uint lanes = d < features ? (uint) min((ulong) WIDTH, features - d) : 0u;
        if (lanes == 0) {
            break;
        }

        // Pass 1: the signed gradient G_k of every task, summed over the batch in increasing b.
        floatv signedSums[TASKS];
        for (ulong b = 0; b < batch; b++) {
            ulong index = b * features + d;
            floatv factor = activationMode == ACTIVATION_NONE ? (floatv) 1.0f
                    : activation_factor(load_lanes(activations + index, lanes), activationMode, epsilon);
            for (int k = 0; k < TASKS; k++) {
                floatv g = load_lanes(gradients + k * taskStride + index, lanes);
                floatv term = activationMode == ACTIVATION_NONE ? g : g * factor;
                signedSums[k] = b == 0 ? term : signedSums[k] + term;
            }
        }

        // Purity and keep probability from S = sum of G_k and T = sum of |G_k|, in increasing k.
        floatv sum = signedSums[0];
        floatv absSum = fabs(signedSums[0]);
        for (int k = 1; k < TASKS; k++) {
            sum = sum + signedSums[k];
            absSum = absSum + fabs(signedSums[k]);
        }
        floatv argument;
        if (!lingvoForm) {
            floatv den = absSum + epsilon;
            argument = select(0.5f * (1.0f + divide(sum, den)), (floatv) 0.5f, den == 0.0f);
        } else {
            floatv den = 2.0f * absSum + epsilon;
            argument = select(divide(sum, den), (floatv) 0.0f, den == 0.0f);
        }
        floatv f = keep_probability(argument, lingvoForm, keepKind, keepScale, keepFourScale);

        floatv u;
        if (explicitNoise) {
            u = load_lanes(uniform + d, lanes);
        } else {
#if WIDTH == 1
            u = localUniform[get_local_id(0)];
#else
            u = LOAD(uniforms + chunk * WIDTH);
#endif
        }
        intv keepPositive = lingvoTies ? f >= u : f > u;
        intv keepNegative = f < u;

        // The mask of each task picks its coefficient; signedSums then holds the coefficients.
#ifdef STATISTICS
        uint kept[TASKS];
        intv anyPositive = (intv) 0;
        intv anyNegative = (intv) 0;
#endif
        for (int k = 0; k < TASKS; k++) {
            floatv signedSum = signedSums[k];
            intv positive = signedSum > 0.0f;
            intv negative = signedSum < 0.0f;
            intv zero = lingvoTies ? signedSum == 0.0f : (intv) 0;
            intv mask = (keepPositive & positive) | (keepNegative & negative) | zero;
            signedSums[k] = select((floatv) droppedCoefficients[k], (floatv) keptCoefficients[k], mask);
#ifdef STATISTICS
            kept[k] = count_lanes(mask, lanes);
            anyPositive |= positive;
            anyNegative |= negative;
#endif
        }

#ifdef STATISTICS
        floatv purity = lingvoForm ? argument + 0.5f : argument;
        count_statistics(purity, localCounters, kept, anyPositive & anyNegative, bins, lanes);
        store_lanes(purity, purities + d, lanes);
#endif

        // Pass 2: the output t_0 + t_1 + ... in increasing k, with t_k = c_k * g.
#ifdef NORMS
        doublev sumIn = (doublev) 0.0;
        doublev sumOut = (doublev) 0.0;
#endif
        for (ulong b = 0; b < batch; b++) {
            ulong index = b * features + d;
            floatv g = load_lanes(gradients + index, lanes);
            floatv out = signedSums[0] * g;
            floatv plain = g;
            if (writeTaskOutputs) {
                store_lanes(out, taskOutputs + index, lanes);
            }
            for (int k = 1; k < TASKS; k++) {
                g = load_lanes(gradients + k * taskStride + index, lanes);
                floatv term = signedSums[k] * g;
                out = out + term;
                plain = plain + g;
                if (writeTaskOutputs) {
                    store_lanes(term, taskOutputs + k * taskOutputStride + index, lanes);
                }
            }
            store_lanes(out, output + index, lanes);
#ifdef NORMS
            doublev plainDouble = TO_DOUBLE(plain);
            doublev outDouble = TO_DOUBLE(out);
            sumIn += plainDouble * plainDouble;
            sumOut += outDouble * outDouble;
#endif
        }
#ifdef NORMS
        store_double_lanes(sumIn, partialIn + d, lanes);
        store_double_lanes(sumOut, partialOut + d, lanes);
#endif
    }

#ifdef STATISTICS
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = get_local_id(0); i < counterCount; i += get_local_size(0)) {
        uint count = localCounters[i];
        if (count != 0) {
            atomic_add(&counters[i], count);
        }
    }
#endif
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
