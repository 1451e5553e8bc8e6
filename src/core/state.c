/* src/core/state.c: checkpoint blobs. The core writes and checks the frame; the kind writes its
 * payload. Layout (native byte order, recorded by an endianness marker):
 *
 *   "LOPTSTAT" | u32 format | u32 endian 0x01020304 | u32 kind | u32 reserved | i64 n
 *   | i64 iter, nfev, ngev | f64 elapsed, objective, residual, gradient_norm | u64 rng seed, counter
 *   | i32 stop | u32 reserved | u64 payload bytes | payload | u64 FNV-1a checksum of all before it */
#include <string.h>

#include "internal.h"

#define STATE_FORMAT 1u
#define ENDIAN_MARK 0x01020304u
static const char magic[8] = {'L', 'O', 'P', 'T', 'S', 'T', 'A', 'T'};
enum { HEADER_BYTES = 8 + 4 * 4 + 8 + 3 * 8 + 4 * 8 + 2 * 8 + 4 + 4 + 8 };

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

int lopt_solver_state_save(const lopt_solver *s, void *buf, size_t cap, size_t *len)
{
  if (!s) return LOPT_EINVAL;
  if (!len) return lopt_fail(s, LOPT_EINVAL, "%s: state_save needs a length output", s->vt->name);
  if (!s->is_setup) return lopt_fail(s, LOPT_ESTATE, "%s: nothing to save before lopt_solver_setup", s->vt->name);
  if (!s->vt->state_size)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: this kind does not support state save/load", s->vt->name);
  size_t payload = s->vt->state_size(s);
  size_t need = HEADER_BYTES + payload + 8;
  *len = need;
  if (!buf) return LOPT_OK;
  if (cap < need)
    return lopt_fail(s, LOPT_EINVAL, "%s: state buffer has %zu bytes; %zu are needed", s->vt->name, cap, need);
  unsigned char *p = buf;
  uint32_t u32;
  uint64_t u64;
  int32_t i32;
  p = lopt_put(p, magic, 8);
  u32 = STATE_FORMAT, p = lopt_put(p, &u32, 4);
  u32 = ENDIAN_MARK, p = lopt_put(p, &u32, 4);
  u32 = (uint32_t)s->vt->kind, p = lopt_put(p, &u32, 4);
  u32 = 0, p = lopt_put(p, &u32, 4);
  p = lopt_put(p, &s->n, 8);
  p = lopt_put(p, &s->iter, 8);
  p = lopt_put(p, &s->nfev, 8);
  p = lopt_put(p, &s->ngev, 8);
  p = lopt_put(p, &s->t_elapsed, 8);
  p = lopt_put(p, &s->objective, 8);
  p = lopt_put(p, &s->residual, 8);
  p = lopt_put(p, &s->gradient_norm, 8);
  p = lopt_put(p, &s->rng.seed, 8);
  p = lopt_put(p, &s->rng.counter, 8);
  i32 = (int32_t)s->stop, p = lopt_put(p, &i32, 4);
  u32 = 0, p = lopt_put(p, &u32, 4);
  u64 = payload, p = lopt_put(p, &u64, 8);
  s->vt->state_write(s, p);
  p += payload;
  u64 = fnv1a(buf, (size_t)(p - (unsigned char *)buf));
  lopt_put(p, &u64, 8);
  return LOPT_OK;
}

int lopt_solver_state_load(lopt_solver *s, const void *buf, size_t len)
{
  if (!s) return LOPT_EINVAL;
  const char *k = s->vt->name;
  if (!buf) return lopt_fail(s, LOPT_EINVAL, "%s: state buffer is NULL", k);
  if (!s->is_setup)
    return lopt_fail(s, LOPT_ESTATE, "%s: call lopt_solver_setup (or setup_push) before state_load%s", k,
                     s->x || s->n_groups ? "; an option fixed at setup or the parameter groups changed since" : "");
  if (!s->vt->state_read) return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: this kind does not support state save/load", k);
  if (len < HEADER_BYTES + 8)
    return lopt_fail(s, LOPT_EFORMAT, "%s: state blob of %zu bytes is shorter than its %d-byte frame", k, len,
                     HEADER_BYTES + 8);
  const unsigned char *p = buf;
  char m[8];
  uint32_t format, endian, kind, reserved;
  int64_t n, iter, nfev, ngev;
  double elapsed, objective, residual, gnorm;
  uint64_t seed, counter, payload, sum;
  int32_t stop;
  p = lopt_get(p, m, 8);
  if (memcmp(m, magic, 8) != 0) return lopt_fail(s, LOPT_EFORMAT, "%s: not a libopt state blob (bad magic)", k);
  p = lopt_get(p, &format, 4);
  p = lopt_get(p, &endian, 4);
  if (endian != ENDIAN_MARK)
    return lopt_fail(s, LOPT_EFORMAT, "%s: state blob was written on a machine of the other byte order", k);
  if (format != STATE_FORMAT)
    return lopt_fail(s, LOPT_EFORMAT, "%s: state blob format %u; this libopt reads format %u", k, format, STATE_FORMAT);
  p = lopt_get(p, &kind, 4);
  p = lopt_get(p, &reserved, 4);
  if (kind != (uint32_t)s->vt->kind)
    return lopt_fail(s, LOPT_EINVAL, "%s: state blob belongs to kind '%s'", k, lopt_kind_name((lopt_kind)kind));
  p = lopt_get(p, &n, 8);
  if (n != s->n)
    return lopt_fail(s, LOPT_EINVAL, "%s: state blob is for dimension %lld; the solver is set up for %lld", k,
                     (long long)n, (long long)s->n);
  p = lopt_get(p, &iter, 8);
  p = lopt_get(p, &nfev, 8);
  p = lopt_get(p, &ngev, 8);
  p = lopt_get(p, &elapsed, 8);
  p = lopt_get(p, &objective, 8);
  p = lopt_get(p, &residual, 8);
  p = lopt_get(p, &gnorm, 8);
  p = lopt_get(p, &seed, 8);
  p = lopt_get(p, &counter, 8);
  p = lopt_get(p, &stop, 4);
  p = lopt_get(p, &reserved, 4);
  p = lopt_get(p, &payload, 8);
  if (payload != len - HEADER_BYTES - 8)
    return lopt_fail(s, LOPT_EFORMAT, "%s: state blob says %llu payload bytes but holds %zu", k,
                     (unsigned long long)payload, len - HEADER_BYTES - 8);
  lopt_get((const unsigned char *)buf + len - 8, &sum, 8);
  if (sum != fnv1a(buf, len - 8))
    return lopt_fail(s, LOPT_EFORMAT, "%s: state blob checksum does not match (corrupted or truncated)", k);
  if (iter < 0 || nfev < 0 || ngev < 0 || stop < -11 || stop > 8)
    return lopt_fail(s, LOPT_EFORMAT, "%s: state blob has invalid counters", k);
  int rc = s->vt->state_read(s, p, (size_t)payload);
  if (rc) return rc;
  s->iter = iter, s->nfev = nfev, s->ngev = ngev, s->t_elapsed = elapsed;
  s->objective = objective, s->residual = residual, s->gradient_norm = gnorm;
  s->rng.seed = seed, s->rng.counter = counter;
  s->stop = (lopt_stop)stop;
  s->is_setup = 1;
  atomic_store(&s->stop_requested, 0);
  return LOPT_OK;
}
