/* libopt/solver.h: the solver handle says *how* to solve.
 *
 * Life cycle:  create(kind) -> set options -> setup(problem, x0) -> step()... or solve() -> destroy.
 * A solver can be set up again on another problem; options marked mutable may change between steps.
 *
 * Threads: a solver handle is used by one thread at a time; distinct handles may run on distinct
 * threads at once (libopt has no global mutable state). lopt_solver_request_stop() is the one
 * call that is safe from another thread while the solver runs.
 *
 * Messages: every failing call stores a sentence on the handle (lopt_solver_message). */
#ifndef LIBOPT_SOLVER_H
#define LIBOPT_SOLVER_H

#include "core.h"
#include "matrix.h"
#include "problem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lopt_solver lopt_solver;

/* Solver kinds. Values are stable (ABI); names via lopt_kind_name(). */
typedef enum lopt_kind {
  LOPT_KIND_NONE = 0,
  /* linear systems */
  LOPT_PCG = 1,             /* "pcg": preconditioned conjugate gradient for SPD A x = b */
  LOPT_CONJ_DIRECTION = 2,  /* "conj_direction": conjugate directions from a user direction callback */
  /* smooth minimization (smooth problem: f and its gradient, optional H v and bounds) */
  LOPT_NLCG = 10,           /* "nlcg": nonlinear conjugate gradient (Hager-Zhang, PR+, FR, HS, DY) */
  LOPT_LBFGS = 11,          /* "lbfgs": limited-memory BFGS; L-BFGS-B when the problem has bounds */
  LOPT_NEWTON_CG = 12,      /* "newton_cg": truncated Newton, Steihaug-Toint trust region or line search */
  /* stochastic optimizers (pull mode on a stochastic problem, or push mode) */
  LOPT_SGD = 20,            /* "sgd": momentum, dampening, Nesterov, weight decay */
  LOPT_ADAM = 21,           /* "adam" */
  LOPT_ADAMW = 22,          /* "adamw" */
  LOPT_LION = 23,           /* "lion" */
  LOPT_SOPHIA = 24,         /* "sophia": Sophia-G (GNB) or Sophia-H (Hutchinson) */
  LOPT_ADAHESSIAN = 25,     /* "adahessian" */
  LOPT_ADAN = 26,           /* "adan" */
  LOPT_DIFFGRAD = 27,       /* "diffgrad" */
  LOPT_ADAGRAD = 28,        /* "adagrad" */
  LOPT_RMSPROP = 29,        /* "rmsprop" */
  /* entropic optimal transport */
  LOPT_SINKHORN = 40,       /* "sinkhorn": log-domain Sinkhorn */
  LOPT_SINKHORN_NEWTON = 41,/* "sinkhorn_newton": Sinkhorn-Newton-Sparse (SNS) */
  /* composite f + g */
  LOPT_BCD = 50             /* "bcd": block coordinate descent with greedy rules */
} lopt_kind;

/* "pcg", ...; "unknown" for values that are not kinds. */
LOPT_API const char *lopt_kind_name(lopt_kind kind);
/* LOPT_KIND_NONE if the name is not a kind. */
LOPT_API lopt_kind lopt_kind_from_name(const char *name);
/* All kinds this build provides: writes up to `cap` kinds, returns how many exist. */
LOPT_API size_t lopt_kind_list(lopt_kind *kinds, size_t cap);
/* One-line description of a kind, or NULL. */
LOPT_API const char *lopt_kind_summary(lopt_kind kind);

/* ---- creation ---------------------------------------------------------------------------- */

/* `out` receives NULL on failure. With `alloc` NULL the C library's malloc/free are used. */
LOPT_API int lopt_solver_create(lopt_solver **out, lopt_kind kind);
LOPT_API int lopt_solver_create_ex(lopt_solver **out, lopt_kind kind, const lopt_allocator *alloc);
/* NULL-safe; sets *s to NULL. */
LOPT_API void lopt_solver_destroy(lopt_solver **s);
LOPT_API lopt_kind lopt_solver_kind(const lopt_solver *s);
/* The last message stored on the handle (a full sentence), "" if none. Never NULL. */
LOPT_API const char *lopt_solver_message(const lopt_solver *s);

/* ---- options ----------------------------------------------------------------------------- */

