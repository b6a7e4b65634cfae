/*
 * gd_apply: argument checks, the split of the positions into 4096-position blocks, the threads
 * that run them, and the double sums that follow the blocks in order. The arithmetic of each
 * position lives in the tier kernels (kernel_body.h).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gd_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

/* Below this many floats read and written, a call runs on the calling thread: a handoff costs more. */
#define SMALL_CALL_FLOATS (1 << 18)

/*
 * Outputs of at least this many bytes are written with non-temporal stores: they would not stay in
 * the caches until the caller reads them, and a plain store first reads each line it writes.
 */
#define STREAM_MIN_BYTES ((int64_t) 8 << 20)

/* Output elements per work unit of the rescaling pass. */
#define RESCALE_CHUNK (1 << 16)

/*
 * Positions per tile when every position is one element. A short tile interleaves the Philox
 * rounds, which touch no memory, finely with the loads of the kernel.
 * NOTE: 256 measured slightly faster than 1024 and 4096 for K=4 D=16Mi on one 2-core Zen 4 VM, within its noise.
 */
#define FUSED_TILE 256

/* Counters of one worker, laid out as kept[tasks], conflicts, histogram[bins]. */
typedef struct call_state {
    gd_job job;
    const gd_kernels *kernels;
    int64_t blocks;
    atomic_llong next_block;
    int32_t workers; /* threads asked for, which sets the size of each claim */
    double *block_sums; /* [blocks][3]: sums of squares in, out, purity */
    int64_t *counters;
    int64_t counter_stride;
    size_t tile_bytes;

    float scale;
    int64_t chunks;
    atomic_llong next_chunk;
} call_state;

static int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

static size_t align64(size_t bytes) {
    return (bytes + 63) / 64 * 64;
}

/* The bin of P, as Java computes min(max((int) (P * bins), 0), bins - 1). */
static int32_t histogram_bin(float purity, int32_t bins) {
    float scaled = purity * (float) bins;
    if (scaled >= (float) (bins - 1)) {
        return bins - 1;
    }
    if (scaled < 1.0f) {
        return 0;
    }
    return (int32_t) scaled;
}

/* Tile scratch bytes for one worker; gd_tile's arrays, in the order carve_tile lays them out. */
static size_t tile_bytes(const gd_job *job) {
    size_t width = (size_t) job->tile_width;
    size_t bytes = 3 * align64(width * sizeof(float)) + 2 * align64(width * sizeof(double));
    if (job->batched) {
        bytes += 2 * align64((size_t) job->tasks * width * sizeof(float));
    }
    return bytes;
}

static void carve_tile(const gd_job *job, char *memory, gd_tile *tile) {
    size_t width = (size_t) job->tile_width;
    tile->width = job->tile_width;
    tile->noise = (float *) memory;
    memory += align64(width * sizeof(float));
    tile->purity = (float *) memory;
    memory += align64(width * sizeof(float));
    tile->signs = (float *) memory;
    memory += align64(width * sizeof(float));
    tile->sq_in = (double *) memory;
    memory += align64(width * sizeof(double));
    tile->sq_out = (double *) memory;
    memory += align64(width * sizeof(double));
    if (job->batched) {
        tile->signed_sums = (float *) memory;
        memory += align64((size_t) job->tasks * width * sizeof(float));
        tile->coefficients = (float *) memory;
    } else {
        tile->signed_sums = NULL;
        tile->coefficients = NULL;
    }
}

static void run_block(call_state *state, int64_t block, gd_tile *tile, int64_t *histogram) {
    const gd_job *job = &state->job;
    const int64_t start = block * GD_BLOCK;
    const int64_t end = min64(start + GD_BLOCK, job->positions);
    double sum_in = 0.0;
    double sum_out = 0.0;
    double sum_purity = 0.0;

    for (int64_t first = start; first < end; first += job->tile_width) {
        const int64_t width = min64(job->tile_width, end - first);
        const float *noise;
        if (job->uniform != NULL) {
            noise = job->uniform + first;
        } else {
            state->kernels->philox(job->seed, job->step, first, width, tile->noise);
            noise = tile->noise;
        }

        if (job->batched) {
            state->kernels->batched(job, first, 0, width, tile, noise);
        } else {
            state->kernels->fused(job, first, 0, width, tile, noise);
        }

        /* The double sums run in increasing position order, as the contract fixes. */
        if (job->norms) {
            for (int64_t j = 0; j < width; j++) {
                sum_in += tile->sq_in[j];
                sum_out += tile->sq_out[j];
            }
        }
        if (job->statistics) {
            for (int64_t j = 0; j < width; j++) {
                float purity = tile->purity[j];
                sum_purity += (double) purity;
                if (purity == purity) {
                    histogram[histogram_bin(purity, job->bins)]++;
                }
            }
        }
    }

    state->block_sums[3 * block] = sum_in;
    state->block_sums[3 * block + 1] = sum_out;
    state->block_sums[3 * block + 2] = sum_purity;
}

