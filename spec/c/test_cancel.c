/*
** test_cancel.c -- the deadline of the core's long work (core_simd.h,
** lm_set_deadline): lm_parallel with a deadline hands out no piece once it
** has passed, on the caller alone and in the pool of threads, and says so
** (lm_cancelled); without one it runs every unit as before.  Copies run
** whole (they are steps of larger operations).  The binding
** side (the time-limit error, the state usable afterwards) is in
** test_hostile.c.  Prints TAP.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "core_simd.h"
#include "tap.h"

/* a job of n units, each some 100 ns of arithmetic; counts units done */
typedef struct job {
  size_t done;
  double sink;
} job;

static void work(void *ctx, size_t lo, size_t hi) {
  job *j = (job *)ctx;
  double s = 0;
  size_t i;
  int k;
  for (i = lo; i < hi; i++)
    for (k = 0; k < 40; k++) s += sqrt((double)(i + (size_t)k));
  __atomic_add_fetch(&j->done, hi - lo, __ATOMIC_RELAXED);
  __atomic_store_n((long long *)&j->sink, (long long)s, __ATOMIC_RELAXED);
}

/* run n units of cost `cost` with the deadline `dl` seconds from now (0:
** none, < 0: passed already); returns the units done, *secs the time */
static size_t run(size_t n, size_t cost, double dl, double *secs) {
  job j = {0, 0};
  double t0 = lm_now();
  lm_set_deadline(dl == 0 ? 0 : t0 + dl);
  lm_parallel(n, cost, LM_PAR_MIN_MATH, 1, work, &j);
  *secs = lm_now() - t0;
  return j.done;
}

int main(void) {
  double secs;
  size_t n = (size_t)1 << 20, done;  /* about 0.1 s of work */

  done = run(n, 40, 0, &secs);
  ok(done == n && !lm_cancelled(), "no deadline: all %zu units run (%.2f s), not cancelled",
     done, secs);
  ok(lm_deadline() == 0 && !lm_past_deadline(), "no deadline: lm_past_deadline is 0");

  done = run(n, 40, 3600, &secs);
  ok(done == n && !lm_cancelled(), "a deadline far off: all %zu units run, not cancelled", done);

  done = run(n, 40, -1, &secs);
  ok(done == 0 && lm_cancelled(), "a deadline passed: no piece runs (%zu units), cancelled",
     done);
  ok(lm_past_deadline(), "a deadline passed: lm_past_deadline is 1");
  lm_set_deadline(0);
  ok(!lm_cancelled(), "lm_set_deadline clears the cancelled flag");

  done = run(n * 32, 40, 0.02, &secs);
  ok(done > 0 && done < n * 32 && lm_cancelled(),
     "a deadline 20 ms into 3 s of work: stops after %zu of %zu units", done, n * 32);
  ok(secs < 0.5, "... and returns in %.3f s", secs);

  done = run(200, 40, -1, &secs);
  ok(done == 200, "work below the threshold of threads runs whole, as before (%zu units)",
     done);

  {  /* a copy between overlapping buffers, with a deadline set: whole */
    size_t m = (size_t)3 << 20, i, bad = 0;
    double *buf = (double *)malloc((m + 1) * sizeof *buf);
    lm_mat from, to;
    for (i = 0; i < m; i++) buf[i] = (double)i;
    from = lm_dense(buf, 1, (int)m);
    to = lm_dense(buf + 1, 1, (int)m);
    lm_set_deadline(lm_now() + 3600);
    lm_copy(&from, &to);
    for (i = 0; i < m; i++) bad += buf[i + 1] != (double)i;
    ok(bad == 0 && !lm_cancelled(), "an overlapping copy of %zu elements with a deadline "
       "set is one move (%zu wrong)", m, bad);
    lm_set_deadline(lm_now() - 1);
    (void)lm_past_deadline();  /* cancelled by an earlier step */
    lm_copy(&to, &from);
    for (i = 0, bad = 0; i < m; i++) bad += buf[i] != (double)i;
    ok(bad == 0 && lm_cancelled(), "copies run whole past the deadline too (%zu wrong), "
       "and an earlier step's cancelled flag stays", bad);
    free(buf);
  }

  lm_set_deadline(0);
  return tap_end();
}
