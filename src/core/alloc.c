/* src/core/alloc.c: the solver's allocator and wall clock. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

void *lopt_alloc(lopt_solver *s, size_t bytes)
{
  if (bytes == 0) bytes = 1; /* a valid, freeable pointer for empty arrays */
  return s->alloc.alloc(bytes, s->alloc.ctx);
}

void *lopt_calloc(lopt_solver *s, size_t count, size_t size)
{
  if (size && count > SIZE_MAX / size) return NULL;
  void *p = lopt_alloc(s, count * size);
  if (p && count && size) memset(p, 0, count * size);
  return p;
}

void lopt_free(lopt_solver *s, void *p)
{
  if (p) s->alloc.free(p, s->alloc.ctx);
}

double *lopt_alloc_f64(lopt_solver *s, int64_t n)
{
  if (n < 0) return NULL;
  return lopt_calloc(s, (size_t)n, sizeof(double));
}

double lopt_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