typedef enum lopt_option_type {
  LOPT_OPT_BOOL = 1,
  LOPT_OPT_INT = 2,
  LOPT_OPT_DOUBLE = 3,
  LOPT_OPT_CHOICE = 4,  /* one of a fixed list of names, e.g. "jacobi" */
  LOPT_OPT_CALLBACK = 5 /* an lopt_apply_fn with its context */
} lopt_option_type;

typedef struct lopt_option_info {
  const char *name;
  lopt_option_type type;
  const char *doc;         /* one line */
  double def;              /* default for bool/int/double */
  double min, max;         /* allowed range for int/double */
  int min_exclusive, max_exclusive;
  const char *const *choices; /* CHOICE: NULL-terminated list of names; the first is the default */
  int mutable_after_setup; /* may change between setup and the end of the run */
} lopt_option_info;

LOPT_API const char *lopt_option_type_name(lopt_option_type t);

/* Options of a kind, without a handle (for listings and docs). */
LOPT_API size_t lopt_kind_option_count(lopt_kind kind);
LOPT_API const lopt_option_info *lopt_kind_option(lopt_kind kind, size_t i);

/* Typed setters. Unknown name, wrong type or out-of-range value: LOPT_EINVAL with a sentence that
 * names the option, the allowed range and (for unknown names) the nearest valid name. An option
 * that is not mutable after setup may still be set, but then step/solve refuse with LOPT_ESTATE
 * until lopt_solver_setup is called again. Ints may be set with set_double if integral, and
 * doubles with set_int. */
LOPT_API int lopt_solver_set_bool(lopt_solver *s, const char *name, int value);
LOPT_API int lopt_solver_set_int(lopt_solver *s, const char *name, int64_t value);
LOPT_API int lopt_solver_set_double(lopt_solver *s, const char *name, double value);
LOPT_API int lopt_solver_set_choice(lopt_solver *s, const char *name, const char *value);
LOPT_API int lopt_solver_set_callback(lopt_solver *s, const char *name, lopt_apply_fn fn, void *ctx);
/* Parse text according to the option's type ("1e-8", "true", "jacobi"); for config files and flags. */
LOPT_API int lopt_solver_set(lopt_solver *s, const char *name, const char *text);

LOPT_API int lopt_solver_get_bool(const lopt_solver *s, const char *name, int *value);
LOPT_API int lopt_solver_get_int(const lopt_solver *s, const char *name, int64_t *value);
LOPT_API int lopt_solver_get_double(const lopt_solver *s, const char *name, double *value);
LOPT_API int lopt_solver_get_choice(const lopt_solver *s, const char *name, const char **value);

/* ---- monitor and log --------------------------------------------------------------------- */

typedef struct lopt_monitor_info {
  int64_t iteration;   /* iterations completed */
  double objective;    /* objective value, or NaN when the kind has none */
  double residual;     /* the residual the kind tests (e.g. ||b - Ax|| recursive), or NaN */
  double gradient_norm;/* or NaN */
  double seconds;      /* wall time since the run started */
  const double *x;     /* read-only view of the current iterate */
  int64_t n;
} lopt_monitor_info;

enum { LOPT_MONITOR_CONTINUE = 0, LOPT_MONITOR_STOP = 1, LOPT_MONITOR_ABORT = 2 };
/* Return LOPT_MONITOR_CONTINUE, _STOP (end the run, iterate accepted: LOPT_STOP_USER_SUCCESS)
 * or _ABORT (end the run: LOPT_STOP_USER_ABORT). Called every `monitor_every` iterations. */
typedef int (*lopt_monitor_fn)(const lopt_monitor_info *info, void *ctx);

LOPT_API int lopt_solver_set_monitor(lopt_solver *s, lopt_monitor_fn fn, void *ctx);
/* Messages at `level` and more severe go to `fn`. Silent (no sink) by default. */
LOPT_API int lopt_solver_set_log(lopt_solver *s, lopt_log_fn fn, void *ctx, int level);
/* Ask a running solve to stop after the current iteration (reason LOPT_STOP_INTERRUPTED).
 * Safe to call from any thread or a signal handler (one atomic store). */
LOPT_API void lopt_solver_request_stop(lopt_solver *s);

/* ---- running ----------------------------------------------------------------------------- */

/* Bind to a problem and allocate all work memory. x0 (dim entries) may be NULL: zeros.
 * The problem must outlive the solver's use of it. */
LOPT_API int lopt_solver_setup(lopt_solver *s, const lopt_problem *p, const double *x0);
/* One iteration. Returns a status; the run's stop reason is in lopt_solver_stop_reason() and
 * stays set (further steps fail with LOPT_ESTATE) until the next setup. */
