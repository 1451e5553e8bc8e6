/* bench/bench_common.c: clock, medians, the triad bound, records and their JSON / table output.
 * See bench_common.h. */
#include "bench_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- time --------------------------------------------------------------------------------- */

double bench_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double bench_median(double *v, int k)
{
  if (k <= 0) return NAN;
  qsort(v, (size_t)k, sizeof *v, cmp_double);
  return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

enum { BENCH_MAX_RUNS = 64 };

double bench_median_seconds(int runs, void (*fn)(void *ctx), void *ctx)
{
  double t[BENCH_MAX_RUNS];
  if (runs < 1) runs = 1;
  if (runs > BENCH_MAX_RUNS) runs = BENCH_MAX_RUNS;
  fn(ctx); /* warm-up: page faults, thread pool start, caches */
  for (int k = 0; k < runs; k++) {
    double t0 = bench_now();
    fn(ctx);
    t[k] = bench_now() - t0;
  }
  return bench_median(t, runs);
}

/* ---- triad -------------------------------------------------------------------------------- */

typedef struct triad_ctx {
  double *a;
  const double *b, *c;
  int64_t m;
  int threads;
  int passes;
} triad_ctx;

/* `passes` sweeps of a = b + s c, each one parallel loop as the library's kernels are
 * (fork/join per sweep included, like one `omp parallel for` per CG kernel). */
static void triad_passes(void *p)
{
  triad_ctx *t = p;
  double *restrict a = t->a;
  const double *restrict b = t->b, *restrict c = t->c;
  const int64_t m = t->m;
  const double s = 3.0;
  for (int k = 0; k < t->passes; k++) {
#pragma omp parallel for simd schedule(static) num_threads(t->threads)
    for (int64_t i = 0; i < m; i++) a[i] = b[i] + s * c[i]; /* 2 reads + 1 write = 24 bytes */
  }
}

static double *alloc_doubles(int64_t m)
{
  size_t bytes = ((size_t)m * sizeof(double) + 63) / 64 * 64; /* aligned_alloc wants a multiple */
  return aligned_alloc(64, bytes);
}

double bench_triad_gbytes_per_s(size_t bytes, int threads)
{
  int64_t m = (int64_t)(bytes / (3 * sizeof(double)));
  if (m < 1024) m = 1024;
  if (threads < 1) threads = 1;
  double *a = alloc_doubles(m), *b = alloc_doubles(m), *c = alloc_doubles(m);
  if (!a || !b || !c) {
    free(a), free(b), free(c);
    return NAN;
  }
  /* First touch by the threads that will stream the arrays (same static partition). */
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t i = 0; i < m; i++) a[i] = 0, b[i] = 1, c[i] = 2;

  triad_ctx t = {a, b, c, m, threads, 1};
  triad_passes(&t); /* warm-up */
  double t1 = bench_now();
  triad_passes(&t);
  t1 = bench_now() - t1;
  /* Passes per timing so that one timing lasts >= 5 ms. */
  double want = 5e-3;
  t.passes = t1 >= want ? 1 : (int)fmin(1e6, ceil(want / fmax(t1, 1e-9)));
  double sec = bench_median_seconds(7, triad_passes, &t) / t.passes;
  volatile double sink = a[m / 2]; /* the stores are observable: nothing is optimized out */
  (void)sink;
  free(a), free(b), free(c);
  return 1e-9 * 3.0 * sizeof(double) * (double)m / sec;
}

/* ---- records ------------------------------------------------------------------------------ */

void bench_record_init(bench_record *r)
{
  r->n = 0;
  r->used = 0;
  r->pool[0] = '\0';
}

static bench_field *new_field(bench_record *r, const char *key, bench_type type)
{
  if (r->n >= BENCH_MAX_FIELDS) {
    bench_note("record full: field '%s' dropped (raise BENCH_MAX_FIELDS)", key);
    return NULL;
  }
  bench_field *f = &r->f[r->n++];
  memset(f, 0, sizeof *f);
  f->key = key;
  f->type = type;
  return f;
}

