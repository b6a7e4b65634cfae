/*
 * The GradDrop arithmetic of docs/semantics.md, written once over the vector operations of a
 * vec_*.h header and compiled once per tier. Each lane follows exactly the float32 operation
 * order of the Java reference, so every tier returns the same bits.
 *
 * Before including this file, a tier source includes its vec_*.h header and defines
 * KERNEL(name) to give the functions tier-specific names.
 */

/* The maximum task count whose values the specialized loops keep in registers. */
#define GD_MAX_TASKS_IN_REGISTERS 4

/* The factor s(a) that turns a gradient into its signed contribution; see step 1. */
static inline V activation_factor(const gd_job *job, V a) {
    switch (job->activation_mode) {
    case GD_ACT_SIGN:
        return v_signum(a);
    case GD_ACT_VALUES:
        return a;
    default: {
        /* lingvo sign: a / |a + I[|a| <= eps]|, one rounded add and one rounded division */
        V indicator = v_blend(m_le(v_abs(a), v_set1(job->epsilon)), v_set1(0.0f), v_set1(1.0f));
        return v_div(a, v_abs(v_add(a, indicator)));
    }
    }
}

/* The deterministic expf of docs/semantics.md, for arguments already clamped to [-87, 88]. */
static inline V deterministic_exp(V x) {
    V n = v_floor(v_add(v_mul(x, v_set1(1.44269504f)), v_set1(0.5f)));
    V r = v_sub(v_sub(x, v_mul(n, v_set1(0.693145751953125f))), v_mul(n, v_set1(1.42860677e-6f)));

    V p = v_set1(1.0f / 5040.0f);
    p = v_add(v_mul(p, r), v_set1(1.0f / 720.0f));
    p = v_add(v_mul(p, r), v_set1(1.0f / 120.0f));
    p = v_add(v_mul(p, r), v_set1(1.0f / 24.0f));
    p = v_add(v_mul(p, r), v_set1(1.0f / 6.0f));
    p = v_add(v_mul(p, r), v_set1(0.5f));
    p = v_add(v_mul(p, r), v_set1(1.0f));
    p = v_add(v_mul(p, r), v_set1(1.0f));
    return v_mul(p, v_pow2(n));
}

/* 1 / (1 + exp(-x)) with -x clamped to [-87, 88]; a NaN stays NaN, as the comparisons fail. */
static inline V sigmoid(V x) {
    V minus = v_neg(x);
    minus = v_blend(m_lt(minus, v_set1(-87.0f)), minus, v_set1(-87.0f));
    minus = v_blend(m_gt(minus, v_set1(88.0f)), minus, v_set1(88.0f));
    return v_div(v_set1(1.0f), v_add(v_set1(1.0f), deterministic_exp(minus)));
}

/*
 * P in the paper form, r in the lingvo form: the value the keep function reads (step 2). The form
 * and ε are arguments, so that a loop which fixes the form as a constant drops the other branch.
 */
static inline V purity_argument(V sum, V abs_sum, V epsilon, const int lingvo_purity) {
    if (!lingvo_purity) {
        V den = v_add(abs_sum, epsilon);
        V purity = v_mul(v_set1(0.5f), v_add(v_set1(1.0f), v_div(sum, den)));
        return v_blend(m_eq(den, v_set1(0.0f)), purity, v_set1(0.5f));
    }
    V den = v_add(v_mul(v_set1(2.0f), abs_sum), epsilon);
    return v_blend(m_eq(den, v_set1(0.0f)), v_div(sum, den), v_set1(0.0f));
}

/* The keep probability f (step 3). */
static inline V keep_probability(const gd_job *job, V argument) {
    V half = v_set1(0.5f);
    if (!job->lingvo_purity) {
        switch (job->keep_function) {
        case GD_KEEP_LINEAR:
            return v_add(half, v_mul(v_set1(job->keep_scale), v_sub(argument, half)));
        case GD_KEEP_SIGMOID:
            return sigmoid(v_mul(v_set1(job->four_scale), v_sub(argument, half)));
        default:
            return argument;
        }
    }
    switch (job->keep_function) {
    case GD_KEEP_LINEAR:
        return v_add(v_mul(v_set1(job->keep_scale), argument), half);
    case GD_KEEP_SIGMOID:
        return sigmoid(v_mul(v_set1(4.0f), v_mul(v_set1(job->keep_scale), argument)));
    default:
        return v_add(argument, half);
    }
}

