/*
 * GradDrop kernels, OpenCL C 1.2. The arithmetic is the contract of docs/semantics.md, operation
 * by operation, so these kernels return the bits of the Java reference backend.
 *
 * Build options set by the host:
 *   TASKS             K, so that the per-task arrays have a compile-time size and short loops unroll
 *   WIDTH             mask positions per vector: 1, 4, 8 or 16. Above 1 a work-item covers four
 *                     vectors of consecutive positions with OpenCL vector types, so the compiler
 *                     emits SIMD code without having to vectorize across work-items, which PoCL
 *                     3.1 cannot do for this kernel
 *   STATISTICS        defined to count masks and conflicts and to write the purities
 *   NORMS             defined to write the per-position double partials of norm keeping
 *   HAS_FP64          defined when the device has cl_khr_fp64 (norm keeping and statistics need it)
 *   DIVIDE_IN_DOUBLE  defined when float division is not correctly rounded on this device; each
 *                     quotient is then one double division rounded to float, which is correctly
 *                     rounded because 53 >= 2 * 24 + 2 makes the double rounding innocuous
 *   MEMORY_HINTS      defined where the compiler is clang and the device a CPU (the host sets it
 *                     for PoCL CPU devices): large outputs are written with streaming stores,
 *                     and the batch loops prefetch the gradient rows ahead into L2
 *   TILE_FLOATS       the size limit of the local tile of batched spans, below
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

/*
 * Vectors per work-item (CHUNKS) and the positions they cover (SPAN). Above width 1, four vectors
 * of positions take one vector of Philox blocks. Chunking 8 or 16 vectors measured within noise
 * of 4 on PoCL 3.1, and 4 keeps the per-work-item arrays smallest.
 */
#if WIDTH == 1
#define CHUNKS 1
#else
#define CHUNKS 4
#endif
#define SPAN (CHUNKS * WIDTH)
/*
 * TILE_FLOATS, set by the host, is the maximum floats of one span's gradient rows, B·K·SPAN, that
 * pass 1 copies to local memory for pass 2. The host sizes the local buffer from the same value.
 * Rows D floats apart map to the same cache sets, so without the copy pass 2 reads them from
 * memory again.
 * NOTE: measured with PoCL 3.1 on a 2-core Zen 4 VM, K = 4, B = 256, D = 65536: 54 against
 * 50 calls/s, alternating runs. The pass 2 prefetch is skipped when the tile is used.
 */
#ifndef TILE_FLOATS
#error "TILE_FLOATS must be set by the host"
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
#define STORE_GLOBAL(value, p) (*(p) = (value))
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
/*
 * A vector store through a type aligned like a float, which compiles to one unaligned vector
 * store; PoCL 3.1 splits vstore16 into three stores of 16, 16 and 32 bytes.
 */
typedef floatv __attribute__((aligned(4))) floatv_unaligned;
#define STORE(value, p) JOIN(vstore, WIDTH)(value, 0, p)
#define STORE_GLOBAL(value, p) (*(__global floatv_unaligned *) (p) = (value))
#ifdef MEMORY_HINTS
/* A streaming store of a full vector to an address aligned to the vector's size. */
#define STORE_STREAM(value, p) __builtin_nontemporal_store((value), (__global floatv *) (p))
/* A prefetch of the line at p into L2 (locality 2, prefetcht1 on x86). */
#define PREFETCH_L2(p) __builtin_prefetch((p), 0, 2)
#endif
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
 * work-item of width 16 fills whole 16-lane vectors.
 */
#if WIDTH == 1
typedef uint uintv;
typedef ulong ulongv;
#define TO_UINT(x) convert_uint(x)
#define TO_ULONG(x) convert_ulong(x)
#define BLOCK_INDEX 0

/* The high and low words of the 64-bit product a * m. */
static void multiply_wide(uint a, uint m, uint *high, uint *low) {
    ulong product = (ulong) a * (ulong) m;
    *high = (uint) (product >> 32);
    *low = (uint) product;
}
#else
typedef JOIN(uint, WIDTH) uintv;
typedef JOIN(ulong, WIDTH) ulongv;
#define TO_UINT(x) JOIN(convert_uint, WIDTH)(x)
#define TO_ULONG(x) JOIN(convert_ulong, WIDTH)(x)
#define BLOCK_INDEX JOIN(convert_ulong, WIDTH)(LANE_INDEX)
#if WIDTH == 4
#define HALF_WIDTH 2
#elif WIDTH == 8
#define HALF_WIDTH 4
#else
#define HALF_WIDTH 8
#endif
typedef JOIN(ulong, HALF_WIDTH) ulongh;
#define AS_ULONGH(x) JOIN(as_ulong, HALF_WIDTH)(x)
#define AS_UINTV(x) JOIN(as_uint, WIDTH)(x)

