/* Vector operations of width 1: the portable scalar tier, and the reference for the others. */
#ifndef GD_VEC_H
#define GD_VEC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define VW 1

typedef float V;
typedef int M;

static inline V v_load(const float *p) { return *p; }
static inline void v_store(float *p, V v) { *p = v; }
static inline void v_stream(float *p, V v) { *p = v; }
static inline V v_set1(float x) { return x; }
static inline V v_add(V a, V b) { return a + b; }
static inline V v_sub(V a, V b) { return a - b; }
static inline V v_mul(V a, V b) { return a * b; }
static inline V v_div(V a, V b) { return a / b; }
static inline V v_abs(V a) { return fabsf(a); }
static inline V v_neg(V a) { return -a; }

/* -0.0f where m holds, +0.0f elsewhere: xor with it negates those lanes. */
static inline V v_sign_where(M m) { return m ? -0.0f : 0.0f; }
static inline V v_xor(V a, V b) {
    uint32_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    x ^= y;
    memcpy(&a, &x, sizeof a);
    return a;
}

static inline M m_gt(V a, V b) { return a > b; }
static inline M m_ge(V a, V b) { return a >= b; }
static inline M m_lt(V a, V b) { return a < b; }
static inline M m_le(V a, V b) { return a <= b; }
static inline M m_eq(V a, V b) { return a == b; }
static inline M m_and(M a, M b) { return a & b; }
static inline M m_or(M a, M b) { return a | b; }
static inline M m_and_gt(M m, V a, V b) { return m_and(m, m_gt(a, b)); }
static inline M m_none(void) { return 0; }
static inline int m_count(M m) { return m; }

/* m ? b : a */
static inline V v_blend(M m, V a, V b) { return m ? b : a; }

/* Math.signum: ±1 for non-zero numbers, the argument itself for ±0 and NaN. */
static inline V v_signum(V a) { return (a > 0.0f || a < 0.0f) ? copysignf(1.0f, a) : a; }

/* floor of a value below 2^23 in magnitude, or NaN. */
static inline V v_floor(V y) { return floorf(y); }

/* 2^n for an integral n in [-126, 127], built from the exponent bits; NaN n gives 1 as in Java. */
static inline V v_pow2(V n) {
    int32_t e = n == n ? (int32_t) n : 0;
    uint32_t bits = (uint32_t) (e + 127) << 23;
    float r;
    memcpy(&r, &bits, sizeof r);
    return r;
}

static inline void v_store_square(double *dst, V x) { *dst = (double) x * (double) x; }
static inline void v_add_square(double *dst, V x) { *dst += (double) x * (double) x; }

#endif
