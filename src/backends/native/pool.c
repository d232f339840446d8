/* The thread pool (pool.h): C11 atomics and POSIX threads. */
#define _POSIX_C_SOURCE 200809L
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

struct pool {
  int threads;
  long long spin_ns;
  pthread_t *ids;
  /* incremented by each pool_run (and by pool_stop): a worker runs the task when it changes */
  atomic_uint generation;
  /* workers that have not yet finished the current task */
  atomic_int pending;
  /* workers parked (or about to park) on the condition variable */
  atomic_int parked;
  atomic_int stopping;
  pool_task fn;
  void *arg;
  pthread_mutex_t lock;
  pthread_cond_t wake;
};

struct start {
  pool *p;
  int thread;
};

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Waits until the generation differs from `seen`: spins for spin_ns, then parks. */
static unsigned wait_generation(pool *p, unsigned seen) {
  long long deadline = 0;
  for (unsigned k = 0;; k++) {
    unsigned g = atomic_load_explicit(&p->generation, memory_order_acquire);
    if (g != seen) return g;
    CPU_RELAX();
    if ((k & 63) != 63) continue;
    long long t = now_ns();
    if (deadline == 0) deadline = t + p->spin_ns;
    else if (t >= deadline) break;
  }
  pthread_mutex_lock(&p->lock);
  atomic_fetch_add(&p->parked, 1);
  unsigned g;
  while ((g = atomic_load(&p->generation)) == seen) pthread_cond_wait(&p->wake, &p->lock);
  atomic_fetch_sub(&p->parked, 1);
  pthread_mutex_unlock(&p->lock);
  return g;
}

static void *worker(void *arg) {
  struct start s = *(struct start *)arg;
  free(arg);
  pool *p = s.p;
  unsigned seen = 0;
  for (;;) {
    seen = wait_generation(p, seen);
    if (atomic_load_explicit(&p->stopping, memory_order_acquire)) return NULL;
    p->fn(p->arg, s.thread);
    atomic_fetch_sub_explicit(&p->pending, 1, memory_order_release);
  }
}

pool *pool_start(int threads, int spin_micros, char *why) {
  pool *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(why, 200, "out of memory");
    return NULL;
  }
  p->threads = threads;
  p->spin_ns = (long long)spin_micros * 1000;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
  p->ids = calloc((size_t)(threads > 1 ? threads - 1 : 1), sizeof *p->ids);
  if (!p->ids) {
    snprintf(why, 200, "out of memory");
    free(p);
    return NULL;
  }
  for (int t = 1; t < threads; t++) {
    struct start *s = malloc(sizeof *s);
    int err = -1;
    if (s) {
      s->p = p;
      s->thread = t;
      err = pthread_create(&p->ids[t - 1], NULL, worker, s);
    }
    if (err != 0) {
      snprintf(why, 200, "pthread_create failed for thread %d of %d: %s", t + 1, threads, s ? strerror(err) : "out of memory");
      free(s);
      p->threads = t; /* threads 1 .. t - 1 started */
      pool_stop(p);
      return NULL;
    }
  }
  return p;
}

int pool_threads(const pool *p) { return p->threads; }

static void wake_parked(pool *p) {
  if (atomic_load(&p->parked) == 0) return;
  pthread_mutex_lock(&p->lock);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
}

void pool_run(pool *p, pool_task fn, void *arg) {
  if (p->threads == 1) {
    fn(arg, 0);
    return;
  }
  p->fn = fn;
  p->arg = arg;
  atomic_store_explicit(&p->pending, p->threads - 1, memory_order_relaxed);
  atomic_fetch_add(&p->generation, 1); /* seq_cst: ordered before the read of `parked` */
  wake_parked(p);
  fn(arg, 0);
  /* the others' share: spin while they should be running, then give the core away between checks
     (a descheduled thread needs this one's core back) */
  long long deadline = 0;
  for (unsigned k = 0; atomic_load_explicit(&p->pending, memory_order_acquire) > 0; k++) {
    if (deadline < 0) {
      sched_yield();
      continue;
    }
    CPU_RELAX();
    if ((k & 63) != 63) continue;
    long long t = now_ns();
    if (deadline == 0) deadline = t + p->spin_ns;
    else if (t >= deadline) deadline = -1;
  }
}

void pool_stop(pool *p) {
  if (!p) return;
  atomic_store_explicit(&p->stopping, 1, memory_order_release);
  atomic_fetch_add(&p->generation, 1);
  pthread_mutex_lock(&p->lock);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  for (int t = 1; t < p->threads; t++) pthread_join(p->ids[t - 1], NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
  free(p->ids);
  free(p);
}
