/* src/core/internal.h: what kinds see of the core. Private; never installed.
 *
 * A kind is one source file that defines an option table and a `lopt_kind_vtable`, listed once in
 * src/core/registry.c. The core owns the handle, options, messages, stopping budgets, monitor,
 * timing, RNG and the state blob framing; the kind owns its work memory (`s->impl`). */
#ifndef LOPT_CORE_INTERNAL_H
#define LOPT_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include "libopt.h"

#if defined(__GNUC__)
#define LOPT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define LOPT_INTERNAL __attribute__((visibility("hidden")))
#else
#define LOPT_PRINTF(a, b)
#define LOPT_INTERNAL
#endif

#define LOPT_MSG_LEN 512

/* Loops shorter than this run on one thread: starting the team costs more than the loop. */
#define LOPT_PAR_MIN 20000

/* ---- allocation ---------------------------------------------------------------------------- */
/* All solver memory goes through the handle's allocator, so a test can fail any allocation. */
LOPT_INTERNAL void *lopt_alloc(lopt_solver *s, size_t bytes);
LOPT_INTERNAL void *lopt_calloc(lopt_solver *s, size_t count, size_t size); /* NULL on overflow */
LOPT_INTERNAL void lopt_free(lopt_solver *s, void *p);                       /* NULL-safe */
LOPT_INTERNAL double *lopt_alloc_f64(lopt_solver *s, int64_t n);              /* zeroed; n may be 0 */

/* ---- messages ------------------------------------------------------------------------------ */
/* Store a sentence on the handle and return `status`, so every exit reads `return lopt_fail(...)`. */
LOPT_INTERNAL int lopt_fail(const lopt_solver *s, int status, const char *fmt, ...) LOPT_PRINTF(3, 4);
LOPT_INTERNAL int lopt_error_set(lopt_error *err, int status, long line, const char *fmt, ...)
    LOPT_PRINTF(4, 5);
LOPT_INTERNAL void lopt_log(const lopt_solver *s, int level, const char *fmt, ...) LOPT_PRINTF(3, 4);

/* ---- time and random numbers --------------------------------------------------------------- */
LOPT_INTERNAL double lopt_now(void); /* monotonic seconds */

/* Counter-based generator: output k is a bijective mix of (seed, k), so the state is two integers
 * that a checkpoint can store and any stream position can be reproduced. */
typedef struct lopt_rng {
  uint64_t seed, counter;
} lopt_rng;
LOPT_INTERNAL uint64_t lopt_rng_u64(lopt_rng *r);
LOPT_INTERNAL double lopt_rng_uniform(lopt_rng *r); /* [0, 1) with 53 random bits */
LOPT_INTERNAL double lopt_rng_normal(lopt_rng *r);  /* standard normal */

/* ---- options ------------------------------------------------------------------------------- */
typedef union lopt_opt_value {
  double d;
  int64_t i;
  int b;
  int choice;                       /* index into the choice list */
  struct { lopt_apply_fn fn; void *ctx; } cb;
} lopt_opt_value;

/* LOPT_OK when v is a valid value for double option idx, else a message on s and LOPT_EINVAL. */
LOPT_INTERNAL int lopt_option_check_double(const lopt_solver *s, int idx, double v);
/* Set every option to its table default. */
LOPT_INTERNAL void lopt_options_reset(lopt_solver *s);
/* Index of `name` in the kind's table, or -1. */
LOPT_INTERNAL int lopt_option_index(const lopt_solver *s, const char *name);
/* Typed reads by table index, for kinds (no checks: the index comes from the kind's own table). */
LOPT_INTERNAL double lopt_opt_d(const lopt_solver *s, int idx);
LOPT_INTERNAL int64_t lopt_opt_i(const lopt_solver *s, int idx);
LOPT_INTERNAL int lopt_opt_b(const lopt_solver *s, int idx);
LOPT_INTERNAL int lopt_opt_choice(const lopt_solver *s, int idx);
LOPT_INTERNAL lopt_opt_value lopt_opt_raw(const lopt_solver *s, int idx);

/* ---- kinds --------------------------------------------------------------------------------- */
typedef struct lopt_kind_vtable {
  lopt_kind kind;
  const char *name;
  const char *summary;
  const lopt_option_info *options;
  size_t n_options;
  /* Check the problem, allocate s->impl and set s->x (dim s->n) from x0 (NULL: zeros). */
  int (*setup)(lopt_solver *s, const lopt_problem *p, const double *x0);
  /* One iteration; set s->stop when the run ends. Fill s->mon_* for the monitor. */
  int (*step)(lopt_solver *s);
  /* Called once when a run ends (e.g. compute the true residual); may be NULL. */
  void (*finish)(lopt_solver *s);
  /* Free s->impl (NULL-safe). */
  void (*release)(lopt_solver *s);
  /* Kind figures: NULL-terminated name list and a getter. */
  const char *const *figure_names;
  int (*figure)(const lopt_solver *s, const char *name, double *value);
  /* Push mode (may be NULL: the kind has none). push_setup allocates state for s->groups;
   * push_step applies one update from grads[k]; push_curvature takes curvature input. */
  int (*push_setup)(lopt_solver *s);
  int (*push_step)(lopt_solver *s, const void *const *grads, double loss);
  int (*push_curvature)(lopt_solver *s, const void *const *curv);
  const void *(*probe)(const lopt_solver *s, int group);
  /* Family data the family's shared driver reads (the core never looks inside). */
  const void *family;
  /* State payload (may be NULL: the kind cannot be checkpointed). */
  size_t (*state_size)(const lopt_solver *s);
  void (*state_write)(const lopt_solver *s, unsigned char *buf);
  int (*state_read)(lopt_solver *s, const unsigned char *buf, size_t len);
} lopt_kind_vtable;

