/*
 * A persistent pool of threads for one prepared kernel: pool_run(fn, arg) runs fn(arg, t) on every
 * thread t = 0 .. threads − 1, thread 0 being the caller, and returns when all have finished. The
 * other threads spin on a generation counter for a while after each task (a run's phases follow each
 * other within microseconds, and the timed calls follow each other too), then park on a condition
 * variable until the next task.
 */
#ifndef FFFB_POOL_H
#define FFFB_POOL_H

typedef void (*pool_task)(void *arg, int thread);
typedef struct pool pool;

/* NULL when a thread cannot be created (errno-style message in `why`, at most 200 bytes) */
pool *pool_start(int threads, int spin_micros, char *why);
void pool_run(pool *p, pool_task fn, void *arg);
int pool_threads(const pool *p);
/* joins the threads and frees the pool */
void pool_stop(pool *p);

#endif
