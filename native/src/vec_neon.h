/* Vector operations on 4 floats with AArch64 Advanced SIMD (NEON). */
#ifndef GD_VEC_H
#define GD_VEC_H

#include <arm_neon.h>
#include <stdint.h>

#define VW 4

typedef float32x4_t V;
typedef uint32x4_t M;

static inline V v_load(const float *p) { return vld1q_f32(p); }
static inline void v_store(float *p, V v) { vst1q_f32(p, v); }
static inline void v_stream(float *p, V v) { vst1q_f32(p, v); }
static inline V v_set1(float x) { return vdupq_n_f32(x); }
static inline V v_add(V a, V b) { return vaddq_f32(a, b); }
static inline V v_sub(V a, V b) { return vsubq_f32(a, b); }
static inline V v_mul(V a, V b) { return vmulq_f32(a, b); }
static inline V v_div(V a, V b) { return vdivq_f32(a, b); }
static inline V v_abs(V a) { return vabsq_f32(a); }
static inline V v_neg(V a) { return vnegq_f32(a); }

/* -0.0f where m holds, +0.0f elsewhere: xor with it negates those lanes. */
static inline V v_sign_where(M m) { return vreinterpretq_f32_u32(vandq_u32(m, vdupq_n_u32(0x80000000u))); }
static inline V v_xor(V a, V b) { return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }

/* NEON comparisons are false when either side is NaN, like Java's. */
static inline M m_gt(V a, V b) { return vcgtq_f32(a, b); }
static inline M m_ge(V a, V b) { return vcgeq_f32(a, b); }
static inline M m_lt(V a, V b) { return vcltq_f32(a, b); }
static inline M m_le(V a, V b) { return vcleq_f32(a, b); }
static inline M m_eq(V a, V b) { return vceqq_f32(a, b); }
static inline M m_and(M a, M b) { return vandq_u32(a, b); }
static inline M m_or(M a, M b) { return vorrq_u32(a, b); }
static inline M m_and_gt(M m, V a, V b) { return m_and(m, m_gt(a, b)); }
static inline M m_none(void) { return vdupq_n_u32(0); }
static inline int m_count(M m) { return (int) vaddvq_u32(vshrq_n_u32(m, 31)); }

static inline V v_blend(M m, V a, V b) { return vbslq_f32(m, b, a); }

static inline V v_signum(V a) {
    M nonzero = vorrq_u32(vcgtq_f32(a, vdupq_n_f32(0.0f)), vcltq_f32(a, vdupq_n_f32(0.0f)));
    uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(a), vdupq_n_u32(0x80000000u));
    V one = vreinterpretq_f32_u32(vorrq_u32(sign, vdupq_n_u32(0x3f800000u)));
    return vbslq_f32(nonzero, one, a);
}

static inline V v_floor(V y) { return vrndmq_f32(y); }

static inline V v_pow2(V n) {
    int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
    return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
}

static inline void v_store_square(double *dst, V x) {
    float64x2_t lo = vcvt_f64_f32(vget_low_f32(x));
    float64x2_t hi = vcvt_high_f64_f32(x);
    vst1q_f64(dst, vmulq_f64(lo, lo));
    vst1q_f64(dst + 2, vmulq_f64(hi, hi));
}

static inline void v_add_square(double *dst, V x) {
    float64x2_t lo = vcvt_f64_f32(vget_low_f32(x));
    float64x2_t hi = vcvt_high_f64_f32(x);
    vst1q_f64(dst, vaddq_f64(vld1q_f64(dst), vmulq_f64(lo, lo)));
    vst1q_f64(dst + 2, vaddq_f64(vld1q_f64(dst + 2), vmulq_f64(hi, hi)));
}

#endif