/* Orders this thread's non-temporal stores before the pool's handoff publishes them. */
static void store_fence(void) {
#if defined(__x86_64__) || defined(_M_X64)
    _mm_sfence();
#endif
}

/* Whether every vector store of the kernels lands on a 64-byte boundary, as streaming needs. */
static int aligned_outputs(const gd_job *job) {
    if (job->batched && job->features % GD_MAX_LANES != 0) {
        return 0;
    }
    if ((uintptr_t) job->output % 64 != 0) {
        return 0;
    }
    if (job->task_outputs != NULL) {
        for (int32_t k = 0; k < job->tasks; k++) {
            if ((uintptr_t) job->task_outputs[k] % 64 != 0) {
                return 0;
            }
        }
    }
    return 1;
}

/*
 * Claims the next run of blocks: a share of what is left, so it shrinks as the call ends. Each
 * thread streams long contiguous ranges, which the hardware prefetchers follow. The last claims
 * are short, so the threads finish together. Returns the count, 0 when done.
 */
static int64_t claim_blocks(call_state *state, int64_t *first) {
    int64_t next = atomic_load_explicit(&state->next_block, memory_order_relaxed);
    for (;;) {
        int64_t left = state->blocks - next;
        if (left <= 0) {
            return 0;
        }
        int64_t count = left / (2 * (int64_t) state->workers);
        count = count < 1 ? 1 : count;
        if (atomic_compare_exchange_weak_explicit(&state->next_block, &next, next + count, memory_order_relaxed,
                                                  memory_order_relaxed)) {
            *first = next;
            return count;
        }
    }
}

static void run_blocks(void *context, int32_t worker) {
    call_state *state = context;
    char *memory = gd_scratch(0, state->tile_bytes);
    if (memory == NULL) {
        /* The caller's scratch was checked before any write, so the other workers finish the blocks. */
        return;
    }
    gd_tile tile;
    carve_tile(&state->job, memory, &tile);
    int64_t *counters = state->counters + (int64_t) worker * state->counter_stride;
    tile.kept = counters;
    tile.conflicts = 0;
    int64_t *histogram = counters + state->job.tasks + 1;

    for (;;) {
        int64_t first = 0;
        int64_t count = claim_blocks(state, &first);
        if (count == 0) {
            break;
        }
        for (int64_t block = first; block < first + count; block++) {
            run_block(state, block, &tile, histogram);
        }
    }
    if (state->job.stream) {
        store_fence();
    }
    counters[state->job.tasks] += tile.conflicts;
}

static void rescale_chunks(void *context, int32_t worker) {
    (void) worker;
    call_state *state = context;
    const int64_t elements = state->job.elements;
    for (;;) {
        int64_t chunk = atomic_fetch_add_explicit(&state->next_chunk, 1, memory_order_relaxed);
        if (chunk >= state->chunks) {
            break;
        }
        int64_t first = chunk * RESCALE_CHUNK;
        state->kernels->scale(state->job.output + first, min64(RESCALE_CHUNK, elements - first), state->scale);
    }
}