/* The purity reported in statistics. */
static inline V reported_purity(const gd_job *job, V argument) {
    return job->lingvo_purity ? v_add(argument, v_set1(0.5f)) : argument;
}

/*
 * Which signs survive at this position (step 5), given f and U. A task is kept when its G_k,
 * negated in the lanes where negative signs survive, is above zero in a lane where some sign
 * survives: one xor and one comparison per task. Negation is exact and keeps NaN a NaN, so this
 * is (positive and G_k > 0) or (negative and G_k < 0).
 */
typedef struct survivors {
    M decided; /* positive or negative */
    V flip;    /* -0.0f where negative signs survive */
} survivors;

static inline survivors surviving_signs(V f, V u, const int lingvo_ties) {
    survivors s;
    M positive = lingvo_ties ? m_ge(f, u) : m_gt(f, u);
    M negative = m_lt(f, u);
    s.decided = m_or(positive, negative);
    s.flip = v_sign_where(negative);
    return s;
}

static inline M task_mask(survivors s, V g, const int lingvo_ties) {
    M kept = m_and_gt(s.decided, v_xor(g, s.flip), v_set1(0.0f));
    return lingvo_ties ? m_or(kept, m_eq(g, v_set1(0.0f))) : kept;
}

/* The output store: streaming (past the caches) for large aligned outputs, else a plain one. */
static inline void store_output(const gd_job *job, float *p, V v) {
    if (job->stream) {
        v_stream(p, v);
    } else {
        v_store(p, v);
    }
}

/*
 * One vector of positions with one element each: masks per element, or B == 1. The callers pass
 * the task count and the option flags as constants where they can, so that the compiler unrolls
 * the task loops and drops the branches of the options that are off.
 */
static inline __attribute__((always_inline)) void fused_vector(const gd_job *job, int64_t first, int64_t j,
                                                               gd_tile *tile, const float *noise, const int32_t tasks,
                                                               const int task_outputs, const int norms,
                                                               const int statistics) {
    const int64_t i = first + j;
    const int act = job->activations != NULL;
    V factor = act ? activation_factor(job, v_load(job->activations + i)) : v_set1(0.0f);

    V sum = v_load(job->gradients[0] + i);
    if (act) {
        sum = v_mul(sum, factor);
    }
    V abs_sum = v_abs(sum);
    _Pragma("GCC unroll 4") for (int32_t k = 1; k < tasks; k++) {
        V g = v_load(job->gradients[k] + i);
        if (act) {
            g = v_mul(g, factor);
        }
        sum = v_add(sum, g);
        abs_sum = v_add(abs_sum, v_abs(g));
    }

    V argument = purity_argument(sum, abs_sum, v_set1(job->epsilon), job->lingvo_purity);
    survivors s = surviving_signs(keep_probability(job, argument), v_load(noise + j), job->lingvo_ties);

    /* The signed gradients are recomputed from the same inputs, which gives the same bits. */
    M any_positive = m_none();
    M any_negative = m_none();
    V out = v_set1(0.0f);
    V plain = v_set1(0.0f);
    _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
        V raw = v_load(job->gradients[k] + i);
        V g = act ? v_mul(raw, factor) : raw;
        M kept = task_mask(s, g, job->lingvo_ties);
        V term = v_mul(v_blend(kept, v_set1(job->dropped_coefficient[k]), v_set1(job->kept_coefficient[k])), raw);
        out = k == 0 ? term : v_add(out, term);
        if (task_outputs) {
            store_output(job, job->task_outputs[k] + i, term);
        }
        if (norms) {
            plain = k == 0 ? raw : v_add(plain, raw);
        }
        if (statistics) {
            tile->kept[k] += m_count(kept);
            any_positive = m_or(any_positive, m_gt(g, v_set1(0.0f)));
            any_negative = m_or(any_negative, m_lt(g, v_set1(0.0f)));
        }
    }
    store_output(job, job->output + i, out);

    if (norms) {
        v_store_square(tile->sq_in + j, plain);
        v_store_square(tile->sq_out + j, out);
    }
    if (statistics) {
        tile->conflicts += m_count(m_and(any_positive, any_negative));
        v_store(tile->purity + j, reported_purity(job, argument));
    }
}

