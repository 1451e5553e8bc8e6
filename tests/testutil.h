/* tests/testutil.h: helpers shared by the Check suites (public API only). */
#ifndef LOPT_TESTUTIL_H
#define LOPT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "libopt.h"

#ifndef LOPT_TEST_DATA_DIR
#define LOPT_TEST_DATA_DIR "tests/data"
#endif
#ifndef LOPT_SHARED_DIR
#define LOPT_SHARED_DIR "../shared"
#endif

/* An allocator that counts live blocks and fails allocation number `fail_at` (0-based; -1: never). */
typedef struct test_alloc {
  lopt_allocator base;
  long fail_at;
  long count;            /* allocations attempted */
  long live_blocks;
  int failure_injected;
} test_alloc;

void test_alloc_init(test_alloc *a);
void test_alloc_fail_at(test_alloc *a, long k);

/* Deterministic test random numbers (independent of the library's). */
typedef struct test_rng {
  uint64_t state;
} test_rng;
double test_rng_uniform(test_rng *r);  /* [0, 1) */
double test_rng_normal(test_rng *r);

/* max_i |a_i - b_i| / max(max_i |b_i|, tiny) */
double test_rel_diff(const double *a, const double *b, int64_t n);

/* A path for a scratch file under /tmp, unique per call (caller removes it). */
void test_tmp_path(char *buf, size_t cap, const char *stem);

#endif