static int valid_params(const gd_params *p) {
    if (p->tasks < 1 || p->batch < 1 || p->features < 1) {
        return 0;
    }
    if (p->batch > INT64_MAX / p->features / (int64_t) sizeof(float)) {
        return 0;
    }
    if (p->activation_mode < GD_ACT_NONE || p->activation_mode > GD_ACT_LINGVO_SIGN) {
        return 0;
    }
    if (p->purity_form != GD_PURITY_PAPER && p->purity_form != GD_PURITY_LINGVO) {
        return 0;
    }
    if (p->keep_function < GD_KEEP_IDENTITY || p->keep_function > GD_KEEP_SIGMOID || !isfinite(p->keep_scale)) {
        return 0;
    }
    if (!isfinite(p->epsilon) || !(p->epsilon >= 0.0f)) {
        return 0;
    }
    if ((p->marginalize != 0 && p->marginalize != 1) || (p->tie_rule != GD_TIES_PAPER && p->tie_rule != GD_TIES_LINGVO)) {
        return 0;
    }
    if (p->norm_mode < GD_NORM_NONE || p->norm_mode > GD_NORM_LINGVO) {
        return 0;
    }
    if ((p->noise_mode != GD_NOISE_EXPLICIT && p->noise_mode != GD_NOISE_PHILOX)
        || (p->nonfinite_policy != GD_NONFINITE_PROPAGATE && p->nonfinite_policy != GD_NONFINITE_REJECT)) {
        return 0;
    }
    return p->threads >= 0 && p->threads <= GD_MAX_THREADS && p->reserved == 0;
}

static int valid_pointers(const gd_params *p, const float *const *gradients, const float *activations,
                          const float *uniform, const float *leaks, const float *output) {
    if (gradients == NULL || leaks == NULL || output == NULL) {
        return 0;
    }
    for (int32_t k = 0; k < p->tasks; k++) {
        if (gradients[k] == NULL || !(leaks[k] >= 0.0f && leaks[k] <= 1.0f)) {
            return 0;
        }
    }
    if (p->activation_mode != GD_ACT_NONE && activations == NULL) {
        return 0;
    }
    return p->noise_mode != GD_NOISE_EXPLICIT || uniform != NULL;
}

/* Reports the first NaN or infinity, gradients before activations; returns 1 if there is one. */
static int find_nonfinite(const gd_kernels *kernels, const gd_params *p, const float *const *gradients,
                          const float *activations, gd_result *result) {
    const int64_t elements = p->batch * p->features;
    for (int32_t k = 0; k < p->tasks; k++) {
        int64_t index = kernels->find_nonfinite(gradients[k], elements);
        if (index >= 0) {
            if (result != NULL) {
                result->nonfinite_source = 0;
                result->nonfinite_index = (int64_t) k * elements + index;
            }
            return 1;
        }
    }
    if (activations != NULL) {
        int64_t index = kernels->find_nonfinite(activations, elements);
        if (index >= 0) {
            if (result != NULL) {
                result->nonfinite_source = 1;
                result->nonfinite_index = index;
            }
            return 1;
        }
    }
    return 0;
}

/* The widest power-of-two tile whose gradients, K x B x width floats, fit the cache budget. */
static long level1_budget;
static long level2_budget;

/*
 * Three quarters of the L1 data cache and the whole L2 cache as the OS reports them (32 KiB and
 * 1 MiB when unknown), with the L2 budget kept within [128 KiB, 2 MiB]. The outputs bypass the
 * caches with non-temporal stores, so the gradients of a tile can take all of L2.
 * NOTE: on one 2-core Zen 4 VM (1 MiB L2), K=4 B=256 tiles of 256 columns ran about 10% faster
 * than tiles of 128 columns (half of L2); other cache designs were not measured.
 */
__attribute__((constructor)) static void choose_tile_budgets(void) {
    long level1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
    long level2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    level1_budget = (level1 > 0 ? level1 : 32 * 1024) / 4 * 3;
    long chosen = level2 > 0 ? level2 : 1024 * 1024;
    level2_budget = chosen < 128 * 1024 ? 128 * 1024 : (chosen > 2048 * 1024 ? 2048 * 1024 : chosen);
}

/* The widest power-of-two tile, at least `minimum` wide, whose K x B x width gradient floats fit `budget`. */
static int64_t widest_tile(int32_t tasks, int64_t batch, long budget, int64_t minimum) {
    int64_t width = GD_BLOCK;
    while (width > minimum && (double) tasks * (double) batch * (double) width * sizeof(float) > (double) budget) {
        width /= 2;
    }
    return width;
}

/*
 * The tile of a batched call. The second pass re-reads the tile's gradients, so the tile stays in
 * L1 when one of at least GD_MAX_LANES columns fits there, which suits small batches, and in L2
 * otherwise.
 */