/* The common call, with no per-task outputs, norms or statistics, for a fixed task count. */
#define FUSED_PLAIN(count)                                                                              \
    static void fused_plain_##count(const gd_job *job, int64_t first, int64_t j0, int64_t end, gd_tile *tile, \
                                    const float *noise) {                                             \
        for (int64_t j = j0; j < end; j += VW) {                                                      \
            fused_vector(job, first, j, tile, noise, count, 0, 0, 0);                                 \
        }                                                                                             \
    }
FUSED_PLAIN(2)
FUSED_PLAIN(3)
FUSED_PLAIN(4)

static void fused_general(const gd_job *job, int64_t first, int64_t j0, int64_t end, gd_tile *tile,
                          const float *noise) {
    for (int64_t j = j0; j < end; j += VW) {
        fused_vector(job, first, j, tile, noise, job->tasks, job->task_outputs != NULL, job->norms, job->statistics);
    }
}

/*
 * The common options of a per-element call: no activations or their signs, the identity keep
 * function, and purity and ties both of the paper or both of lingvo, with no per-task outputs,
 * norms or statistics. Every option is a constant here, and the coefficients and input pointers
 * live in registers. At -O2 the general loop keeps a test per option and reloads each coefficient
 * per vector.
 * NOTE: on one Zen 4 VM (AVX-512, K=4, D=16Ki in cache, explicit noise) this loop took 0.55 ns per
 * position against 0.62 ns for the general loop.
 */
static inline __attribute__((always_inline)) void fast_loop(const gd_job *job, int64_t first, int64_t j0, int64_t end,
                                                            const float *noise, const int32_t tasks,
                                                            const int signs, const int lingvo, const int stream) {
    const float *g[GD_MAX_TASKS_IN_REGISTERS];
    V kept_c[GD_MAX_TASKS_IN_REGISTERS];
    V dropped_c[GD_MAX_TASKS_IN_REGISTERS];
    _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
        g[k] = job->gradients[k] + first;
        kept_c[k] = v_set1(job->kept_coefficient[k]);
        dropped_c[k] = v_set1(job->dropped_coefficient[k]);
    }
    const float *activations = signs ? job->activations + first : NULL;
    float *output = job->output + first;
    const V epsilon = v_set1(job->epsilon);
    const V zero = v_set1(0.0f);
    const V half = v_set1(0.5f);

    for (int64_t j = j0; j < end; j += VW) {
        const V factor = signs ? v_signum(v_load(activations + j)) : zero;
        V raw[GD_MAX_TASKS_IN_REGISTERS];
        V signed_g[GD_MAX_TASKS_IN_REGISTERS];
        _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
            raw[k] = v_load(g[k] + j);
            signed_g[k] = signs ? v_mul(raw[k], factor) : raw[k];
        }

        V sum = signed_g[0];
        V abs_sum = v_abs(sum);
        _Pragma("GCC unroll 4") for (int32_t k = 1; k < tasks; k++) {
            sum = v_add(sum, signed_g[k]);
            abs_sum = v_add(abs_sum, v_abs(signed_g[k]));
        }

        /* The identity keep function of keep_probability: f is P, or r + 0.5f in the lingvo form. */
        const V argument = purity_argument(sum, abs_sum, epsilon, lingvo);
        const V f = lingvo ? v_add(argument, half) : argument;
        const survivors s = surviving_signs(f, v_load(noise + j), lingvo);

        V out = zero;
        _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
            const M kept = task_mask(s, signed_g[k], lingvo);
            V term = v_mul(v_blend(kept, dropped_c[k], kept_c[k]), raw[k]);
            out = k == 0 ? term : v_add(out, term);
        }
        if (stream) {
            v_stream(output + j, out);
        } else {
            v_store(output + j, out);
        }
    }
}

#define FAST_LOOP(count, signs, lingvo, stream)                                                         \
    static void fast_##count##_##signs##_##lingvo##_##stream(const gd_job *job, int64_t first, int64_t j0, \
                                                             int64_t end, const float *noise) {         \
        fast_loop(job, first, j0, end, noise, count, signs, lingvo, stream);                            \
    }
