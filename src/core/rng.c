/* src/core/rng.c: counter-based random numbers (SplitMix64 finaliser over seed and counter).
 * Each solver owns one; there is no global generator. */
#include <math.h>

#include "internal.h"

uint64_t lopt_rng_u64(lopt_rng *r)
{
  /* SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): the output mix is a bijection, and the
   * golden-ratio increment makes distinct counters land far apart. */
  uint64_t z = r->seed + (++r->counter) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double lopt_rng_uniform(lopt_rng *r)
{
  return (double)(lopt_rng_u64(r) >> 11) * 0x1.0p-53;
}

double lopt_rng_normal(lopt_rng *r)
{
  /* Box-Muller with one draw discarded: simple, and stateless beyond the counter. */
  double u1 = 1.0 - lopt_rng_uniform(r); /* (0, 1] so the log is finite */
  double u2 = lopt_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

