/* src/smooth/smooth.h: what the smooth-minimization kinds (nlcg, lbfgs, newton_cg) share.
 * Private to src/smooth/.
 *
 * - The common option rows (one macro, so the three tables agree on names, ranges and docs).
 * - `smooth_base`, the first member of every smooth kind's work struct: the gradient at s->x,
 *   f, the (projected) gradient norm, the counters behind the figures, the bounds.
 * - Evaluation: f and g through the user's fused callback, counted in s->nfev / s->ngev; a
 *   non-zero code or a non-finite f or g is reported as such, never silently used.
 * - Hessian-vector products: the user's hvp, else the forward difference of problem.h.
 * - Projection onto the bounds and the projected-gradient norm.
 * - The stopping tests of every smooth kind (gtol, gtol_rel, ftol, xtol, f_target, max_eval).
 * - Figures and the common part of the state payload.
 *
 * Counting: s->nfev counts calls of fg made to evaluate f (line-search trials, trust-region trials,
 * x0); s->ngev counts calls that also return a gradient, including the gradient evaluations of
 * finite-difference Hessian-vector products (those are counted in nhvp as well, not in nfev). */
#ifndef LOPT_SMOOTH_SMOOTH_H
#define LOPT_SMOOTH_SMOOTH_H

#include <math.h>

#include "../core/internal.h"
#include "../linalg/matrix_internal.h" /* LOPT_PAR_MIN */

/* ---- options shared by every smooth kind ----------------------------------------------------- */

/* Each kind's option table starts with these rows, in this order, so their indices agree. */
enum {
  SM_O_GTOL,
  SM_O_GTOL_REL,
  SM_O_FTOL,
  SM_O_XTOL,
  SM_O_F_TARGET,
  SM_O_MAX_ITER,
  SM_O_MAX_EVAL,
  SM_O_MAX_TIME,
  SM_O_MONITOR_EVERY,
  SM_O_LINESEARCH,
  SM_O_LS_C1,
  SM_O_LS_C2,
  SM_O_LS_MAX_EVALS,
  SM_O_COMMON /* first kind-specific index */
};

/* The common rows. The choice list of `linesearch` differs by kind only in its order (the first
 * name is the default); `c2_default` is 0.9 for quasi-Newton and Newton, 0.1 for nonlinear CG. */
#define SMOOTH_COMMON_OPTIONS(max_iter_doc, ls_choices, ls_doc, c2_default)                                           \
  [SM_O_GTOL] = {"gtol", LOPT_OPT_DOUBLE, "stop when ||g||_inf <= gtol (projected gradient with bounds; 0: off)",     \
                 1e-6, 0, INFINITY, 0, 1, NULL, 1},                                                                   \
  [SM_O_GTOL_REL] = {"gtol_rel", LOPT_OPT_DOUBLE, "stop when ||g||_inf <= gtol_rel ||g(x0)||_inf (0: off)", 0, 0, 1, \
                     0, 0, NULL, 1},                                                                                  \
  [SM_O_FTOL] = {"ftol", LOPT_OPT_DOUBLE, "stop when f_prev - f <= ftol max(|f_prev|, |f|, 1) (0: off)", 0, 0, 1, 0,  \
                 0, NULL, 1},                                                                                         \
  [SM_O_XTOL] = {"xtol", LOPT_OPT_DOUBLE, "stop when ||x_new - x||_inf <= xtol (1 + ||x||_inf) (0: off)", 0, 0, 1, 0, \
                 0, NULL, 1},                                                                                         \
  [SM_O_F_TARGET] = {"f_target", LOPT_OPT_DOUBLE, "stop when f <= f_target", -INFINITY, -INFINITY, INFINITY, 0, 0,   \
                     NULL, 1},                                                                                        \
  [SM_O_MAX_ITER] = {"max_iter", LOPT_OPT_INT, max_iter_doc, 0, 0, 9.2e18, 0, 0, NULL, 1},                            \
  [SM_O_MAX_EVAL] = {"max_eval", LOPT_OPT_INT, "budget of objective evaluations (nfev; 0: unlimited)", 0, 0, 9.2e18, \
                     0, 0, NULL, 1},                                                                                  \
  [SM_O_MAX_TIME] = {"max_time", LOPT_OPT_DOUBLE, "wall-time budget in seconds", INFINITY, 0, INFINITY, 1, 0, NULL,  \
                     1},                                                                                              \
  [SM_O_MONITOR_EVERY] = {"monitor_every", LOPT_OPT_INT, "call the monitor every k iterations (0: never)", 1, 0,     \
                          9.2e18, 0, 0, NULL, 1},                                                                     \
  [SM_O_LINESEARCH] = {"linesearch", LOPT_OPT_CHOICE, ls_doc, 0, 0, 0, 0, 0, ls_choices, 1},                          \
  [SM_O_LS_C1] = {"ls_c1", LOPT_OPT_DOUBLE, "sufficient decrease constant: f(x + a d) <= f(x) + c1 a g'd", 1e-4, 0,    \
                  0.5, 1, 1, NULL, 1},                                                                                \
  [SM_O_LS_C2] = {"ls_c2", LOPT_OPT_DOUBLE,                                                                           \
                  "curvature: |g(x + a d)'d| <= c2 |g'd| (More-Thuente), g(x + a d)'d >= c2 g'd (Hager-Zhang)", \
                  c2_default, 0, 1, 1, 1, NULL, 1},                                                                   \
  [SM_O_LS_MAX_EVALS] = {"ls_max_evals", LOPT_OPT_INT, "evaluations allowed in one line search", 20, 1, 1e6, 0, 0,   \
                         NULL, 1}

/* ---- the shared part of a smooth kind's work -------------------------------------------------- */