#define FAST_LOOPS(count)                                                                               \
    FAST_LOOP(count, 0, 0, 0)                                                                           \
    FAST_LOOP(count, 0, 0, 1)                                                                           \
    FAST_LOOP(count, 0, 1, 0)                                                                           \
    FAST_LOOP(count, 0, 1, 1)                                                                           \
    FAST_LOOP(count, 1, 0, 0)                                                                           \
    FAST_LOOP(count, 1, 0, 1)                                                                           \
    FAST_LOOP(count, 1, 1, 0)                                                                           \
    FAST_LOOP(count, 1, 1, 1)
FAST_LOOPS(2)
FAST_LOOPS(3)
FAST_LOOPS(4)

typedef void (*fast_fn)(const gd_job *job, int64_t first, int64_t j0, int64_t end, const float *noise);

/* The loop of fast_loop for this call, or NULL when an option needs the general loop. */
static fast_fn fast_loop_for(const gd_job *job) {
    static const fast_fn loops[3][8] = {
        {fast_2_0_0_0, fast_2_0_0_1, fast_2_0_1_0, fast_2_0_1_1, fast_2_1_0_0, fast_2_1_0_1, fast_2_1_1_0, fast_2_1_1_1},
        {fast_3_0_0_0, fast_3_0_0_1, fast_3_0_1_0, fast_3_0_1_1, fast_3_1_0_0, fast_3_1_0_1, fast_3_1_1_0, fast_3_1_1_1},
        {fast_4_0_0_0, fast_4_0_0_1, fast_4_0_1_0, fast_4_0_1_1, fast_4_1_0_0, fast_4_1_0_1, fast_4_1_1_0, fast_4_1_1_1},
    };
    const int plain = job->task_outputs == NULL && !job->norms && !job->statistics;
    const int signs = job->activations != NULL;
    if (!plain || job->tasks < 2 || job->tasks > 4 || job->keep_function != GD_KEEP_IDENTITY
        || (signs && job->activation_mode != GD_ACT_SIGN) || job->lingvo_purity != job->lingvo_ties) {
        return NULL;
    }
    return loops[job->tasks - 2][signs * 4 + (job->lingvo_purity != 0) * 2 + (job->stream != 0)];
}

/*
 * The kernels work on a local copy of the job: the vector stores may alias any memory, so with
 * the caller's struct the compiler would reload every field after every store.
 */
void KERNEL(fused)(const gd_job *shared, int64_t first, int64_t j0, int64_t j1, gd_tile *shared_tile,
                   const float *noise) {
    const gd_job local = *shared;
    const gd_job *job = &local;
    gd_tile tile_copy = *shared_tile;
    gd_tile *tile = &tile_copy;
    int64_t end = j0 + (j1 - j0) / VW * VW;
    const int plain = job->task_outputs == NULL && !job->norms && !job->statistics;
    const fast_fn fast = fast_loop_for(job);
    if (fast != NULL) {
        fast(job, first, j0, end, noise);
    } else if (plain && job->tasks == 2) {
        fused_plain_2(job, first, j0, end, tile, noise);
    } else if (plain && job->tasks == 3) {
        fused_plain_3(job, first, j0, end, tile, noise);
    } else if (plain && job->tasks == 4) {
        fused_plain_4(job, first, j0, end, tile, noise);
    } else {
        fused_general(job, first, j0, end, tile, noise);
    }
    shared_tile->conflicts = tile->conflicts;
#if VW > 1
    if (end < j1) {
        gd_scalar_fused(shared, first, end, j1, shared_tile, noise);
    }
#endif
}

/* Vectors of columns per strip of the batched kernel. */
#define BATCHED_STRIP 2

/*
 * Rows ahead whose tile columns pass 1 prefetches, and the locality hint of those prefetches. A
 * tile reads (K + 1) x B short row segments, each in its own page, which the hardware prefetchers
 * follow poorly. Locality 2 (prefetcht1) fills L2 but not L1.
 * NOTE: measured on one 2-core Zen 4 VM only (K=4 B=256 D=64Ki, best of 6 calls, 3 interleaved
 * rounds): 2 rows at locality 2 took 17.3 ms and 4 rows at locality 3 took 18.5 ms. 4 and 8 rows
 * at locality 2 were within noise of 2 rows.
 */