/*
 * The high and low words of the 64-bit products a * m, lane by lane. The uint lanes are viewed as
 * pairs in ulong lanes and each half is multiplied as a 32-bit value zero-extended to 64 bits,
 * which CPUs do in one instruction (vpmuludq) without widening the vector. Each product goes back
 * to the half it came from, so the result does not depend on the device's byte order.
 */
static void multiply_wide(uintv a, uint m, uintv *high, uintv *low) {
    ulongh pairs = AS_ULONGH(a);
    ulongh lowHalves = (pairs & 0xFFFFFFFFul) * (ulong) m;
    ulongh highHalves = (pairs >> 32) * (ulong) m;
    *low = AS_UINTV((lowHalves & 0xFFFFFFFFul) | (highHalves << 32));
    *high = AS_UINTV((lowHalves >> 32) | (highHalves & 0xFFFFFFFF00000000ul));
}
#endif

#if WIDTH == 16 && defined(__ENDIAN_LITTLE__)
/*
 * Width 16 keeps each Philox word in the low half of a ulong lane, eight blocks to a ulong8, so
 * that each multiply is one 32x32->64 bit instruction (vpmuludq on x86) whose product's halves are
 * the next round's words as they are: the high half by one shift, the low half in place. A lane's
 * high half carries garbage from earlier rounds, which the masked multiply operands and the final
 * selection of low halves ignore. It needs the low half at the even uint lane, so little-endian.
 * NOTE: measured with PoCL 3.1 on a 2-core Zen 4 VM; the uint16 form compiled each round's
 * recombination of halves to a 64-bit multiply (vpmullq) and a permute per multiply, and its
 * element-wise transpose to about ten permutes per vector of uniforms.
 */
#define PHILOX_SPLIT_LANES
#define SPLIT_GROUPS 4