LOPT_API int lopt_solver_step(lopt_solver *s);
/* Steps until a stop. Fills `r` if non-NULL (set r->size = sizeof *r first). */
typedef struct lopt_result lopt_result;
LOPT_API int lopt_solver_solve(lopt_solver *s, lopt_result *r);
LOPT_API lopt_stop lopt_solver_stop_reason(const lopt_solver *s);

/* The current iterate: copies dim entries into x. */
LOPT_API int lopt_solver_get_x(const lopt_solver *s, double *x, int64_t n);
/* Read-only view valid until the next call on the handle, or NULL before setup. */
LOPT_API const double *lopt_solver_x(const lopt_solver *s);

/* ---- push mode: the user's own training loop ----------------------------------------------- */

/* Element type of parameter arrays in push mode. */
typedef enum lopt_dtype { LOPT_F64 = 1, LOPT_F32 = 2 } lopt_dtype;

/* Register a parameter array (borrowed: updated in place by each push; it must stay valid and
 * must not move until the solver is destroyed or set up again). Each call makes a new group,
 * numbered from 0 in order; *group (may be NULL) receives its number. Allowed before
 * lopt_solver_setup_push; adding a group after it requires setup_push again. */
LOPT_API int lopt_solver_add_params(lopt_solver *s, void *params, int64_t n, lopt_dtype dtype, int *group);
/* Override a double option for one group (e.g. "lr", "weight_decay"), like a torch param group.
 * The value is range-checked like the solver-wide option. */
LOPT_API int lopt_solver_set_group_double(lopt_solver *s, int group, const char *name, double value);
/* Allocate optimizer state for the registered groups (push mode's setup). Resets the step count. */
LOPT_API int lopt_solver_setup_push(lopt_solver *s);
/* One optimizer step with gradients grads[k] for group k (same length and dtype as the group).
 * `loss` is reported to the monitor (NaN if unknown). A non-finite gradient ends the run with
 * LOPT_STOP_NONFINITE before any parameter is changed (option check_finite). */
LOPT_API int lopt_solver_push(lopt_solver *s, const void *const *grads, double loss);
/* Curvature input for kinds that use it (sophia, adahessian), one array per group in the group's
 * dtype; its meaning is set by the kind's options (sophia: estimator and curvature_input;
 * adahessian: curvature_input), see docs/stochastic.md. */
LOPT_API int lopt_solver_push_curvature(lopt_solver *s, const void *const *curvature);
/* The random probe vector z for group k that a curvature estimate H z should use (Rademacher for
 * adahessian, Gaussian for sophia), valid until the next push. NULL when the kind draws none. */
LOPT_API const void *lopt_solver_probe(const lopt_solver *s, int group);

/* ---- result ------------------------------------------------------------------------------ */

struct lopt_result {
  size_t size;           /* set by the caller to sizeof(lopt_result): lets the struct grow */
  int stop;              /* lopt_stop */
  int usable;            /* non-zero when x is a meaningful iterate (converged or budget spent) */
  int64_t iterations;
  int64_t evaluations;   /* objective/matrix-vector evaluations, per kind */
  int64_t gradient_evaluations;
  double objective;      /* NaN when the kind has none */
  double residual;       /* final residual as the kind defines it (pcg: true ||b - A x||) */
  double gradient_norm;  /* NaN when not applicable */
  double seconds;        /* wall time of the run so far */
};

LOPT_API int lopt_solver_result(const lopt_solver *s, lopt_result *r);
/* Kind-specific figures by name ("rel_residual", "cg_iters", "ic_shift", ...). LOPT_EINVAL with
 * the list of valid names if the kind has no such figure. */
LOPT_API int lopt_solver_figure(const lopt_solver *s, const char *name, double *value);

/* ---- state ------------------------------------------------------------------------------- */

/* Save the run's state to a versioned, checksummed blob. With buf NULL, *len receives the size
 * needed. Load checks magic, version, kind, sizes, endianness and checksum, and refuses with a
 * sentence; it requires a solver of the same kind set up on a problem of the same size.
 * Resuming gives the same iterates as never stopping. */
LOPT_API int lopt_solver_state_save(const lopt_solver *s, void *buf, size_t cap, size_t *len);
LOPT_API int lopt_solver_state_load(lopt_solver *s, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
