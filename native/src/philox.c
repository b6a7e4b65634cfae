/*
 * Philox4x32-10 (Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3", SC 2011), the
 * scalar form that every tier uses for positions its vector loop does not cover.
 */
#include "gd_internal.h"
#include "philox.h"

void gd_philox_scalar(uint64_t seed, uint64_t step, int64_t first, int64_t n, float *out) {
    int64_t position = first;
    const int64_t end = first + n;
    while (position < end) {
        uint64_t counter = (uint64_t) position >> 2;
        uint32_t words[4];
        gd_philox_block((uint32_t) counter, (uint32_t) (counter >> 32), (uint32_t) step,
                        (uint32_t) (step >> 32), (uint32_t) seed, (uint32_t) (seed >> 32), words);
        for (int lane = (int) (position & 3); lane < 4 && position < end; lane++, position++) {
            out[position - first] = gd_philox_uniform_of(words[lane]);
        }
    }
}