#define BATCHED_PREFETCH_ROWS 2
#define PREFETCH_LOCALITY 2

static inline __attribute__((always_inline)) void prefetch_row(const gd_job *job, int64_t row, int64_t j0,
                                                                int64_t end, const int32_t tasks) {
    for (int64_t j = j0; j < end; j += 16) {
        if (job->activations != NULL) {
            __builtin_prefetch(job->activations + row + j, 0, PREFETCH_LOCALITY);
        }
        _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
            __builtin_prefetch(job->gradients[k] + row + j, 0, PREFETCH_LOCALITY);
        }
    }
}

/* G_k of the tile's columns: the batch summed in increasing b from the b = 0 term (step 1). */
static inline __attribute__((always_inline)) void batched_signed_sums(const gd_job *job, int64_t first, int64_t j0,
                                                                      int64_t end, gd_tile *tile,
                                                                      const int32_t tasks) {
    const int64_t width = tile->width;
    const int act = job->activations != NULL;

    for (int64_t b = 0; b < job->batch; b++) {
        const int64_t row = b * job->features + first;
        if (job->prefetch && b + BATCHED_PREFETCH_ROWS < job->batch) {
            prefetch_row(job, row + BATCHED_PREFETCH_ROWS * job->features, j0, end, tasks);
        }
        if (act) {
            for (int64_t j = j0; j < end; j += VW) {
                v_store(tile->signs + j, activation_factor(job, v_load(job->activations + row + j)));
            }
        }
        _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
            const float *g = job->gradients[k] + row;
            float *signed_sum = tile->signed_sums + k * width;
            for (int64_t j = j0; j < end; j += VW) {
                V term = v_load(g + j);
                if (act) {
                    term = v_mul(term, v_load(tile->signs + j));
                }
                v_store(signed_sum + j, b == 0 ? term : v_add(v_load(signed_sum + j), term));
            }
        }
    }
}

/* Purity, keep probability and each task's coefficient c_k of one vector of columns, from its G_k. */
static inline __attribute__((always_inline)) void decide_vector(const gd_job *job, int64_t j, gd_tile *tile,
                                                                const float *noise, const V *signed_sums,
                                                                const int32_t tasks, const int statistics) {
    const int64_t width = tile->width;
    V sum = signed_sums[0];
    V abs_sum = v_abs(sum);
    _Pragma("GCC unroll 4") for (int32_t k = 1; k < tasks; k++) {
        sum = v_add(sum, signed_sums[k]);
        abs_sum = v_add(abs_sum, v_abs(signed_sums[k]));
    }

    V argument = purity_argument(sum, abs_sum, v_set1(job->epsilon), job->lingvo_purity);
    survivors s = surviving_signs(keep_probability(job, argument), v_load(noise + j), job->lingvo_ties);

    M any_positive = m_none();
    M any_negative = m_none();
    _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
        V g = signed_sums[k];
        M kept = task_mask(s, g, job->lingvo_ties);
        v_store(tile->coefficients + k * width + j,
                v_blend(kept, v_set1(job->dropped_coefficient[k]), v_set1(job->kept_coefficient[k])));
        if (statistics) {
            tile->kept[k] += m_count(kept);
            any_positive = m_or(any_positive, m_gt(g, v_set1(0.0f)));
            any_negative = m_or(any_negative, m_lt(g, v_set1(0.0f)));
        }
    }
    if (statistics) {
        tile->conflicts += m_count(m_and(any_positive, any_negative));
        v_store(tile->purity + j, reported_purity(job, argument));
    }
}

/* Purity, keep probability and each task's coefficient c_k of the tile's columns. */
static inline __attribute__((always_inline)) void batched_decide(const gd_job *job, int64_t j0, int64_t end,
                                                                 gd_tile *tile, const float *noise,
                                                                 const int32_t tasks) {
    const int64_t width = tile->width;
    V sums[tasks];

    for (int64_t j = j0; j < end; j += VW) {
        _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
            sums[k] = v_load(tile->signed_sums + k * width + j);
        }
        decide_vector(job, j, tile, noise, sums, tasks, job->statistics);
    }
}

