/* bench/bench_common.h: what every bench suite shares: the run configuration, a wall clock and
 * median-of-k timing, a STREAM-style triad bound, and one record type printed either as a row of
 * an aligned table or as one JSON object per line (JSON Lines).
 *
 * Rules for suites (design/style.md §6): a warm-up, then the median of k runs; every speed figure
 * comes with its accuracy figure and iteration count; memory-bound kernels report bytes moved and
 * GB/s beside a triad of the same working-set size, thread count and run. Suites write results
 * through bench_emit() only: with --json stdout carries nothing but the JSON lines, and notes go
 * to stderr (bench_note). */
#ifndef LOPT_BENCH_COMMON_H
#define LOPT_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- configuration ------------------------------------------------------------------------ */

typedef struct bench_config {
  int quick;              /* --quick: small cases, fewer solvers and repeats */
  int json;               /* --json: one JSON object per case on stdout */
  int threads;            /* OpenMP threads for the library and for the triad */
  int repeat;             /* timed runs per measurement; 0: the suite's default */
  const char *shared_dir; /* the ../shared tree (env LOPT_SHARED_DIR, else the compile definition) */
  const char *proc_bind;  /* OMP_PROC_BIND in effect ("unset" when unbound); see lopt_bench.c */
} bench_config;

/* Suite entry points: run every case of the suite under `cfg`, emitting one record per case.
 * Return 0, or 1 when some case failed (the failure is in its record and on stderr). */
typedef int (*bench_suite_fn)(const bench_config *cfg);
int bench_cg_run(const bench_config *cfg);

/* ---- time --------------------------------------------------------------------------------- */

/* Monotonic wall clock in seconds. */
double bench_now(void);
/* Median of v[0..k) (k >= 1); reorders v. */
double bench_median(double *v, int k);
/* One untimed warm-up call of fn(ctx), then the median wall time of `runs` calls. */
double bench_median_seconds(int runs, void (*fn)(void *ctx), void *ctx);

/* ---- bandwidth bound ---------------------------------------------------------------------- */

/* STREAM triad a[i] = b[i] + s c[i] with `threads` OpenMP threads (static schedule, the arrays
 * first touched by the same threads) over a working set of `bytes` bytes, i.e. bytes / 24
 * elements in each of the three arrays. Returns the median GB/s (1e9 bytes) of 7 timings after a
 * warm-up, each timing long enough (>= 5 ms) to hide the clock. Counted per element: 2 reads + 1
 * write = 24 bytes. Write-allocate is NOT counted (STREAM's convention): on x86 without streaming
 * stores the write also reads the line first, so the hardware moves 32 bytes per element and the
 * figure understates the bus rate by up to 4/3. Byte counts of the kernels compared with it leave
 * write-allocate out too. Returns NaN if the arrays cannot be allocated. */
double bench_triad_gbytes_per_s(size_t bytes, int threads);

/* ---- records ------------------------------------------------------------------------------ */

typedef enum bench_type { BENCH_STR = 1, BENCH_INT = 2, BENCH_NUM = 3 } bench_type;

typedef struct bench_field {
  const char *key; /* a string literal */
  bench_type type;
  const char *s;   /* points into the record's pool */
  int64_t i;
  double d;        /* NaN / Inf print as null (JSON) or "-" (table) */
} bench_field;

enum { BENCH_MAX_FIELDS = 48, BENCH_POOL = 2048 };

/* One case's result: ordered key/value fields. Strings are copied into the record. */
typedef struct bench_record {
  int n;
  bench_field f[BENCH_MAX_FIELDS];
  size_t used;
  char pool[BENCH_POOL];
} bench_record;

void bench_record_init(bench_record *r);
void bench_put_str(bench_record *r, const char *key, const char *value);
void bench_put_int(bench_record *r, const char *key, int64_t value);
void bench_put_num(bench_record *r, const char *key, double value);
/* The field named `key`, or NULL. */
const bench_field *bench_get(const bench_record *r, const char *key);

/* ---- output ------------------------------------------------------------------------------- */

/* A table column: the record field `key` under `header`, `width` characters wide. Numbers are
 * printed with printf format `fmt` (one double conversion) after multiplying by `scale`
 * (0 means 1); integers and strings ignore fmt. */
typedef struct bench_column {
  const char *key;
  const char *header;
  int width;
  const char *fmt;
  double scale;
} bench_column;

typedef struct bench_table {
  const char *title;          /* printed above the header */
  const bench_column *cols;
  int ncols;
  int header_done;            /* set by bench_emit */
} bench_table;

/* Print the record: one JSON object line with every field (cfg->json) or one table row with the
 * table's columns (the header first, once). Flushes stdout. */
void bench_emit(const bench_config *cfg, bench_table *t, const bench_record *r);

/* JSON pieces: a quoted, escaped string; a double as %.6g, NaN and +-Inf as null. */
void bench_json_string(FILE *f, const char *s);
void bench_json_number(FILE *f, double v);

/* A note for the reader on stderr ("lopt_bench: ..." + newline); never on stdout. */
void bench_note(const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 1, 2)))
#endif
  ;

#endif
