/* tests/testutil.c: see testutil.h. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *counting_alloc(size_t size, void *ctx)
{
  test_alloc *a = ctx;
  if (a->fail_at >= 0 && a->count++ == a->fail_at) {
    a->failure_injected = 1;
    return NULL;
  }
  if (a->fail_at < 0) a->count++;
  void *p = malloc(size);
  if (p) a->live_blocks++;
  return p;
}

static void counting_free(void *p, void *ctx)
{
  test_alloc *a = ctx;
  if (p) a->live_blocks--;
  free(p);
}

void test_alloc_init(test_alloc *a)
{
  a->base.alloc = counting_alloc;
  a->base.free = counting_free;
  a->base.ctx = a;
  a->fail_at = -1;
  a->count = 0;
  a->live_blocks = 0;
  a->failure_injected = 0;
}

void test_alloc_fail_at(test_alloc *a, long k)
{
  a->fail_at = k;
  a->count = 0;
  a->failure_injected = 0;
}

double test_rng_uniform(test_rng *r)
{
  /* xorshift64* (Vigna 2016) */
  r->state ^= r->state >> 12;
  r->state ^= r->state << 25;
  r->state ^= r->state >> 27;
  return (double)((r->state * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

double test_rng_normal(test_rng *r)
{
  double u1 = 1.0 - test_rng_uniform(r), u2 = test_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double test_rel_diff(const double *a, const double *b, int64_t n)
{
  double num = 0, den = 1e-300;
  for (int64_t i = 0; i < n; i++) {
    num = fmax(num, fabs(a[i] - b[i]));
    den = fmax(den, fabs(b[i]));
  }
  return num / den;
}

void test_tmp_path(char *buf, size_t cap, const char *stem)
{
  static int serial; /* tests only: one process, one thread */
  snprintf(buf, cap, "/tmp/lopt_test_%ld_%d_%s", (long)getpid(), serial++, stem);
}