/* Signed gradients of one row of a vector of columns, added to the sums in registers. */
static inline __attribute__((always_inline)) void add_row(const gd_job *job, const float *const *base,
                                                          const float *activations, int64_t offset, V *sums,
                                                          const int32_t tasks, const int initial) {
    V factor = activations != NULL ? activation_factor(job, v_load(activations + offset)) : v_set1(0.0f);
    _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
        V term = v_load(base[k] + offset);
        if (activations != NULL) {
            term = v_mul(term, factor);
        }
        sums[k] = initial ? term : v_add(sums[k], term);
    }
}

/*
 * All three steps for `vectors` vectors of columns from j and a few tasks: the strip runs down the
 * batch with its G_k held in registers, decides, then writes its output down the batch, so neither
 * the sums nor the coefficients are stored and reloaded per row. The pragmas unroll the loops over
 * constant counts, which -O2 alone leaves rolled, so that every G_k stays in a register.
 */
static inline __attribute__((always_inline)) void batched_strip(const gd_job *job, const float *const *base,
                                                                const float *activations, float *const *task_out,
                                                                float *output, int64_t j, gd_tile *tile,
                                                                const float *noise, const int32_t tasks,
                                                                const int vectors) {
    const int64_t features = job->features;
    const int64_t width = tile->width;
    V sums[BATCHED_STRIP][GD_MAX_TASKS_IN_REGISTERS];

    _Pragma("GCC unroll 2") for (int v = 0; v < vectors; v++) {
        add_row(job, base, activations, j + v * VW, sums[v], tasks, 1);
    }
    for (int64_t b = 1; b < job->batch; b++) {
        const int64_t row = b * features + j;
        _Pragma("GCC unroll 2") for (int v = 0; v < vectors; v++) {
            add_row(job, base, activations, row + v * VW, sums[v], tasks, 0);
        }
    }

    V coefficient[BATCHED_STRIP][GD_MAX_TASKS_IN_REGISTERS];
    _Pragma("GCC unroll 2") for (int v = 0; v < vectors; v++) {
        decide_vector(job, j + v * VW, tile, noise, sums[v], tasks, job->statistics);
        _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
            coefficient[v][k] = v_load(tile->coefficients + k * width + j + v * VW);
        }
    }

    for (int64_t b = 0; b < job->batch; b++) {
        const int64_t row = b * features + j;
        _Pragma("GCC unroll 2") for (int v = 0; v < vectors; v++) {
            const int64_t offset = row + v * VW;
            V out = v_set1(0.0f);
            _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
                V term = v_mul(coefficient[v][k], v_load(base[k] + offset));
                out = k == 0 ? term : v_add(out, term);
                if (task_out != NULL) {
                    store_output(job, task_out[k] + offset, term);
                }
            }
            store_output(job, output + offset, out);
        }
    }
}

/* The tile's columns in strips; for tiles that come from cache, as each strip walks every row. */
static inline __attribute__((always_inline)) void batched_registers(const gd_job *job, int64_t first, int64_t j0,
                                                                    int64_t end, gd_tile *tile,
                                                                    const float *noise, const int32_t tasks) {
    const float *base[GD_MAX_TASKS_IN_REGISTERS];
    float *task_out[GD_MAX_TASKS_IN_REGISTERS];
    _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
        base[k] = job->gradients[k] + first;
        task_out[k] = job->task_outputs != NULL ? job->task_outputs[k] + first : NULL;
    }
    const float *activations = job->activations != NULL ? job->activations + first : NULL;
    float *const *outputs = job->task_outputs != NULL ? task_out : NULL;
    float *output = job->output + first;

    int64_t j = j0;
    for (; j + BATCHED_STRIP * VW <= end; j += BATCHED_STRIP * VW) {
        batched_strip(job, base, activations, outputs, output, j, tile, noise, tasks, BATCHED_STRIP);
    }
    for (; j < end; j += VW) {
        batched_strip(job, base, activations, outputs, output, j, tile, noise, tasks, 1);
    }
}

#define BATCHED_REGISTERS(count)                                                                      \
    static void batched_registers_##count(const gd_job *job, int64_t first, int64_t j0, int64_t end,  \
                                          gd_tile *tile, const float *noise) {                        \
        batched_registers(job, first, j0, end, tile, noise, count);                                   \
    }