static void philox_split_uniforms(ulong block, uint seedLo, uint seedHi, uint stepLo, uint stepHi, float16 *out) {
    ulong8 c0[SPLIT_GROUPS];
    ulong8 c1[SPLIT_GROUPS];
    ulong8 c2[SPLIT_GROUPS];
    ulong8 c3[SPLIT_GROUPS];
#pragma unroll
    for (int g = 0; g < SPLIT_GROUPS; g++) {
        ulong8 blocks = block + g * 8 + (ulong8) (0, 1, 2, 3, 4, 5, 6, 7);
        c0[g] = blocks;
        c1[g] = blocks >> 32;
        c2[g] = (ulong8) stepLo;
        c3[g] = (ulong8) stepHi;
    }
    ulong k0 = seedLo;
    ulong k1 = seedHi;
#pragma unroll
    for (int round = 0; round < 10; round++) {
#pragma unroll
        for (int g = 0; g < SPLIT_GROUPS; g++) {
            ulong8 product0 = (c0[g] & 0xFFFFFFFFul) * 0xD2511F53ul;
            ulong8 product1 = (c2[g] & 0xFFFFFFFFul) * 0xCD9E8D57ul;
            c0[g] = (product1 >> 32) ^ c1[g] ^ k0;
            c1[g] = product1;
            c2[g] = (product0 >> 32) ^ c3[g] ^ k1;
            c3[g] = product0;
        }
        k0 = (uint) (k0 + 0x9E3779B9u);
        k1 = (uint) (k1 + 0xBB67AE85u);
    }

    // Position 4·b + w takes word w of block b: the low halves of c0 and c1 interleave into
    // words 0 and 1 of eight blocks, those of c2 and c3 into words 2 and 3, and pairs of those
    // into position order. Values below 2^24 convert to float exactly.
#pragma unroll
    for (int g = 0; g < SPLIT_GROUPS; g++) {
        const uint16 interleaveLow = (uint16) (0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
        uint16 words01 = shuffle2(as_uint16(c0[g]), as_uint16(c1[g]), interleaveLow);
        uint16 words23 = shuffle2(as_uint16(c2[g]), as_uint16(c3[g]), interleaveLow);
        uint16 first = shuffle2(words01, words23, (uint16) (0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
        uint16 second = shuffle2(words01, words23, (uint16) (8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31));
        out[2 * g] = convert_float16(first >> 8) * 0x1.0p-24f;
        out[2 * g + 1] = convert_float16(second >> 8) * 0x1.0p-24f;
    }
}
#endif

/* The four words of lane i of each of v0..v3, in that order: the uniforms of one Philox block. */
#define BLOCK_WORDS(i) v0.s##i, v1.s##i, v2.s##i, v3.s##i

/*
 * Philox block vectors computed together above width 1: NOISE_SPANS spans' worth, so that the
 * rounds of independent vectors interleave and hide the latency of each round's multiplies.
 */
#if WIDTH == 1
#define NOISE_SPANS 1
#else
#define NOISE_SPANS 4
#endif

/*
 * Writes the uniform values of positions 4·block to 4·(block + NOISE_SPANS·WIDTH) - 1, in
 * position order, to out: four floats at width 1, else 4·NOISE_SPANS vectors. The key is the
 * seed, and the step is the counter's high half.
 */
#if WIDTH == 1
static void philox_uniforms(ulong block, uint seedLo, uint seedHi, uint stepLo, uint stepHi, float *out) {
#else
static void philox_uniforms(ulong block, uint seedLo, uint seedHi, uint stepLo, uint stepHi, floatv *out) {
#endif
#ifdef PHILOX_SPLIT_LANES
    // SPLIT_GROUPS ulong8 of blocks at a time, which fills half the vector registers.
#pragma unroll
    for (int part = 0; part < NOISE_SPANS * WIDTH / (8 * SPLIT_GROUPS); part++) {
        philox_split_uniforms(block + part * 8 * SPLIT_GROUPS, seedLo, seedHi, stepLo, stepHi, out + part * 2 * SPLIT_GROUPS);
    }
#else
    uintv c0[NOISE_SPANS];
    uintv c1[NOISE_SPANS];
    uintv c2[NOISE_SPANS];
    uintv c3[NOISE_SPANS];
#pragma unroll
    for (int v = 0; v < NOISE_SPANS; v++) {
        ulongv blocks = block + v * WIDTH + BLOCK_INDEX;
        c0[v] = TO_UINT(blocks);
        c1[v] = TO_UINT(blocks >> 32);
        c2[v] = (uintv) stepLo;
        c3[v] = (uintv) stepHi;
    }
    uint k0 = seedLo;
    uint k1 = seedHi;
#pragma unroll
    for (int round = 0; round < 10; round++) {
#pragma unroll
        for (int v = 0; v < NOISE_SPANS; v++) {
            uintv high0;
            uintv low0;
            uintv high1;
            uintv low1;
            multiply_wide(c0[v], 0xD2511F53u, &high0, &low0);
            multiply_wide(c2[v], 0xCD9E8D57u, &high1, &low1);
            c0[v] = high1 ^ c1[v] ^ k0;
            c1[v] = low1;
            c2[v] = high0 ^ c3[v] ^ k1;
            c3[v] = low0;
        }
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }

    // Values below 2^24 convert to float exactly. Position 4·b + w takes word w of block b, so
    // the vectors of words are transposed into position order.
#if WIDTH == 1
    vstore4(convert_float4((uint4) (c0[0], c1[0], c2[0], c3[0]) >> 8) * 0x1.0p-24f, 0, out);
#else
#pragma unroll
    for (int v = 0; v < NOISE_SPANS; v++) {
        floatv v0 = JOIN(convert_float, WIDTH)(c0[v] >> 8) * 0x1.0p-24f;
        floatv v1 = JOIN(convert_float, WIDTH)(c1[v] >> 8) * 0x1.0p-24f;
        floatv v2 = JOIN(convert_float, WIDTH)(c2[v] >> 8) * 0x1.0p-24f;
        floatv v3 = JOIN(convert_float, WIDTH)(c3[v] >> 8) * 0x1.0p-24f;
        floatv *words = out + v * 4;
#if WIDTH == 4
        words[0] = (floatv) (BLOCK_WORDS(0));
        words[1] = (floatv) (BLOCK_WORDS(1));
        words[2] = (floatv) (BLOCK_WORDS(2));
        words[3] = (floatv) (BLOCK_WORDS(3));
#elif WIDTH == 8
        words[0] = (floatv) (BLOCK_WORDS(0), BLOCK_WORDS(1));
        words[1] = (floatv) (BLOCK_WORDS(2), BLOCK_WORDS(3));
        words[2] = (floatv) (BLOCK_WORDS(4), BLOCK_WORDS(5));
        words[3] = (floatv) (BLOCK_WORDS(6), BLOCK_WORDS(7));
#else
        words[0] = (floatv) (BLOCK_WORDS(0), BLOCK_WORDS(1), BLOCK_WORDS(2), BLOCK_WORDS(3));
        words[1] = (floatv) (BLOCK_WORDS(4), BLOCK_WORDS(5), BLOCK_WORDS(6), BLOCK_WORDS(7));
        words[2] = (floatv) (BLOCK_WORDS(8), BLOCK_WORDS(9), BLOCK_WORDS(a), BLOCK_WORDS(b));
        words[3] = (floatv) (BLOCK_WORDS(c), BLOCK_WORDS(d), BLOCK_WORDS(e), BLOCK_WORDS(f));
#endif
    }
#endif
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
        STORE_GLOBAL(value, p);
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
    int laneBins[WIDTH];
    int laneCounted[WIDTH];
    STORE(bin, laneBins);
    STORE(counted, laneCounted);
    for (uint i = 0; i < lanes; i++) {
        if (laneCounted[i]) {
            atomic_inc(&localCounters[TASKS + 1 + laneBins[i]]);
        }
    }
#endif
}
#endif

/*
 * The operands of graddrop_positions that process_span reads, so that the span function takes
 * them as one argument. Everything here is uniform across the work-items of a launch.
 */
typedef struct {
    __global const float *gradients;
    ulong taskStride;
    __global const float *activations;
    int activationMode;
    __global const float *uniform;
    int explicitNoise;
    uint seedLo;
    uint seedHi;
    uint stepLo;
    uint stepHi;
    __global const float *keptCoefficients;
    __global const float *droppedCoefficients;
    __global float *output;
    __global float *taskOutputs;
    ulong taskOutputStride;
    int writeTaskOutputs;
    __global partial_t *partialIn;
    __global partial_t *partialOut;
    __global float *purities;
    int bins;
    ulong batch;
    ulong features;
    int lingvoForm;
    int keepKind;
    float keepScale;
    float keepFourScale;
    float epsilon;
    int lingvoTies;
    int streamOutput;
} span_operands;

/*
 * A vector of positions at p: all WIDTH lanes when `full`, else the first `lanes`. Callers pass a
 * constant `full`, so the inlined full-span path has no lane checks.
 */
#define LOAD_SPAN(p, lanes, full) ((full) ? LOAD(p) : load_lanes((p), (lanes)))
#define STORE_SPAN(value, p, lanes, full) \
    do { \
        if (full) { \
            STORE_GLOBAL((value), (p)); \
        } else { \
            store_lanes((value), (p), (lanes)); \
        } \
    } while (0)

#ifdef PREFETCH_L2
/*
 * Prefetches the gradients, and the activations when `activations`, of the span at `start` in row
 * b + PREFETCH_ROWS, or in the last row near the end of the batch.
 * NOTE: measured with PoCL 3.1 on a 2-core Zen 4 VM, K = 4, B = 256, D = 65536, kernel time alone:
 * the median call took 52 ms without prefetch, 40 ms 2 rows ahead, 35 ms 4 or 8 rows ahead and
 * 47 ms 16 rows ahead; prefetching 4 rows ahead into L1 took 49 ms, and pass 1 alone 39 ms.
 */
#define PREFETCH_ROWS 4
static inline __attribute__((always_inline)) void prefetch_row(const span_operands *op, ulong b, ulong start,
        int activations) {
    ulong ahead = min(b + PREFETCH_ROWS, op->batch - 1) * op->features + start;
#pragma unroll
    for (int c = 0; c < CHUNKS; c++) {
#pragma unroll
        for (int k = 0; k < TASKS; k++) {
            PREFETCH_L2(op->gradients + k * op->taskStride + ahead + c * WIDTH);
        }
        if (activations) {
            PREFETCH_L2(op->activations + ahead + c * WIDTH);
        }
    }
}
#endif

/* Pass 1 on one row b: adds g·s(a) of each task to its signed sum, or starts the sum when `first`. */
static inline __attribute__((always_inline)) void accumulate_row(const span_operands *op, ulong row, const uint *lanes,
        const int full, const int first, floatv *signedSums, __local float *tileRow) {
    const int chunks = full ? CHUNKS : 1;
    floatv factors[CHUNKS];
    if (op->activationMode != ACTIVATION_NONE) {
#pragma unroll
        for (int c = 0; c < chunks; c++) {
            floatv a = LOAD_SPAN(op->activations + row + c * WIDTH, lanes[c], full);
            factors[c] = activation_factor(a, op->activationMode, op->epsilon);
        }
    }
#pragma unroll
    for (int k = 0; k < TASKS; k++) {
        __global const float *taskRow = op->gradients + k * op->taskStride + row;
#pragma unroll
        for (int c = 0; c < chunks; c++) {
            floatv g = LOAD_SPAN(taskRow + c * WIDTH, lanes[c], full);
#if WIDTH > 1
            if (tileRow != 0) {
                JOIN(vstore, WIDTH)(g, 0, tileRow + k * SPAN + c * WIDTH);
            }
#endif
            floatv term = op->activationMode == ACTIVATION_NONE ? g : g * factors[c];
            signedSums[k * CHUNKS + c] = first ? term : signedSums[k * CHUNKS + c] + term;
        }
    }
}

/*
 * Both passes over positions from `start`: the SPAN positions of CHUNKS full vectors when `full`,
 * else the one vector of at most WIDTH positions that ends at `features` or before.
 */
static inline __attribute__((always_inline)) void process_span(const span_operands *op, ulong start, const int full,
        const floatv *generatedNoise, __local uint *localCounters, __local float *tile) {
    const int chunks = full ? CHUNKS : 1;
    uint lanes[CHUNKS];
#pragma unroll
    for (int c = 0; c < chunks; c++) {
        ulong d = start + c * WIDTH;
        lanes[c] = d < op->features ? (uint) min((ulong) WIDTH, op->features - d) : 0u;
    }

    floatv uniforms[CHUNKS];
    if (op->explicitNoise) {
#pragma unroll
        for (int c = 0; c < chunks; c++) {
            uniforms[c] = LOAD_SPAN(op->uniform + start + c * WIDTH, lanes[c], full);
        }
    } else {
#pragma unroll
        for (int c = 0; c < chunks; c++) {
            uniforms[c] = generatedNoise[c];
        }
    }

    // Pass 1: the signed gradient G_k of every task, summed over the batch in increasing b from
    // the b = 0 term. Entry k * CHUNKS + c is task k on chunk c; after the masks it is task k's
    // coefficient.
    intv ties = (intv) (op->lingvoTies ? -1 : 0);
    floatv signedSums[TASKS * CHUNKS];
    accumulate_row(op, start, lanes, full, 1, signedSums, tile);
    for (ulong b = 1; b < op->batch; b++) {
#ifdef PREFETCH_L2
        if (full) {
            prefetch_row(op, b, start, op->activationMode != ACTIVATION_NONE);
        }
#endif
        accumulate_row(op, b * op->features + start, lanes, full, 0, signedSums, tile != 0 ? tile + b * TASKS * SPAN : 0);
    }

#pragma unroll
    for (int c = 0; c < chunks; c++) {
        // Purity and keep probability from S = sum of G_k and T = sum of |G_k|, in increasing k.
        floatv sum = signedSums[c];
        floatv absSum = fabs(signedSums[c]);
#pragma unroll
        for (int k = 1; k < TASKS; k++) {
            sum = sum + signedSums[k * CHUNKS + c];
            absSum = absSum + fabs(signedSums[k * CHUNKS + c]);
        }
        floatv argument;
        if (!op->lingvoForm) {
            floatv den = absSum + op->epsilon;
            argument = select(0.5f * (1.0f + divide(sum, den)), (floatv) 0.5f, den == 0.0f);
        } else {
            floatv den = 2.0f * absSum + op->epsilon;
            argument = select(divide(sum, den), (floatv) 0.0f, den == 0.0f);
        }
        floatv f = keep_probability(argument, op->lingvoForm, op->keepKind, op->keepScale, op->keepFourScale);
        // The lingvo tie rule keeps a positive G_k where f == U too, and every G_k == 0. Its
        // lanes are selected with a uniform mask rather than a branch, which keeps the mask
        // logic in registers.
        intv keepPositive = (f > uniforms[c]) | (ties & (f == uniforms[c]));
        intv keepNegative = f < uniforms[c];

        // The mask of each task picks its coefficient.
#ifdef STATISTICS
        uint kept[TASKS];
        intv anyPositive = (intv) 0;
        intv anyNegative = (intv) 0;
#endif
#pragma unroll
        for (int k = 0; k < TASKS; k++) {
            floatv signedSum = signedSums[k * CHUNKS + c];
            intv positive = signedSum > 0.0f;
            intv negative = signedSum < 0.0f;
            intv zero = ties & (signedSum == 0.0f);
            intv mask = (keepPositive & positive) | (keepNegative & negative) | zero;
            signedSums[k * CHUNKS + c] = select((floatv) op->droppedCoefficients[k], (floatv) op->keptCoefficients[k], mask);
#ifdef STATISTICS
            kept[k] = count_lanes(mask, lanes[c]);
            anyPositive |= positive;
            anyNegative |= negative;
#endif
        }

#ifdef STATISTICS
        floatv purity = op->lingvoForm ? argument + 0.5f : argument;
        count_statistics(purity, localCounters, kept, anyPositive & anyNegative, op->bins, lanes[c]);
        STORE_SPAN(purity, op->purities + start + c * WIDTH, lanes[c], full);
#endif
    }

    // Pass 2: the output t_0 + t_1 + ... in increasing k, with t_k = c_k * g.
#ifdef NORMS
    doublev sumsIn[CHUNKS];
    doublev sumsOut[CHUNKS];
#pragma unroll
    for (int c = 0; c < chunks; c++) {
        sumsIn[c] = (doublev) 0.0;
        sumsOut[c] = (doublev) 0.0;
    }
#endif
    for (ulong b = 0; b < op->batch; b++) {
        ulong row = b * op->features + start;
#ifdef PREFETCH_L2
        if (full && op->batch > 1 && tile == 0) {
            prefetch_row(op, b, start, 0);
        }
#endif
        floatv outs[CHUNKS];
        floatv plains[CHUNKS];
#pragma unroll
        for (int k = 0; k < TASKS; k++) {
            __global const float *taskRow = op->gradients + k * op->taskStride + row;
#pragma unroll
            for (int c = 0; c < chunks; c++) {
                floatv g;
#if WIDTH > 1
                if (tile != 0) {
                    g = JOIN(vload, WIDTH)(0, tile + (b * TASKS + k) * SPAN + c * WIDTH);
                } else {
                    g = LOAD_SPAN(taskRow + c * WIDTH, lanes[c], full);
                }
#else
                g = LOAD_SPAN(taskRow + c * WIDTH, lanes[c], full);
#endif
                floatv term = signedSums[k * CHUNKS + c] * g;
                outs[c] = k == 0 ? term : outs[c] + term;
                plains[c] = k == 0 ? g : plains[c] + g;
                if (op->writeTaskOutputs) {
                    STORE_SPAN(term, op->taskOutputs + k * op->taskOutputStride + row + c * WIDTH, lanes[c], full);
                }
            }
        }
#pragma unroll
        for (int c = 0; c < chunks; c++) {
#ifdef STORE_STREAM
            if (full && op->streamOutput) {
                STORE_STREAM(outs[c], op->output + row + c * WIDTH);
            } else {
                STORE_SPAN(outs[c], op->output + row + c * WIDTH, lanes[c], full);
            }
#else
            STORE_SPAN(outs[c], op->output + row + c * WIDTH, lanes[c], full);
#endif
#ifdef NORMS
            doublev plainDouble = TO_DOUBLE(plains[c]);
            doublev outDouble = TO_DOUBLE(outs[c]);
            sumsIn[c] += plainDouble * plainDouble;
            sumsOut[c] += outDouble * outDouble;
#endif
        }
    }
#ifdef NORMS
#pragma unroll
    for (int c = 0; c < chunks; c++) {
        store_double_lanes(sumsIn[c], op->partialIn + start + c * WIDTH, lanes[c]);
        store_double_lanes(sumsOut[c], op->partialOut + start + c * WIDTH, lanes[c]);
    }
#endif
}

/*
 * Whether the full-span path writes the output with streaming stores: only above width 1, where
 * every full vector of the output is aligned to its size, and only for outputs far larger than the
 * caches, whose lines would otherwise be read for ownership and evict the gradients.
 * NOTE: the 8 MiB threshold is the native backend's, measured on a 2-core Zen 4 VM.
 */
static int stream_output(__global const float *output, ulong batch, ulong features, ulong first) {
#if defined(STORE_STREAM) && WIDTH > 1
    int aligned = (ulong) output % sizeof(floatv) == 0 && (batch == 1 || features % WIDTH == 0) && first % WIDTH == 0;
    return aligned && batch * features * sizeof(float) >= (8ul << 20);
#else
    return 0;
#endif
}

/*
 * Each work-item covers `spansPerItem` runs of SPAN consecutive mask positions, one run after the
 * other. A run is CHUNKS vectors of WIDTH lanes, and the work-item loops over the batch and the
 * tasks in the order of the contract. The chunk loop is innermost, so that each gradient row is
 * read SPAN floats at a time. Per-example masks are the case batch = 1, features = B*D, which the
 * host sets up.
 *
 * Runs that end inside the positions take the full-span path, whose unrolled loads and stores
 * have no lane checks. Only the last run of a call takes the path with lane checks, one vector at
 * a time. The host
 * rounds the global size up to the work-group size, so the last work-items may cover fewer
 * positions or none; a work-item with no positions only takes part in the barriers. `first` is a
 * multiple of 4 and SPAN a multiple of 4·WIDTH at widths above 1, so such a work-item owns whole
 * Philox blocks. At width 1, where `spansPerItem` is 1, the work-group size is a multiple of 4,
 * and the first quarter of the work-items computes each Philox block of the group once, into
 * local memory.
 * NOTE: on PoCL 3.1 with 2 AVX-512 cores (a Zen 4 VM), K = 4 and B·D = 16 Mi, bench/run.sh measured
 * 21.3 GB/s batched and 21.6 GB/s unbatched, 0.49 and 0.46 of the faster streaming copy of the
 * run. One thread is still bound by instructions, mostly Philox. A width-16 variant takes about
 * 2.2 s to build from an empty PoCL cache there, clBuildProgram and the first launch together.
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
        const float epsilon, const int lingvoTies, const uint spansPerItem) {
    span_operands op = {
        gradients, taskStride, activations, activationMode, uniform, explicitNoise,
        seedLo, seedHi, stepLo, stepHi, keptCoefficients, droppedCoefficients, output,
        taskOutputs, taskOutputStride, writeTaskOutputs, partialIn, partialOut, purities, bins,
        batch, features, lingvoForm, keepKind, keepScale, keepFourScale, epsilon, lingvoTies,
        stream_output(output, batch, features, first)};

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
#endif

    ulong itemFirst = first + get_global_id(0) * spansPerItem * SPAN;
    floatv noise[NOISE_SPANS * CHUNKS];
    for (uint s = 0; s < spansPerItem; s++) {
        ulong start = itemFirst + s * SPAN;
        if (start >= features) {
            break;
        }

        uint noiseSpan = s % NOISE_SPANS;
        if (!explicitNoise) {
#if WIDTH == 1
            noise[0] = localUniform[get_local_id(0)];
#else
            if (noiseSpan == 0) {
                philox_uniforms(start / 4, seedLo, seedHi, stepLo, stepHi, noise);
            }
#endif
        }

        if (start + SPAN <= features) {
#if WIDTH > 1
            int tiled = batch > 1 && batch * TASKS * SPAN <= TILE_FLOATS;
            process_span(&op, start, 1, noise + noiseSpan * CHUNKS, localCounters, tiled ? localUniform : 0);
#else
            process_span(&op, start, 1, noise + noiseSpan * CHUNKS, localCounters, 0);
#endif
        } else {
            // The last, partial span goes one vector at a time, so that its lane checks are
            // compiled once instead of once per chunk.
#pragma nounroll
            for (int c = 0; c < CHUNKS && start + c * WIDTH < features; c++) {
                process_span(&op, start + c * WIDTH, 0, noise + noiseSpan * CHUNKS + c, localCounters, 0);
            }
        }
    }

#ifdef STORE_STREAM
    // Streaming stores are weakly ordered on x86, so a fence makes them visible before the
    // work-item ends, whatever synchronization the runtime uses between kernels. On x86 a store
    // fence suffices, as every later store, the runtime's included, is ordered after it, and it
    // lets the next work-group's loads start while the streaming stores drain.
    if (op.streamOutput) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_sfence();
#else
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
    }
#endif

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