LOPT_INTERNAL const lopt_kind_vtable *lopt_registry_find(lopt_kind kind);

/* ---- the handles --------------------------------------------------------------------------- */
/* A parameter array registered for push mode (pull mode registers s->x as group 0). */
typedef struct lopt_group {
  void *x;
  int64_t n;
  lopt_dtype dtype;
  double *override; /* one per option; NaN: use the solver-wide value */
} lopt_group;

struct lopt_solver {
  const lopt_kind_vtable *vt;
  lopt_allocator alloc;
  lopt_opt_value *opt;     /* one per entry of vt->options */
  char *message;           /* LOPT_MSG_LEN bytes; written through a const handle too (last message) */

  /* run state, owned by the core */
  int is_setup;
  const lopt_problem *problem;
  int64_t n;               /* dimension of x */
  double *x;               /* current iterate, allocated by the core at setup */
  void *impl;              /* the kind's work memory */
  lopt_stop stop;
  int64_t iter, nfev, ngev;
  int64_t max_iter_default; /* used when the max_iter option is 0; a kind may set it at setup */
  double t_start, t_elapsed; /* elapsed carries over steps: time spent inside step/solve calls */
  lopt_rng rng;
  atomic_int stop_requested;

  /* stochastic pull mode: the monitor counts epochs, flagged by the kind */
  int monitor_by_epoch, epoch_ended;
  int64_t epoch;

  /* figures the kind keeps current for the monitor and result */
  double objective, residual, gradient_norm;

  /* indices of the shared options in this kind's table (-1 when absent) */
  int ix_max_iter, ix_max_time, ix_monitor_every, ix_seed;

  /* push mode */
  lopt_group *groups;
  int n_groups, cap_groups;
  int push_mode;           /* set up by lopt_solver_setup_push */

  lopt_monitor_fn monitor;
  void *monitor_ctx;
  lopt_log_fn log;
  void *log_ctx;
  int log_level;
};

typedef struct lopt_linear_data {
  const lopt_matrix *A;
  double *b;
} lopt_linear_data;

typedef struct lopt_smooth_data {
  lopt_fg_fn fg;
  lopt_hvp_fn hvp;  /* NULL: finite differences */
  void *ctx;
  double *lower, *upper; /* NULL when unbounded */
} lopt_smooth_data;

typedef struct lopt_stochastic_data {
  int64_t n_samples;
  lopt_batch_fn batch;
  lopt_batch_hvp_fn hvp; /* NULL: finite differences */
  lopt_batch_fn gnb;     /* NULL: Sophia-G unavailable in pull mode */
  void *ctx;
} lopt_stochastic_data;

typedef struct lopt_ot_data {
  int64_t n, m;
  double *a, *b;             /* owned copies */
  const lopt_matrix *C;      /* dense n x m, borrowed; NULL when rows are given by callback */
  lopt_cost_row_fn row;
  void *ctx;
  double eps;
} lopt_ot_data;

typedef struct lopt_composite_data {
  lopt_loss loss;            /* 0 for a user f */
  const lopt_matrix *A;      /* borrowed */
  double *y;                 /* owned copy */
  int64_t n_samples, n_features, classes;
  /* user f */
  lopt_f_fn f;
  lopt_block_grad_fn grad;
  lopt_block_lipschitz_fn lipschitz;
  void *ctx;
  /* g */
  lopt_regularizer reg;
  double lambda, alpha;
  double *lower, *upper;     /* owned, box only */
} lopt_composite_data;

struct lopt_problem {
  lopt_problem_type type;
  int64_t dim;
  union {
    lopt_linear_data linear;
    lopt_smooth_data smooth;
    lopt_stochastic_data stochastic;
    lopt_ot_data ot;
    lopt_composite_data composite;
  } u;
};

/* Option value for a group: its override when set, else the solver-wide value. */
LOPT_INTERNAL double lopt_group_opt_d(const lopt_solver *s, int group, int idx);
/* Release what the last setup allocated (the kind's work memory and x); options and groups stay. */
LOPT_INTERNAL void lopt_release_run(lopt_solver *s);
/* Register a group without ending the run (pull-mode setup registers x this way). */
LOPT_INTERNAL int lopt_group_add(lopt_solver *s, void *params, int64_t n, lopt_dtype dtype, int *group);
/* Release push-mode groups (core use). */
LOPT_INTERNAL void lopt_groups_free(lopt_solver *s);

/* Helpers for kinds: the sentence "<kind>: needs a <shape> problem" when the type differs. */
LOPT_INTERNAL int lopt_require_problem(const lopt_solver *s, const lopt_problem *p, lopt_problem_type t);

/* Byte helpers for state payloads (native endianness; the header records it). */
static inline unsigned char *lopt_put(unsigned char *dst, const void *src, size_t n)
{
  for (size_t i = 0; i < n; i++) dst[i] = ((const unsigned char *)src)[i];
  return dst + n;
}
static inline const unsigned char *lopt_get(const unsigned char *src, void *dst, size_t n)
{
  for (size_t i = 0; i < n; i++) ((unsigned char *)dst)[i] = src[i];
  return src + n;
}

#endif