BATCHED_REGISTERS(1)
BATCHED_REGISTERS(2)
BATCHED_REGISTERS(3)
BATCHED_REGISTERS(4)

/* Writes the combined output row by row, re-reading the gradients the first pass left in cache. */
static inline __attribute__((always_inline)) void batched_combine(const gd_job *job, int64_t first, int64_t j0,
                                                                  int64_t end, gd_tile *tile, const int32_t tasks) {
    const int64_t width = tile->width;

    if (job->norms) {
        for (int64_t j = j0; j < end; j++) {
            tile->sq_in[j] = 0.0;
            tile->sq_out[j] = 0.0;
        }
    }

    for (int64_t b = 0; b < job->batch; b++) {
        const int64_t row = b * job->features + first;
        for (int64_t j = j0; j < end; j += VW) {
            V out = v_set1(0.0f);
            V plain = v_set1(0.0f);
            _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
                V raw = v_load(job->gradients[k] + row + j);
                V term = v_mul(v_load(tile->coefficients + k * width + j), raw);
                out = k == 0 ? term : v_add(out, term);
                if (job->task_outputs != NULL) {
                    store_output(job, job->task_outputs[k] + row + j, term);
                }
                if (job->norms) {
                    plain = k == 0 ? raw : v_add(plain, raw);
                }
            }
            store_output(job, job->output + row + j, out);
            if (job->norms) {
                v_add_square(tile->sq_in + j, plain);
                v_add_square(tile->sq_out + j, out);
            }
        }
    }
}

/*
 * The three row-by-row passes, for tiles that come from memory or calls with norms. The task
 * count is a constant where the callers can make it one, so the task loops unroll.
 */
static inline __attribute__((always_inline)) void batched_rows(const gd_job *job, int64_t first, int64_t j0,
                                                               int64_t end, gd_tile *tile, const float *noise,
                                                               const int32_t tasks) {
    batched_signed_sums(job, first, j0, end, tile, tasks);
    batched_decide(job, j0, end, tile, noise, tasks);
    batched_combine(job, first, j0, end, tile, tasks);
}

/*
 * The row-by-row passes of a plain call (no task outputs or norms) with the task count and the
 * activation sign as constants. Pass 1 reads every input row of a vector of columns in one loop,
 * and neither pass keeps a test per option inside its loops.
 * NOTE: on one 2-core Zen 4 VM (K=4 B=256 D=64Ki, best of 6 calls, 5 interleaved rounds) this took
 * 15.4 ms against 17.6 ms for the general passes.
 */
static inline __attribute__((always_inline)) void plain_rows(const gd_job *job, int64_t first, int64_t j0,
                                                             int64_t end, gd_tile *tile, const float *noise,
                                                             const int32_t tasks, const int signs) {
    const int64_t width = tile->width;
    const int64_t features = job->features;
    const float *g[GD_MAX_TASKS_IN_REGISTERS];
    _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
        g[k] = job->gradients[k] + first;
    }
    const float *activations = signs ? job->activations + first : NULL;
    float *output = job->output + first;
    float *sums = tile->signed_sums;

    for (int64_t b = 0; b < job->batch; b++) {
        const int64_t row = b * features;
        if (job->prefetch && b + BATCHED_PREFETCH_ROWS < job->batch) {
            prefetch_row(job, first + row + BATCHED_PREFETCH_ROWS * features, j0, end, tasks);
        }
        for (int64_t j = j0; j < end; j += VW) {
            const V factor = signs ? v_signum(v_load(activations + row + j)) : v_set1(0.0f);
            _Pragma("GCC unroll 4") for (int32_t k = 0; k < tasks; k++) {
                V term = v_load(g[k] + row + j);
                if (signs) {
                    term = v_mul(term, factor);
                }
                /* The b = 0 term starts the sum, so the sign of a zero sum is kept. */
                v_store(sums + k * width + j, b == 0 ? term : v_add(v_load(sums + k * width + j), term));
            }
        }
    }

    batched_decide(job, j0, end, tile, noise, tasks);

    const float *coefficients = tile->coefficients;
    for (int64_t b = 0; b < job->batch; b++) {
        const int64_t row = b * features;
        for (int64_t j = j0; j < end; j += VW) {
            V out = v_mul(v_load(coefficients + j), v_load(g[0] + row + j));
            _Pragma("GCC unroll 4") for (int32_t k = 1; k < tasks; k++) {
                out = v_add(out, v_mul(v_load(coefficients + k * width + j), v_load(g[k] + row + j)));
            }
            store_output(job, output + row + j, out);
        }
    }
}