static int64_t batched_tile_width(int32_t tasks, int64_t batch) {
    int64_t width = widest_tile(tasks, batch, level1_budget, GD_MAX_LANES);
    if ((double) tasks * (double) batch * (double) width * sizeof(float) <= (double) level1_budget) {
        return width;
    }
    return widest_tile(tasks, batch, level2_budget, GD_MAX_LANES);
}

int32_t gd_apply(const gd_params *params, const float *const *gradients, const float *activations,
                 const float *uniform, const float *leaks, float *output, float *const *task_outputs,
                 gd_result *result) {
    if (params == NULL || !valid_params(params)) {
        return GD_ERR_INVALID_ARGUMENT;
    }
    const int statistics = result != NULL && result->want_statistics;
    if (statistics && (params->histogram_bins < 1 || params->histogram_bins > GD_MAX_HISTOGRAM_BINS)) {
        return GD_ERR_INVALID_ARGUMENT;
    }
    if (!valid_pointers(params, gradients, activations, uniform, leaks, output)) {
        return GD_ERR_INVALID_ARGUMENT;
    }
    if (params->activation_mode == GD_ACT_NONE) {
        activations = NULL;
    }
    if (params->noise_mode == GD_NOISE_PHILOX) {
        uniform = NULL;
    }

    call_state state;
    gd_job *job = &state.job;
    memset(&state, 0, sizeof state);
    state.kernels = gd_active_kernels();

    if (params->nonfinite_policy == GD_NONFINITE_REJECT
        && find_nonfinite(state.kernels, params, gradients, activations, result)) {
        return GD_ERR_NON_FINITE;
    }

    job->tasks = params->tasks;
    job->batch = params->batch;
    job->features = params->features;
    job->elements = params->batch * params->features;
    job->positions = params->marginalize ? params->features : job->elements;
    job->batched = params->marginalize && params->batch > 1;
    job->gradients = gradients;
    job->activations = activations;
    job->activation_mode = params->activation_mode;
    job->uniform = uniform;
    job->seed = params->seed;
    job->step = params->step;
    job->epsilon = params->epsilon;
    job->lingvo_purity = params->purity_form == GD_PURITY_LINGVO;
    job->keep_function = params->keep_function;
    job->keep_scale = params->keep_scale;
    job->four_scale = 4.0f * params->keep_scale;
    job->lingvo_ties = params->tie_rule == GD_TIES_LINGVO;
    job->output = output;
    job->task_outputs = task_outputs;
    job->norms = params->norm_mode != GD_NORM_NONE;
    job->statistics = statistics;
    job->bins = statistics ? params->histogram_bins : 1;
    job->tile_width = job->batched ? batched_tile_width(params->tasks, params->batch) : FUSED_TILE;
    job->stream = job->elements * (int64_t) sizeof(float) >= STREAM_MIN_BYTES && aligned_outputs(job);
    job->prefetch = (double) job->elements * (double) job->tasks * sizeof(float) >= (double) STREAM_MIN_BYTES;

    state.blocks = (job->positions + GD_BLOCK - 1) / GD_BLOCK;
    int32_t workers = params->threads == 0 ? gd_online_processors() : params->threads;
    if (workers > state.blocks) {
        workers = (int32_t) state.blocks;
    }
    if ((double) job->elements * (double) (job->tasks + 2) < (double) SMALL_CALL_FLOATS) {
        workers = 1;
    }

    /* Every allocation happens here, before the first write, so a failure leaves the output untouched. */
    state.counter_stride = job->tasks + 1 + job->bins;
    state.tile_bytes = tile_bytes(job);
    size_t coefficient_bytes = align64((size_t) job->tasks * sizeof(float));
    size_t sums_bytes = align64((size_t) state.blocks * 3 * sizeof(double));
    size_t counter_bytes = (size_t) workers * (size_t) state.counter_stride * sizeof(int64_t);
    char *memory = gd_scratch(1, 2 * coefficient_bytes + sums_bytes + counter_bytes);
    if (memory == NULL || gd_scratch(0, state.tile_bytes) == NULL) {
        return GD_ERR_OUT_OF_MEMORY;
    }
    float *kept_coefficient = (float *) memory;
    float *dropped_coefficient = (float *) (memory + coefficient_bytes);
    state.block_sums = (double *) (memory + 2 * coefficient_bytes);
    state.counters = (int64_t *) (memory + 2 * coefficient_bytes + sums_bytes);
    memset(state.counters, 0, counter_bytes);
    for (int32_t k = 0; k < job->tasks; k++) {
        kept_coefficient[k] = leaks[k] + (1.0f - leaks[k]);
        dropped_coefficient[k] = leaks[k];
    }
    job->kept_coefficient = kept_coefficient;
    job->dropped_coefficient = dropped_coefficient;

    atomic_init(&state.next_block, 0);
    state.workers = workers;
    int32_t ran = gd_pool_run(workers, run_blocks, &state);

    double total_in = 0.0;
    double total_out = 0.0;
    double total_purity = 0.0;
    for (int64_t block = 0; block < state.blocks; block++) {
        total_in += state.block_sums[3 * block];
        total_out += state.block_sums[3 * block + 1];
        total_purity += state.block_sums[3 * block + 2];
    }

    if (job->norms) {
        float norm_in = (float) sqrt(total_in);
        float norm_out = (float) sqrt(total_out);
        float den = params->norm_mode == GD_NORM_KEEP ? norm_out + job->epsilon : norm_in + job->epsilon;
        float numerator = params->norm_mode == GD_NORM_KEEP ? norm_in : norm_out;
        state.scale = den == 0.0f ? 1.0f : numerator / den;
        state.chunks = (job->elements + RESCALE_CHUNK - 1) / RESCALE_CHUNK;
        atomic_init(&state.next_chunk, 0);
        gd_pool_run(ran, rescale_chunks, &state);
    }

    if (statistics) {
        for (int32_t k = 0; k < job->tasks; k++) {
            int64_t kept = 0;
            for (int32_t w = 0; w < workers; w++) {
                kept += state.counters[(int64_t) w * state.counter_stride + k];
            }
            if (result->kept_counts != NULL) {
                result->kept_counts[k] = kept;
            }
        }
        int64_t conflicts = 0;
        for (int32_t w = 0; w < workers; w++) {
            conflicts += state.counters[(int64_t) w * state.counter_stride + job->tasks];
        }
        result->conflict_count = conflicts;
        result->purity_sum = total_purity;
        if (result->histogram != NULL) {
            for (int32_t bin = 0; bin < job->bins; bin++) {
                int64_t count = 0;
                for (int32_t w = 0; w < workers; w++) {
                    count += state.counters[(int64_t) w * state.counter_stride + job->tasks + 1 + bin];
                }
                result->histogram[bin] = count;
            }
        }
    }
    return GD_OK;
}

