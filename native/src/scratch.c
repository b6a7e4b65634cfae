/*
 * Per-thread scratch that grows to the largest request and is reused by later calls, so a
 * steady stream of calls allocates nothing. A thread's scratch is freed when the thread exits.
 */
#include <pthread.h>
#include <stdlib.h>

#include "gd_internal.h"

#define SLOTS 3
#define ALIGNMENT 64

typedef struct thread_scratch {
    void *memory[SLOTS];
    size_t size[SLOTS];
} thread_scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static void free_scratch(void *pointer) {
    thread_scratch *scratch = pointer;
    for (int slot = 0; slot < SLOTS; slot++) {
        free(scratch->memory[slot]);
    }
    free(scratch);
}

static void create_key(void) {
    scratch_key_ok = pthread_key_create(&scratch_key, free_scratch) == 0;
}

void *gd_scratch(int32_t slot, size_t bytes) {
    pthread_once(&scratch_once, create_key);
    if (!scratch_key_ok) {
        return NULL;
    }
    thread_scratch *scratch = pthread_getspecific(scratch_key);
    if (scratch == NULL) {
        scratch = calloc(1, sizeof *scratch);
        if (scratch == NULL || pthread_setspecific(scratch_key, scratch) != 0) {
            free(scratch);
            return NULL;
        }
    }
    if (scratch->size[slot] < bytes || scratch->memory[slot] == NULL) {
        size_t size = bytes > 2 * scratch->size[slot] ? bytes : 2 * scratch->size[slot];
        size = (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (size == 0) {
            size = ALIGNMENT;
        }
        void *memory = aligned_alloc(ALIGNMENT, size);
        if (memory == NULL) {
            return NULL;
        }
        free(scratch->memory[slot]);
        scratch->memory[slot] = memory;
        scratch->size[slot] = size;
    }
    return scratch->memory[slot];
}