#define PLAIN_ROWS(count)                                                                                       \
    static void plain_rows_##count##_0(const gd_job *job, int64_t first, int64_t j0, int64_t end, gd_tile *tile, \
                                       const float *noise) {                                                 \
        plain_rows(job, first, j0, end, tile, noise, count, 0);                                              \
    }                                                                                                        \
    static void plain_rows_##count##_1(const gd_job *job, int64_t first, int64_t j0, int64_t end, gd_tile *tile, \
                                       const float *noise) {                                                 \
        plain_rows(job, first, j0, end, tile, noise, count, 1);                                              \
    }
PLAIN_ROWS(2)
PLAIN_ROWS(3)
PLAIN_ROWS(4)

typedef void (*rows_fn)(const gd_job *job, int64_t first, int64_t j0, int64_t end, gd_tile *tile,
                        const float *noise);

/* The plain_rows loop for this call, or NULL when an option needs the general passes. */
static rows_fn plain_rows_for(const gd_job *job) {
    static const rows_fn loops[3][2] = {
        {plain_rows_2_0, plain_rows_2_1},
        {plain_rows_3_0, plain_rows_3_1},
        {plain_rows_4_0, plain_rows_4_1},
    };
    const int signs = job->activations != NULL;
    if (job->task_outputs != NULL || job->norms || job->tasks < 2 || job->tasks > 4
        || (signs && job->activation_mode != GD_ACT_SIGN)) {
        return NULL;
    }
    return loops[job->tasks - 2][signs];
}

#define BATCHED_ROWS(count)                                                                           \
    static void batched_rows_##count(const gd_job *job, int64_t first, int64_t j0, int64_t end,       \
                                     gd_tile *tile, const float *noise) {                             \
        batched_rows(job, first, j0, end, tile, noise, count);                                        \
    }
BATCHED_ROWS(2)
BATCHED_ROWS(3)
BATCHED_ROWS(4)

static void batched_rows_general(const gd_job *job, int64_t first, int64_t j0, int64_t end, gd_tile *tile,
                                 const float *noise) {
    batched_rows(job, first, j0, end, tile, noise, job->tasks);
}

void KERNEL(batched)(const gd_job *shared, int64_t first, int64_t j0, int64_t j1, gd_tile *shared_tile,
                     const float *noise) {
    const gd_job local = *shared;
    const gd_job *job = &local;
    gd_tile tile_copy = *shared_tile;
    gd_tile *tile = &tile_copy;
    int64_t end = j0 + (j1 - j0) / VW * VW;
    /*
     * Strips walk each row several times, which suits tiles that come from cache; a tile that
     * comes from memory reads faster row by row with prefetching.
     */
    const int registers = !job->norms && !job->prefetch && job->tasks <= GD_MAX_TASKS_IN_REGISTERS;
    const rows_fn plain = plain_rows_for(job);
    if (end > j0 && registers) {
        switch (job->tasks) {
        case 1:
            batched_registers_1(job, first, j0, end, tile, noise);
            break;
        case 2:
            batched_registers_2(job, first, j0, end, tile, noise);
            break;
        case 3:
            batched_registers_3(job, first, j0, end, tile, noise);
            break;
        default:
            batched_registers_4(job, first, j0, end, tile, noise);
        }
    } else if (end > j0 && plain != NULL) {
        plain(job, first, j0, end, tile, noise);
    } else if (end > j0 && job->tasks == 2) {
        batched_rows_2(job, first, j0, end, tile, noise);
    } else if (end > j0 && job->tasks == 3) {
        batched_rows_3(job, first, j0, end, tile, noise);
    } else if (end > j0 && job->tasks == 4) {
        batched_rows_4(job, first, j0, end, tile, noise);
    } else if (end > j0) {
        batched_rows_general(job, first, j0, end, tile, noise);
    }
    shared_tile->conflicts = tile->conflicts;
#if VW > 1
    if (end < j1) {
        gd_scalar_batched(shared, first, end, j1, shared_tile, noise);
    }
#endif
}
