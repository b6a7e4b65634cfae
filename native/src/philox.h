/* Philox4x32-10 constants and the scalar block function, shared by the tier sources. */
#ifndef GD_PHILOX_H
#define GD_PHILOX_H

#include <stdint.h>

#define GD_PHILOX_M0 0xD2511F53u
#define GD_PHILOX_M1 0xCD9E8D57u
#define GD_PHILOX_W0 0x9E3779B9u
#define GD_PHILOX_W1 0xBB67AE85u
#define GD_PHILOX_ROUNDS 10

/* 2^-24, the float32 spacing of the uniform values. */
#define GD_TWO_POW_MINUS_24 5.9604644775390625e-08f

static inline void gd_philox_block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                                   uint32_t k1, uint32_t out[4]) {
    for (int round = 0; round < GD_PHILOX_ROUNDS; round++) {
        uint64_t p0 = (uint64_t) GD_PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t) GD_PHILOX_M1 * c2;
        uint32_t next0 = (uint32_t) (p1 >> 32) ^ c1 ^ k0;
        uint32_t next2 = (uint32_t) (p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t) p1;
        c3 = (uint32_t) p0;
        c0 = next0;
        c2 = next2;
        k0 += GD_PHILOX_W0;
        k1 += GD_PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* The top 24 bits of a word times 2^-24: exact in float32, in [0, 1). */
static inline float gd_philox_uniform_of(uint32_t word) {
    return (float) (word >> 8) * GD_TWO_POW_MINUS_24;
}

#endif
