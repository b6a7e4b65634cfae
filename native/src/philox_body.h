/*
 * Philox4x32-10 over vectors of counters, one counter per lane; compiled once per tier.
 *
 * Before including this file a tier source defines LANES, the integer vector type VI and:
 *   VI vi_set1(uint32_t), VI vi_counters(uint32_t low) (lane l contains low + l), vi_xor3 (a ^ b ^ c),
 *   void vi_mulhilo(VI a, uint32_t m, VI *hi, VI *lo), and
 *   void vi_store_uniform(float *out, VI w0, VI w1, VI w2, VI w3), which writes the 4 * LANES
 *   uniform values in position order (counter-major, word-minor).
 */

/* Groups of 4 * LANES positions that one loop iteration generates together. A tier may set more. */
#ifndef PHILOX_GROUPS
#define PHILOX_GROUPS 2
#endif

/* Positions whose uniforms one group of counter vectors gives: LANES counters of 4 words each. */
#define GD_PHILOX_GROUP_POSITIONS (4 * LANES)

/*
 * Writes the uniforms of `groups` * GD_PHILOX_GROUP_POSITIONS positions from `position`, a
 * multiple of 4, in position order. The caller makes sure that the low counter word does not wrap
 * inside them. Each round is a chain of a multiply, a shuffle and an xor, so independent groups
 * keep the vector units busy during the latency of one group's chain.
 */
static inline __attribute__((always_inline)) void philox_groups(uint64_t seed, uint64_t step, int64_t position,
                                                                float *out, const int groups) {
    const uint64_t counter = (uint64_t) position >> 2;
    const uint32_t low = (uint32_t) counter;
    VI w0[PHILOX_GROUPS], w1[PHILOX_GROUPS], w2[PHILOX_GROUPS], w3[PHILOX_GROUPS];
    _Pragma("GCC unroll 4") for (int g = 0; g < groups; g++) {
        w0[g] = vi_counters(low + (uint32_t) (g * LANES));
        w1[g] = vi_set1((uint32_t) (counter >> 32));
        w2[g] = vi_set1((uint32_t) step);
        w3[g] = vi_set1((uint32_t) (step >> 32));
    }
    uint32_t key0 = (uint32_t) seed;
    uint32_t key1 = (uint32_t) (seed >> 32);
    for (int round = 0; round < GD_PHILOX_ROUNDS; round++) {
        _Pragma("GCC unroll 4") for (int g = 0; g < groups; g++) {
            VI hi0, lo0, hi1, lo1;
            vi_mulhilo(w0[g], GD_PHILOX_M0, &hi0, &lo0);
            vi_mulhilo(w2[g], GD_PHILOX_M1, &hi1, &lo1);
            w0[g] = vi_xor3(hi1, w1[g], vi_set1(key0));
            w1[g] = lo1;
            w2[g] = vi_xor3(hi0, w3[g], vi_set1(key1));
            w3[g] = lo0;
        }
        key0 += GD_PHILOX_W0;
        key1 += GD_PHILOX_W1;
    }
    _Pragma("GCC unroll 4") for (int g = 0; g < groups; g++) {
        vi_store_uniform(out + g * GD_PHILOX_GROUP_POSITIONS, w0[g], w1[g], w2[g], w3[g]);
    }
}

void KERNEL(philox)(uint64_t seed, uint64_t step, int64_t first, int64_t n, float *out) {
    int64_t position = first;
    const int64_t end = first + n;

    /* Positions before the first whole counter go through the scalar form. */
    int64_t lead = (4 - (position & 3)) & 3;
    if (lead > n) {
        lead = n;
    }
    if (lead > 0) {
        gd_philox_scalar(seed, step, position, lead, out);
        position += lead;
    }

    /* PHILOX_GROUPS whole groups at a time, while the low counter word does not wrap inside them. */
    while (end - position >= PHILOX_GROUPS * GD_PHILOX_GROUP_POSITIONS) {
        if ((uint32_t) ((uint64_t) position >> 2) > UINT32_MAX - (PHILOX_GROUPS * LANES - 1)) {
            break;
        }
        philox_groups(seed, step, position, out + (position - first), PHILOX_GROUPS);
        position += PHILOX_GROUPS * GD_PHILOX_GROUP_POSITIONS;
    }

    /* The last, partial group is generated whole into a buffer and copied. */
    float partial[4 * LANES];
    while (position < end) {
        const int64_t count = end - position < 4 * LANES ? end - position : 4 * LANES;
        float *target = count == 4 * LANES ? out + (position - first) : partial;
        uint64_t counter = (uint64_t) position >> 2;
        uint32_t low = (uint32_t) counter;
        if (low > UINT32_MAX - (LANES - 1)) {
            /* The low counter word wraps inside this group; the scalar form carries into the high word. */
            gd_philox_scalar(seed, step, position, count, out + (position - first));
            position += count;
            continue;
        }

        philox_groups(seed, step, position, target, 1);
        if (target == partial) {
            memcpy(out + (position - first), partial, (size_t) count * sizeof(float));
        }
        position += count;
    }
}
