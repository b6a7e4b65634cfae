/*
 * Tests of the native library, run by ctest.
 *
 * Known answers: the Philox4x32-10 test vectors of Random123 and small hand-checked GradDrop
 * cases. Tier agreement: the program re-runs itself once per tier that the CPU supports, with
 * GRADDROP_MAX_TIER set, and every run must print the same digest of the outputs and statistics
 * of a grid of configurations as the scalar run. Each run also checks that 1 and 2 threads give
 * the same bits.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graddrop.h"
#include "../src/philox.h"

static int failures;

#define CHECK(condition, ...)                                                                                   \
    do {                                                                                                        \
        if (!(condition)) {                                                                                     \
            failures++;                                                                                         \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #condition);                     \
            fprintf(stderr, __VA_ARGS__);                                                                       \
            fputc('\n', stderr);                                                                                \
        }                                                                                                       \
    } while (0)

static uint32_t float_bits(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static float bits_float(uint32_t bits) {
    float x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* The known-answer vectors of Random123 for philox4x32_10: counter and key all zero, then all ones. */
static void test_philox_known_answers(void) {
    uint32_t words[4];
    gd_philox_block(0, 0, 0, 0, 0, 0, words);
    const uint32_t zero_expected[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
    for (int w = 0; w < 4; w++) {
        CHECK(words[w] == zero_expected[w], "zero vector word %d is %08x, expected %08x", w, words[w], zero_expected[w]);
    }

    gd_philox_block(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, words);
    const uint32_t ones_expected[4] = {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
    for (int w = 0; w < 4; w++) {
        CHECK(words[w] == ones_expected[w], "all-ones vector word %d is %08x, expected %08x", w, words[w], ones_expected[w]);
    }

    /* The exported generator: position i takes word i mod 4 of counter i / 4, top 24 bits. */
    float u[4];
    gd_philox_uniform(0, 0, 0, 4, u);
    CHECK(u[0] == (float) (0x6627e8d5u >> 8) * 0x1p-24f, "uniform 0 of the zero vector gave %a", u[0]);
    CHECK(u[3] == (float) (0x9b00dbd8u >> 8) * 0x1p-24f, "uniform 3 of the zero vector gave %a", u[3]);

    /* The active tier's vector generator agrees with the scalar block at any offset and length. */
    enum { COUNT = 300 };
    float vector[COUNT];
    uint64_t seed = 0x0123456789abcdefull;
    uint64_t step = 0xfedcba9876543210ull;
    for (int64_t first = 0; first < 9; first++) {
        gd_philox_uniform(seed, step, first, COUNT - 10, vector);
        for (int64_t i = 0; i < COUNT - 10; i++) {
            uint64_t position = (uint64_t) (first + i);
            gd_philox_block((uint32_t) (position >> 2), 0, (uint32_t) step, (uint32_t) (step >> 32), (uint32_t) seed,
                            (uint32_t) (seed >> 32), words);
            float expected = gd_philox_uniform_of(words[position & 3]);
            if (vector[i] != expected) {
                CHECK(0, "tier %s: philox position %lld gave %a, expected %a", gd_tier_name(gd_tier()),
                      (long long) position, vector[i], expected);
                return;
            }
        }
    }

    /*
     * Counters that cross 2^32 carry into the high counter word. The run starts far enough before
     * the carry that the widest tier's multi-group loop runs before it reaches the carry.
     */
    enum { ACROSS = 1200 };
    static float across[ACROSS];
    int64_t first = ((int64_t) 1 << 34) - 1100;
    gd_philox_uniform(seed, step, first, ACROSS, across);
    for (int64_t i = 0; i < ACROSS; i++) {
        uint64_t counter = (uint64_t) (first + i) >> 2;
        gd_philox_block((uint32_t) counter, (uint32_t) (counter >> 32), (uint32_t) step, (uint32_t) (step >> 32),
                        (uint32_t) seed, (uint32_t) (seed >> 32), words);
        CHECK(across[i] == gd_philox_uniform_of(words[(first + i) & 3]), "philox across 2^32 at %lld", (long long) i);
    }
}

static gd_params default_params(int32_t tasks, int64_t batch, int64_t features) {
    gd_params p;
    memset(&p, 0, sizeof p);
    p.tasks = tasks;
    p.batch = batch;
    p.features = features;
    p.activation_mode = GD_ACT_NONE;
    p.purity_form = GD_PURITY_PAPER;
    p.keep_function = GD_KEEP_IDENTITY;
    p.keep_scale = 1.0f;
    p.marginalize = 1;
    p.noise_mode = GD_NOISE_EXPLICIT;
    p.threads = 1;
    p.histogram_bins = 10;
    return p;
}

/* TorchJD's published example: [[-4, 1, 1], [6, 1, 1]] with U = (0.4963, 0.7682, 0.0885) gives (6, 2, 2). */
static void test_torchjd_example(void) {
    float g0[] = {-4, 1, 1};
    float g1[] = {6, 1, 1};
    const float *gradients[] = {g0, g1};
    float uniform[] = {0.4963f, 0.7682f, 0.0885f};
    float leaks[] = {0, 0};
    float output[3];
    gd_params p = default_params(2, 1, 3);
    int32_t status = gd_apply(&p, gradients, NULL, uniform, leaks, output, NULL, NULL);
    CHECK(status == GD_OK, "status %d", status);
    CHECK(output[0] == 6, "output[0] %g", output[0]);
    CHECK(output[1] == 2, "output[1] %g", output[1]);
    CHECK(output[2] == 2, "output[2] %g", output[2]);
}

/* Ties and zero gradients: the paper drops G = 0 and both signs on f == U; lingvo keeps G = 0. */
static void test_tie_rules(void) {
    float g0[] = {1, -1};
    float g1[] = {1, 1};
    float activations[] = {1, 1};
    const float *gradients[] = {g0, g1};
    float uniform[] = {0.5f};
    float leaks[] = {0, 0};
    float output[2];

    gd_params p = default_params(2, 2, 1);
    p.activation_mode = GD_ACT_SIGN;
    CHECK(gd_apply(&p, gradients, activations, uniform, leaks, output, NULL, NULL) == GD_OK, "paper call failed");
    CHECK(output[0] == 1, "paper output[0] %g", output[0]);
    CHECK(output[1] == 1, "paper output[1] %g", output[1]);

    p.activation_mode = GD_ACT_LINGVO_SIGN;
    p.purity_form = GD_PURITY_LINGVO;
    p.tie_rule = GD_TIES_LINGVO;
    p.keep_function = GD_KEEP_LINEAR;
    p.norm_mode = GD_NORM_LINGVO;
    p.epsilon = 1e-7f;
    CHECK(gd_apply(&p, gradients, activations, uniform, leaks, output, NULL, NULL) == GD_OK, "lingvo call failed");
    CHECK(output[0] == 2, "lingvo output[0] %g", output[0]);
    CHECK(output[1] == 0, "lingvo output[1] %g", output[1]);
}

/* Reject policy: the first bad value is reported, gradients before activations, and nothing is written. */
static void test_reject_nonfinite(void) {
    enum { D = 37 };
    float g0[D], g1[D], activations[D], output[D], task0[D], task1[D];
    for (int i = 0; i < D; i++) {
        g0[i] = (float) i;
        g1[i] = (float) -i;
        activations[i] = 1.0f;
        output[i] = task0[i] = task1[i] = -123.0f;
    }
    g1[30] = INFINITY;
    g1[20] = NAN;
    activations[3] = NAN;
    const float *gradients[] = {g0, g1};
    float *task_outputs[] = {task0, task1};
    float leaks[] = {0.25f, 0.5f};
    gd_params p = default_params(2, 1, D);
    p.activation_mode = GD_ACT_VALUES;
    p.noise_mode = GD_NOISE_PHILOX;
    p.nonfinite_policy = GD_NONFINITE_REJECT;
    gd_result result;
    memset(&result, 0, sizeof result);

    int32_t status = gd_apply(&p, gradients, activations, NULL, leaks, output, task_outputs, &result);
    CHECK(status == GD_ERR_NON_FINITE, "status %d", status);
    CHECK(result.nonfinite_source == 0, "source %d", result.nonfinite_source);
    CHECK(result.nonfinite_index == D + 20, "index %lld", (long long) result.nonfinite_index);
    for (int i = 0; i < D; i++) {
        CHECK(output[i] == -123.0f, "output index %d written", i);
        CHECK(task0[i] == -123.0f, "task 0 index %d written", i);
        CHECK(task1[i] == -123.0f, "task 1 index %d written", i);
    }

    g1[20] = 0.0f;
    g1[30] = 0.0f;
    status = gd_apply(&p, gradients, activations, NULL, leaks, output, task_outputs, &result);
    CHECK(status == GD_ERR_NON_FINITE, "status %d", status);
    CHECK(result.nonfinite_source == 1, "source %d", result.nonfinite_source);
    CHECK(result.nonfinite_index == 3, "index %lld", (long long) result.nonfinite_index);

    activations[3] = 1.0f;
    status = gd_apply(&p, gradients, activations, NULL, leaks, output, task_outputs, &result);
    CHECK(status == GD_OK, "status %d after fixing the input", status);
}

static void test_invalid_arguments(void) {
    float g[4] = {0};
    const float *gradients[] = {g};
    float leaks[] = {0};
    float output[4];
    gd_params p = default_params(1, 1, 4);
    p.noise_mode = GD_NOISE_PHILOX;
    CHECK(gd_apply(&p, gradients, NULL, NULL, leaks, output, NULL, NULL) == GD_OK, "valid call failed");

    gd_params bad = p;
    bad.reserved = 1;
    CHECK(gd_apply(&bad, gradients, NULL, NULL, leaks, output, NULL, NULL) == GD_ERR_INVALID_ARGUMENT, "reserved");
    bad = p;
    bad.epsilon = -1.0f;
    CHECK(gd_apply(&bad, gradients, NULL, NULL, leaks, output, NULL, NULL) == GD_ERR_INVALID_ARGUMENT, "epsilon");
    bad = p;
    bad.activation_mode = GD_ACT_SIGN;
    CHECK(gd_apply(&bad, gradients, NULL, NULL, leaks, output, NULL, NULL) == GD_ERR_INVALID_ARGUMENT,
          "missing activations");
    bad = p;
    bad.noise_mode = GD_NOISE_EXPLICIT;
    CHECK(gd_apply(&bad, gradients, NULL, NULL, leaks, output, NULL, NULL) == GD_ERR_INVALID_ARGUMENT,
          "missing uniform");
    float bad_leak[] = {1.5f};
    CHECK(gd_apply(&p, gradients, NULL, NULL, bad_leak, output, NULL, NULL) == GD_ERR_INVALID_ARGUMENT, "leak");
    CHECK(gd_params_size() == (int64_t) sizeof(gd_params), "gd_params size");
    CHECK(gd_result_size() == (int64_t) sizeof(gd_result), "gd_result size");
}

/* xorshift64*, so the inputs are the same in every run of the program. */
static uint64_t random_state = 0x9e3779b97f4a7c15ull;

static uint32_t next_random(void) {
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return (uint32_t) ((random_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Mostly ordinary values, with zeros of both signs, subnormals and, when asked, NaN and infinities. */
static float random_value(int special) {
    uint32_t r = next_random();
    switch (r % 64) {
    case 0:
        return 0.0f;
    case 1:
        return -0.0f;
    case 2:
        return bits_float(next_random() & 0x807fffffu);
    case 3:
        return special ? NAN : 1.0f;
    case 4:
        return special ? -INFINITY : -1.0f;
    case 5:
        return 1e-8f;
    default:
        return ((float) (next_random() >> 8) * 0x1p-24f - 0.5f) * 4.0f;
    }
}

typedef struct digest {
    uint64_t hash;
} digest;

static void mix(digest *d, const void *data, size_t bytes) {
    const unsigned char *p = data;
    for (size_t i = 0; i < bytes; i++) {
        d->hash = (d->hash ^ p[i]) * 0x100000001b3ull;
    }
}

/* Canonical NaN bits, since NaN payloads may differ between instruction sets. */
static void mix_floats(digest *d, const float *values, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits = values[i] != values[i] ? 0x7fc00000u : float_bits(values[i]);
        mix(d, &bits, sizeof bits);
    }
}

typedef struct shape {
    int32_t tasks;
    int64_t batch;
    int64_t features;
} shape;

static const shape SHAPES[] = {
    {1, 1, 1}, {2, 1, 7}, {3, 1, 17}, {2, 5, 33}, {4, 3, 1025}, {3, 2, 4100}, {8, 2, 9}, {2, 1, 9000},
};

/* Runs one configuration with 1 and 2 threads, checks they agree, and adds the outputs to the digest. */
static void run_configuration(digest *d, gd_params p, int special) {
    const int32_t tasks = p.tasks;
    const int64_t elements = p.batch * p.features;
    const int64_t positions = p.marginalize ? p.features : elements;
    float *data = malloc(sizeof(float) * (size_t) (elements * (3 * tasks + 3) + positions));
    float *gradients_data = data;
    float *activations = gradients_data + tasks * elements;
    float *uniform = activations + elements;
    float *output[2] = {uniform + positions, uniform + positions + elements};
    float *task_data[2] = {output[1] + elements, output[1] + elements + tasks * elements};
    const float *gradients[8];
    float *task_outputs[2][8];
    float leaks[8];

    for (int64_t i = 0; i < tasks * elements; i++) {
        gradients_data[i] = random_value(special);
    }
    for (int64_t i = 0; i < elements; i++) {
        activations[i] = random_value(special);
    }
    for (int64_t i = 0; i < positions; i++) {
        uniform[i] = (float) (next_random() >> 8) * 0x1p-24f;
    }
    for (int32_t k = 0; k < tasks; k++) {
        gradients[k] = gradients_data + k * elements;
        task_outputs[0][k] = task_data[0] + k * elements;
        task_outputs[1][k] = task_data[1] + k * elements;
        leaks[k] = (float) (k % 3) * 0.25f;
    }
    p.seed = next_random();
    p.step = next_random();

    int64_t kept[2][8];
    int64_t histogram[2][16];
    gd_result result[2];
    for (int threads = 1; threads <= 2; threads++) {
        gd_result *r = &result[threads - 1];
        memset(r, 0, sizeof *r);
        r->kept_counts = kept[threads - 1];
        r->histogram = histogram[threads - 1];
        r->want_statistics = 1;
        p.threads = threads;
        int32_t status = gd_apply(&p, gradients, p.activation_mode == GD_ACT_NONE ? NULL : activations, uniform,
                                  leaks, output[threads - 1], task_outputs[threads - 1], r);
        CHECK(status == GD_OK, "status %d", status);
    }
    CHECK(memcmp(output[0], output[1], sizeof(float) * (size_t) elements) == 0, "outputs differ between 1 and 2 threads");

    /*
     * The call without task outputs or statistics runs the kernels' specialized paths, into a
     * 64-byte aligned output, which large calls write with non-temporal stores.
     */
    float *plain = aligned_alloc(64, ((size_t) elements * sizeof(float) + 63) / 64 * 64);
    p.threads = 2;
    int32_t plain_status = gd_apply(&p, gradients, p.activation_mode == GD_ACT_NONE ? NULL : activations, uniform,
                                    leaks, plain, NULL, NULL);
    CHECK(plain_status == GD_OK, "status %d without task outputs", plain_status);
    int64_t differ = -1;
    for (int64_t i = 0; i < elements && differ < 0; i++) {
        if (float_bits(output[0][i]) != float_bits(plain[i]) && !(output[0][i] != output[0][i] && plain[i] != plain[i])) {
            differ = i;
        }
    }
    CHECK(differ < 0, "outputs differ without task outputs and statistics at %lld: %a and %a (K %d, B %lld, D %lld)",
          (long long) differ, differ < 0 ? 0.0 : output[0][differ], differ < 0 ? 0.0 : plain[differ], tasks,
          (long long) p.batch, (long long) p.features);
    free(plain);
    CHECK(memcmp(task_data[0], task_data[1], sizeof(float) * (size_t) (tasks * elements)) == 0,
          "task outputs differ between 1 and 2 threads");
    CHECK(memcmp(kept[0], kept[1], sizeof(int64_t) * (size_t) tasks) == 0
              && memcmp(histogram[0], histogram[1], sizeof(int64_t) * (size_t) p.histogram_bins) == 0
              && result[0].conflict_count == result[1].conflict_count
              && float_bits((float) result[0].purity_sum) == float_bits((float) result[1].purity_sum),
          "statistics differ between 1 and 2 threads");

    mix_floats(d, output[0], elements);
    mix_floats(d, task_data[0], tasks * elements);
    mix(d, kept[0], sizeof(int64_t) * (size_t) tasks);
    mix(d, histogram[0], sizeof(int64_t) * (size_t) p.histogram_bins);
    mix(d, &result[0].conflict_count, sizeof result[0].conflict_count);
    double purity_sum = result[0].purity_sum != result[0].purity_sum ? NAN : result[0].purity_sum;
    mix(d, &purity_sum, sizeof purity_sum);
    free(data);
}

/* The digest of a grid of every option over shapes around the vector widths and the block size. */
static uint64_t grid_digest(void) {
    digest d = {0xcbf29ce484222325ull};
    int count = 0;
    for (size_t s = 0; s < sizeof SHAPES / sizeof SHAPES[0]; s++) {
        for (int act = GD_ACT_NONE; act <= GD_ACT_LINGVO_SIGN; act++) {
            for (int form = 0; form <= 1; form++) {
                for (int keep = GD_KEEP_IDENTITY; keep <= GD_KEEP_SIGMOID; keep++) {
                    for (int norm = GD_NORM_NONE; norm <= GD_NORM_LINGVO; norm++) {
                        gd_params p = default_params(SHAPES[s].tasks, SHAPES[s].batch, SHAPES[s].features);
                        count++;
                        p.activation_mode = act;
                        p.purity_form = form;
                        p.keep_function = keep;
                        p.keep_scale = keep == GD_KEEP_SIGMOID ? 3.0f : 0.75f;
                        p.norm_mode = norm;
                        p.tie_rule = count % 2;
                        p.marginalize = (count / 2) % 2;
                        p.noise_mode = (count / 4) % 2;
                        p.epsilon = (count / 8) % 2 ? 1e-7f : 0.0f;
                        p.histogram_bins = 1 + count % 16;
                        run_configuration(&d, p, count % 5 == 0);
                    }
                }
            }
        }
    }

    /*
     * Calls large enough to use the thread pool, with per-feature and per-element masks; the last
     * two have outputs large enough for non-temporal stores.
     */
    const shape large[] = {{3, 4, 70001}, {2, 1, 300000}, {4, 16, 131072}, {3, 1, 2100000}};
    for (size_t s = 0; s < sizeof large / sizeof large[0]; s++) {
        for (int variant = 0; variant < 2; variant++) {
            gd_params p = default_params(large[s].tasks, large[s].batch, large[s].features);
            p.activation_mode = GD_ACT_SIGN;
            /* Identity with per-element masks takes the kernels' branch-free loops, streaming for the last two shapes. */
            p.keep_function = variant ? GD_KEEP_SIGMOID : GD_KEEP_IDENTITY;
            p.norm_mode = variant ? GD_NORM_KEEP : GD_NORM_NONE;
            p.marginalize = variant;
            p.noise_mode = GD_NOISE_PHILOX;
            run_configuration(&d, p, 0);
        }
    }
    return d.hash;
}

/*
 * Replaces this process with this program in digest mode. A cross-built test runs under an
 * emulator, which GRADDROP_TEST_EMULATOR names with its arguments, separated by spaces.
 */
static void run_self(const char *program) {
    const char *emulator = getenv("GRADDROP_TEST_EMULATOR");
    if (emulator == NULL || emulator[0] == '\0') {
        execl(program, program, "--digest", (char *) NULL);
        fprintf(stderr, "cannot run %s --digest: %s\n", program, strerror(errno));
        return;
    }

    char words[1024];
    snprintf(words, sizeof words, "%s", emulator);
    char *arguments[32];
    int count = 0;
    for (char *word = strtok(words, " "); word != NULL && count < 29; word = strtok(NULL, " ")) {
        arguments[count++] = word;
    }
    arguments[count++] = (char *) program;
    arguments[count++] = "--digest";
    arguments[count] = NULL;
    execvp(arguments[0], arguments);
    fprintf(stderr, "cannot run the emulator '%s' that GRADDROP_TEST_EMULATOR names: %s\n", arguments[0], strerror(errno));
}

/* Runs this program with GRADDROP_MAX_TIER=tier in digest mode and returns its digest, or 0. */
static uint64_t digest_of_tier(const char *program, const char *tier) {
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) {
        return 0;
    }
    pid_t child = fork();
    if (child == 0) {
        dup2(pipe_ends[1], STDOUT_FILENO);
        close(pipe_ends[0]);
        setenv("GRADDROP_MAX_TIER", tier, 1);
        run_self(program);
        _exit(127);
    }
    close(pipe_ends[1]);
    char text[64] = {0};
    ssize_t length = read(pipe_ends[0], text, sizeof text - 1);
    close(pipe_ends[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (length <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return 0;
    }
    return strtoull(text, NULL, 16);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--digest") == 0) {
        test_philox_known_answers();
        uint64_t hash = grid_digest();
        printf("%016llx %s\n", (unsigned long long) hash, gd_tier_name(gd_tier()));
        return failures == 0 ? 0 : 1;
    }

    printf("active tier: %s\n", gd_tier_name(gd_tier()));
    CHECK(gd_abi_version() == GD_ABI_VERSION, "ABI version %d", gd_abi_version());
    test_philox_known_answers();
    test_torchjd_example();
    test_tie_rules();
    test_reject_nonfinite();
    test_invalid_arguments();

    uint64_t scalar = digest_of_tier(argv[0], "scalar");
    CHECK(scalar != 0, "the scalar run failed");
    printf("scalar digest %016llx\n", (unsigned long long) scalar);
    const int32_t top = gd_tier();
    for (int32_t tier = GD_TIER_SSE2; tier <= GD_TIER_NEON; tier++) {
        int supported = top == GD_TIER_NEON ? tier == GD_TIER_NEON : tier <= top;
        if (!supported) {
            continue;
        }
        uint64_t hash = digest_of_tier(argv[0], gd_tier_name(tier));
        printf("%s digest %016llx\n", gd_tier_name(tier), (unsigned long long) hash);
        CHECK(hash == scalar, "tier %s disagrees with scalar", gd_tier_name(tier));
    }

    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