void bench_put_str(bench_record *r, const char *key, const char *value)
{
  bench_field *f = new_field(r, key, BENCH_STR);
  if (!f) return;
  size_t len = strlen(value ? value : "");
  if (r->used + len + 1 > sizeof r->pool) {
    bench_note("record pool full: field '%s' truncated", key);
    len = r->used + 1 < sizeof r->pool ? sizeof r->pool - r->used - 1 : 0;
  }
  char *dst = r->pool + r->used;
  if (len) memcpy(dst, value, len);
  dst[len] = '\0';
  r->used += len + 1;
  if (r->used > sizeof r->pool) r->used = sizeof r->pool;
  f->s = dst;
}

void bench_put_int(bench_record *r, const char *key, int64_t value)
{
  bench_field *f = new_field(r, key, BENCH_INT);
  if (f) f->i = value;
}

void bench_put_num(bench_record *r, const char *key, double value)
{
  bench_field *f = new_field(r, key, BENCH_NUM);
  if (f) f->d = value;
}

const bench_field *bench_get(const bench_record *r, const char *key)
{
  for (int k = 0; k < r->n; k++)
    if (!strcmp(r->f[k].key, key)) return &r->f[k];
  return NULL;
}

/* ---- output ------------------------------------------------------------------------------- */

void bench_json_string(FILE *f, const char *s)
{
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\b': fputs("\\b", f); break;
    case '\f': fputs("\\f", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (*p < 0x20) fprintf(f, "\\u%04x", *p);
      else fputc(*p, f); /* bytes >= 0x80 pass through: UTF-8 stays UTF-8 */
    }
  }
  fputc('"', f);
}

void bench_json_number(FILE *f, double v)
{
  if (isfinite(v)) fprintf(f, "%.6g", v);
  else fputs("null", f);
}

static void emit_json(const bench_record *r)
{
  putchar('{');
  for (int k = 0; k < r->n; k++) {
    const bench_field *f = &r->f[k];
    if (k) putchar(',');
    bench_json_string(stdout, f->key);
    putchar(':');
    switch (f->type) {
    case BENCH_STR: bench_json_string(stdout, f->s); break;
    case BENCH_INT: printf("%lld", (long long)f->i); break;
    default: bench_json_number(stdout, f->d); break;
    }
  }
  fputs("}\n", stdout);
}

static void emit_row(bench_table *t, const bench_record *r)
{
  if (!t->header_done) {
    if (t->title) printf("\n%s\n", t->title);
    int total = 0;
    for (int c = 0; c < t->ncols; c++) {
      const bench_column *col = &t->cols[c];
      /* the first column (a name) is left-aligned, the others right-aligned */
      total += printf(c == 0 ? "%-*s" : " %*s", col->width, col->header);
    }
    putchar('\n');
    for (int k = 0; k < total; k++) putchar('-');
    putchar('\n');
    t->header_done = 1;
  }
  for (int c = 0; c < t->ncols; c++) {
    const bench_column *col = &t->cols[c];
    const bench_field *f = bench_get(r, col->key);
    char cell[64] = "-";
    if (f && f->type == BENCH_STR) snprintf(cell, sizeof cell, "%s", f->s);
    else if (f && f->type == BENCH_INT) snprintf(cell, sizeof cell, "%lld", (long long)f->i);
    else if (f && isfinite(f->d)) snprintf(cell, sizeof cell, col->fmt ? col->fmt : "%.3g", f->d * (col->scale ? col->scale : 1));
    int left = c == 0 || (f && f->type == BENCH_STR);
    if (c == 0) printf("%-*s", col->width, cell);
    else printf(left ? " %-*s" : " %*s", col->width, cell);
  }
  putchar('\n');
}

void bench_emit(const bench_config *cfg, bench_table *t, const bench_record *r)
{
  if (cfg->json) emit_json(r);
  else emit_row(t, r);
  fflush(stdout);
}

void bench_note(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("lopt_bench: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}