/* What an evaluation returned. */
typedef enum sm_eval { SM_EVAL_OK = 0, SM_EVAL_CALLBACK = 1, SM_EVAL_NONFINITE = 2 } sm_eval;

typedef struct smooth_base {
  lopt_solver *s;
  const lopt_smooth_data *prob;
  const char *kind;             /* for messages */
  int64_t n;
  const double *lower, *upper;  /* NULL unless the problem has at least one finite bound */
  double *g;                    /* gradient at s->x */
  double f;                     /* f(s->x) */
  double gnorm;                 /* ||g||_inf, or ||x - P(x - g)||_inf with bounds */
  double gnorm0;                /* gnorm at x0 (gtol_rel) */
  double *hv_x, *hv_g;          /* finite-difference H v work (allocated when the kind needs it) */
  /* counters behind the figures */
  int64_t nhvp, ls_evals, restarts, cg_iters, neg_curv, skipped, active;
  double tr_radius;             /* newton_cg trust region radius (NaN otherwise) */
  int callback_code;            /* the last non-zero code of a callback */
} smooth_base;

/* Check the problem, fill `b`, allocate b->g (and the H v work when `need_hvp_work`), project
 * s->x into the bounds. Messages name b->kind. */
LOPT_INTERNAL int smooth_init(lopt_solver *s, smooth_base *b, const lopt_problem *p, const char *kind,
                              int need_hvp_work);
LOPT_INTERNAL void smooth_release(lopt_solver *s, smooth_base *b);
/* Evaluate f, g at s->x, set the monitor figures, and run the tests that can already hold at x0
 * (gtol, f_target, max_eval); a failed evaluation sets the stop reason. */
LOPT_INTERNAL void smooth_start(smooth_base *b);

/* f(x) and, when g is not NULL, g(x); counts; keeps a callback's code. */
LOPT_INTERNAL sm_eval smooth_eval(smooth_base *b, const double *x, double *f, double *g);
/* End the run for a failed evaluation: LOPT_STOP_CALLBACK or LOPT_STOP_NONFINITE with a sentence
 * saying where (`what`, e.g. "at a trust-region trial point"). */
LOPT_INTERNAL void smooth_stop_eval(smooth_base *b, sm_eval e, const char *what);

/* hv = H(x) v; g = g(x) is needed by the finite difference. Counts nhvp (and ngev for a finite
 * difference). v must not be zero. */
LOPT_INTERNAL sm_eval smooth_hvp(smooth_base *b, const double *x, const double *g, const double *v, double *hv);

/* After an accepted step from f_prev to b->f with ||x_new - x_old||_inf = step_inf: refresh the
 * gradient norm and the monitor figures (s->objective, residual, gradient_norm), then run the
 * stopping tests in the order gtol, gtol_rel, f_target, ftol, xtol, max_eval. Returns 1 when the
 * run ended. The step test and ftol are skipped when step_inf is NaN (no step was taken). */
LOPT_INTERNAL int smooth_accept(smooth_base *b, double f_prev, double step_inf);
/* The max_eval test alone (for iterations that took no step). Returns 1 when the run ended. */
LOPT_INTERNAL int smooth_check_budget(smooth_base *b);
/* Evaluations left under max_eval (INT64_MAX when unlimited). */
LOPT_INTERNAL int64_t smooth_evals_left(const smooth_base *b);

/* ---- vectors ----------------------------------------------------------------------------------- */
LOPT_INTERNAL double sm_dot(const double *a, const double *b, int64_t n);
LOPT_INTERNAL double sm_nrm2(const double *a, int64_t n);
LOPT_INTERNAL double sm_amax(const double *a, int64_t n);       /* ||a||_inf */
LOPT_INTERNAL void sm_copy(double *dst, const double *src, int64_t n);
/* x = P(x): clamp into [lower, upper] (no-op without bounds). */
LOPT_INTERNAL void smooth_project(const smooth_base *b, double *x);
/* ||x - P(x - g)||_inf, or ||g||_inf without bounds. */
LOPT_INTERNAL double smooth_gnorm(const smooth_base *b, const double *x, const double *g);
/* Number of i with x_i at lower_i or upper_i. */
LOPT_INTERNAL int64_t smooth_count_active(const smooth_base *b, const double *x);

/* ---- the line phi(a) = f(x + a d) -------------------------------------------------------------- */
typedef struct sm_line {
  const double *x, *d; /* base point and direction */
  double *xt, *gt;     /* trial point and its gradient, written by sm_line_eval */
  double f0, dg0;      /* phi(0), phi'(0) = g'd */
  double alpha_max;    /* largest step allowed (INFINITY when unbounded) */
} sm_line;

/* xt = x + a d (clamped into the bounds, which only removes rounding when a <= alpha_max),
 * f = f(xt), gt = g(xt), dg = gt'd. */
LOPT_INTERNAL sm_eval sm_line_eval(smooth_base *b, const sm_line *L, double a, double *f, double *dg);

/* ---- figures and state ------------------------------------------------------------------------- */
LOPT_INTERNAL extern const char *const smooth_figure_names[];
/* Figure getter for the vtable: s->impl starts with a smooth_base. */
LOPT_INTERNAL int smooth_figure(const lopt_solver *s, const char *name, double *value);

/* The common payload: f, gnorm, gnorm0, counters, the gradient (s->x is the kind's to save). */
LOPT_INTERNAL size_t smooth_state_size(const smooth_base *b);
LOPT_INTERNAL unsigned char *smooth_state_write(const smooth_base *b, unsigned char *buf);
LOPT_INTERNAL const unsigned char *smooth_state_read(smooth_base *b, const unsigned char *buf);

#endif
