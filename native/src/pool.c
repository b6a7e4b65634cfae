/*
 * A persistent pool of worker threads, created on first need and grown when a call requests
 * more, so calls never pay for thread creation. One call at a time uses the pool; a call that
 * finds it busy runs on its own thread, which gives the same results because the work is split
 * into blocks whose results do not depend on who computes them.
 */
#include <pthread.h>
#include <stdint.h>

#include "gd_internal.h"

static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER; /* held by the call using the pool */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;  /* guards the fields below */
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done = PTHREAD_COND_INITIALIZER;

static int32_t started;     /* worker threads created; worker i has index i + 1 */
static uint64_t generation; /* incremented for every task posted */
static int32_t wanted;      /* workers 1..wanted join the current task */
static int32_t running;     /* workers still inside the current task */
static gd_task_fn task_fn;
static void *task_context;

/* The generation when each worker was created: a task posted before it first waits is still its to run. */
static uint64_t created_at[GD_MAX_THREADS + 1];

static void *worker_main(void *argument) {
    const int32_t index = (int32_t) (intptr_t) argument;
    pthread_mutex_lock(&pool_lock);
    uint64_t seen = created_at[index];
    for (;;) {
        while (generation == seen) {
            pthread_cond_wait(&pool_wake, &pool_lock);
        }
        seen = generation;
        if (index > wanted) {
            continue;
        }
        gd_task_fn fn = task_fn;
        void *context = task_context;
        pthread_mutex_unlock(&pool_lock);

        fn(context, index);

        pthread_mutex_lock(&pool_lock);
        if (--running == 0) {
            pthread_cond_signal(&pool_done);
        }
    }
    return NULL;
}

/* Starts workers until `count` exist; returns how many exist, which may be fewer on failure. */
static int32_t ensure_workers(int32_t count) {
    pthread_mutex_lock(&pool_lock);
    while (started < count) {
        created_at[started + 1] = generation;
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker_main, (void *) (intptr_t) (started + 1));
        pthread_attr_destroy(&attributes);
        if (failed) {
            break;
        }
        started++;
    }
    int32_t available = started;
    pthread_mutex_unlock(&pool_lock);
    return available;
}

int32_t gd_pool_run(int32_t workers, gd_task_fn task, void *context) {
    if (workers <= 1 || pthread_mutex_trylock(&pool_owner) != 0) {
        task(context, 0);
        return 1;
    }
    int32_t helpers = ensure_workers(workers - 1);
    if (helpers > workers - 1) {
        helpers = workers - 1;
    }
    if (helpers == 0) {
        pthread_mutex_unlock(&pool_owner);
        task(context, 0);
        return 1;
    }

    pthread_mutex_lock(&pool_lock);
    task_fn = task;
    task_context = context;
    wanted = helpers;
    running = helpers;
    generation++;
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_lock);

    task(context, 0);

    pthread_mutex_lock(&pool_lock);
    while (running > 0) {
        pthread_cond_wait(&pool_done, &pool_lock);
    }
    pthread_mutex_unlock(&pool_lock);
    pthread_mutex_unlock(&pool_owner);
    return helpers + 1;
}