int32_t gd_apply_strided(const gd_params *params, const float *gradients, int64_t gradient_stride,
                         const float *activations, const float *uniform, const float *leaks, float *output,
                         float *task_outputs, int64_t task_output_stride, gd_result *result) {
    if (params == NULL || params->tasks < 1 || gradients == NULL) {
        return GD_ERR_INVALID_ARGUMENT;
    }
    const int32_t tasks = params->tasks;
    void **pointers = gd_scratch(2, 2 * (size_t) tasks * sizeof(void *));
    if (pointers == NULL) {
        return GD_ERR_OUT_OF_MEMORY;
    }
    const float **task_gradients = (const float **) pointers;
    float **outputs = (float **) (pointers + tasks);
    for (int32_t k = 0; k < tasks; k++) {
        task_gradients[k] = gradients + (int64_t) k * gradient_stride;
        outputs[k] = task_outputs == NULL ? NULL : task_outputs + (int64_t) k * task_output_stride;
    }
    return gd_apply(params, task_gradients, activations, uniform, leaks, output,
                    task_outputs == NULL ? NULL : outputs, result);
}

void gd_philox_uniform(uint64_t seed, uint64_t step, int64_t first, int64_t n, float *out) {
    if (out == NULL || n <= 0 || first < 0) {
        return;
    }
    gd_active_kernels()->philox(seed, step, first, n, out);
}

int32_t gd_default_threads(void) {
    return gd_online_processors();
}

int32_t gd_abi_version(void) {
    return GD_ABI_VERSION;
}

int64_t gd_params_size(void) {
    return (int64_t) sizeof(gd_params);
}

int64_t gd_result_size(void) {
    return (int64_t) sizeof(gd_result);
}
