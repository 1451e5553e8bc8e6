/* src/linear/conj_direction.c: conjugate directions from a user direction callback, for SPD A x = b.
 *
 * For learned or nonlinear preconditioners (Kaneda et al., "A Deep Conjugate Direction Method for
 * Iteratively Solving Linear Systems", ICML 2023, Algorithm 2). Each iteration:
 *   d = f(r / ||r||)                             user direction (identity when none is set)
 *   d -= sum_k (d'A p_k / p_k'A p_k) p_k          A-orthogonalise against the last `orth_depth` directions
 *   x += (d'r / d'A d) d                          exact line search along d in the A-norm
 *   r = b - A x                                   recomputed every `replace_every` iterations, else r -= step A d
 * f need not be linear or symmetric, so CG's short recurrence does not hold; truncating the
 * orthogonalisation at depth 2 is the paper's choice. With f = identity this is CG in exact arithmetic.
 * d'Ad <= 0 ends with not_spd; a zero direction after orthogonalisation ends with breakdown. */
#include <math.h>
#include <string.h>

#include "linop.h"

enum { O_RTOL, O_ATOL, O_MAX_ITER, O_MAX_TIME, O_MONITOR_EVERY, O_DIRECTION_FN, O_ORTH_DEPTH, O_REPLACE_EVERY,
       O_CHECK_SYMMETRY };
enum { MAX_DEPTH = 16 };

static const lopt_option_info cd_options[] = {
  [O_RTOL] = {"rtol", LOPT_OPT_DOUBLE, "stop when ||b - Ax|| <= max(rtol ||b||, atol)", 1e-8, 0, 1, 0, 0, NULL, 1},
  [O_ATOL] = {"atol", LOPT_OPT_DOUBLE, "absolute residual tolerance (see rtol)", 0, 0, INFINITY, 0, 1, NULL, 1},
  [O_MAX_ITER] = {"max_iter", LOPT_OPT_INT, "iteration budget; 0 means 10 n", 0, 0, 9.2e18, 0, 0, NULL, 1},
  [O_MAX_TIME] = {"max_time", LOPT_OPT_DOUBLE, "wall-time budget in seconds", INFINITY, 0, INFINITY, 1, 0, NULL, 1},
  [O_MONITOR_EVERY] = {"monitor_every", LOPT_OPT_INT, "call the monitor every k iterations (0: never)", 1, 0, 9.2e18,
                       0, 0, NULL, 1},
  [O_DIRECTION_FN] = {"direction_fn", LOPT_OPT_CALLBACK, "direction d = f(r / ||r||); identity when unset", 0, 0, 0, 0,
                      0, NULL, 0},
  [O_ORTH_DEPTH] = {"orth_depth", LOPT_OPT_INT, "A-orthogonalise against this many previous directions", 2, 0,
                    MAX_DEPTH, 0, 0, NULL, 0},
  [O_REPLACE_EVERY] = {"replace_every", LOPT_OPT_INT, "recompute r = b - Ax every k iterations (1: always)", 1, 1,
                       9.2e18, 0, 0, NULL, 1},
  [O_CHECK_SYMMETRY] = {"check_symmetry", LOPT_OPT_BOOL, "refuse a general-stored A that is not symmetric", 1, 0, 1, 0,
                        0, NULL, 0},
};

typedef struct cd_work {
  linop A;
  const double *b;
  double *r, *u, *d, *Ad;       /* u = r / ||r|| (the callback's input) */
  double *p[MAX_DEPTH], *Ap[MAX_DEPTH], pAp[MAX_DEPTH];
  int depth, stored, newest;    /* ring buffer of the last `depth` directions */
  double rnorm, bnorm;
  int callback_code;
  int r_is_true;                /* r was just recomputed as b - A x (no need to redo it at the end) */
} cd_work;

static void cd_release(lopt_solver *s)
{
  cd_work *w = s->impl;
  if (!w) return;
  linop_free(s, &w->A);
  lopt_free(s, w->r);
  lopt_free(s, w->u);
  lopt_free(s, w->d);
  lopt_free(s, w->Ad);
  for (int k = 0; k < MAX_DEPTH; k++) {
    lopt_free(s, w->p[k]);
    lopt_free(s, w->Ap[k]);
  }
  lopt_free(s, w);
  s->impl = NULL;
}

/* r = b - A x and its norm; returns 0, or sets the stop reason. */
static int true_residual(lopt_solver *s, cd_work *w)
{
  if (isnan(linop_apply_dot(&w->A, s->x, w->r, s->n)) && w->A.callback_code) {
    s->stop = LOPT_STOP_CALLBACK;
    return lopt_fail(s, LOPT_OK, "conj_direction: the operator callback returned %d at iteration %lld",
                     w->A.callback_code, (long long)s->iter + 1);
  }
  for (int64_t i = 0; i < s->n; i++) w->r[i] = w->b[i] - w->r[i];
  w->rnorm = lopt_norm2(w->r, s->n);
  s->residual = w->rnorm;
  s->nfev = w->A.matvecs;
  w->r_is_true = 1;
  return 0;
}

/* The tolerances are read at each test: rtol and atol may change between steps. */
static void test_convergence(lopt_solver *s, cd_work *w)
{
  const double rtol = lopt_opt_d(s, O_RTOL), atol = lopt_opt_d(s, O_ATOL);
  if (!isfinite(w->rnorm)) {
    s->stop = LOPT_STOP_NONFINITE;
    lopt_fail(s, LOPT_OK, "conj_direction: the residual norm is %g at iteration %lld", w->rnorm,
              (long long)s->iter + 1);
  } else if (w->rnorm <= fmax(rtol * w->bnorm, atol)) {
    s->stop = rtol * w->bnorm >= atol ? LOPT_STOP_RTOL : LOPT_STOP_ATOL;
  }
}

static int cd_setup(lopt_solver *s, const lopt_problem *prob, const double *x0)
{
  (void)x0;
  int rc = lopt_require_problem(s, prob, LOPT_PROBLEM_LINEAR);
  if (rc) return rc;
  int64_t n = prob->dim;
  cd_work *w = lopt_calloc(s, 1, sizeof *w);
  if (!w) return lopt_fail(s, LOPT_ENOMEM, "conj_direction: no memory for the work space");
  s->impl = w;
  w->b = prob->u.linear.b;
  if ((rc = linop_init(s, &w->A, prob->u.linear.A, 0, lopt_opt_b(s, O_CHECK_SYMMETRY)))) return rc;
  w->depth = (int)lopt_opt_i(s, O_ORTH_DEPTH);
  w->r = lopt_alloc_f64(s, n);
  w->u = lopt_alloc_f64(s, n);
  w->d = lopt_alloc_f64(s, n);
  w->Ad = lopt_alloc_f64(s, n);
  int ok = w->r && w->u && w->d && w->Ad;
  for (int k = 0; ok && k < w->depth; k++) ok = (w->p[k] = lopt_alloc_f64(s, n)) && (w->Ap[k] = lopt_alloc_f64(s, n));
  if (!ok)
    return lopt_fail(s, LOPT_ENOMEM, "conj_direction: no memory for %d vectors of %lld doubles", 4 + 2 * w->depth,
                     (long long)n);
  s->max_iter_default = 10 * (n > 0 ? n : 1);
  w->bnorm = lopt_norm2(w->b, n);
  if (w->bnorm == 0) {
    memset(s->x, 0, (size_t)n * sizeof *s->x);
    s->residual = 0;
    s->stop = LOPT_STOP_EXACT;
    return LOPT_OK;
  }
  if (!true_residual(s, w) && s->stop == LOPT_STOP_RUNNING) test_convergence(s, w);
  return LOPT_OK;
}

static int cd_step(lopt_solver *s)
{
  cd_work *w = s->impl;
  const int64_t n = s->n;
  lopt_opt_value f = lopt_opt_raw(s, O_DIRECTION_FN);
  /* d = f(r / ||r||) */
  const double inv = 1.0 / w->rnorm;
  for (int64_t i = 0; i < n; i++) w->u[i] = w->r[i] * inv;
  if (f.cb.fn) {
    int code = f.cb.fn(f.cb.ctx, w->u, w->d);
    if (code) {
      w->callback_code = code;
      s->stop = LOPT_STOP_CALLBACK;
      return lopt_fail(s, LOPT_OK, "conj_direction: the direction callback failed (code %d) at iteration %lld", code,
                       (long long)s->iter);
    }
  } else {
    memcpy(w->d, w->u, (size_t)n * sizeof *w->d);
  }
  /* d -= sum_k (d'A p_k / p_k'A p_k) p_k over the stored directions */
  for (int k = 0; k < w->stored; k++) {
    double c = lopt_dot(w->d, w->Ap[k], n) / w->pAp[k];
    for (int64_t i = 0; i < n; i++) w->d[i] -= c * w->p[k][i];
  }
  double dAd = linop_apply_dot(&w->A, w->d, w->Ad, n);
  double dnorm = lopt_norm2(w->d, n);
  if (isnan(dAd) && w->A.callback_code) {
    s->stop = LOPT_STOP_CALLBACK;
    return lopt_fail(s, LOPT_OK, "conj_direction: the operator callback returned %d at iteration %lld",
                     w->A.callback_code, (long long)s->iter + 1);
  }
  if (!isfinite(dAd) || !isfinite(dnorm)) {
    s->stop = LOPT_STOP_NONFINITE;
    return lopt_fail(s, LOPT_OK, "conj_direction: the direction is not finite at iteration %lld", (long long)s->iter);
  }
  if (dnorm == 0) {
    s->stop = LOPT_STOP_BREAKDOWN;
    return lopt_fail(s, LOPT_OK, "conj_direction: the direction vanished after A-orthogonalisation at iteration %lld",
                     (long long)s->iter);
  }
  if (!(dAd > 0)) {
    s->stop = LOPT_STOP_NOT_SPD;
    return lopt_fail(s, LOPT_OK, "conj_direction: d'Ad = %.3g <= 0 at iteration %lld: A is not positive definite", dAd,
                     (long long)s->iter);
  }
  const double step = lopt_dot(w->d, w->r, n) / dAd;
  for (int64_t i = 0; i < n; i++) {
    s->x[i] += step * w->d[i];
    w->r[i] -= step * w->Ad[i];
  }
  /* keep d, Ad as the newest stored direction */
  if (w->depth > 0) {
    w->newest = w->stored == 0 ? 0 : (w->newest + 1) % w->depth;
    memcpy(w->p[w->newest], w->d, (size_t)n * sizeof *w->d);
    memcpy(w->Ap[w->newest], w->Ad, (size_t)n * sizeof *w->Ad);
    w->pAp[w->newest] = dAd;
    if (w->stored < w->depth) w->stored++;
  }
  s->nfev = w->A.matvecs;
  if ((s->iter + 1) % lopt_opt_i(s, O_REPLACE_EVERY) == 0) {
    if (true_residual(s, w) || s->stop != LOPT_STOP_RUNNING) return LOPT_OK;
  } else {
    w->rnorm = lopt_norm2(w->r, n);
    s->residual = w->rnorm;
    w->r_is_true = 0;
  }
  test_convergence(s, w);
  return LOPT_OK;
}

static void cd_finish(lopt_solver *s)
{
  cd_work *w = s->impl;
  if (w && !w->r_is_true && s->stop != LOPT_STOP_CALLBACK && s->stop != LOPT_STOP_EXACT) true_residual(s, w);
}

static const char *const cd_figures[] = {"rel_residual", "true_residual", "matvecs", "callback_code", NULL};

static int cd_figure(const lopt_solver *s, const char *name, double *v)
{
  const cd_work *w = s->impl;
  if (!strcmp(name, "rel_residual")) *v = w->bnorm > 0 ? s->residual / w->bnorm : s->residual;
  else if (!strcmp(name, "true_residual")) *v = s->residual;
  else if (!strcmp(name, "matvecs")) *v = (double)w->A.matvecs;
  else *v = (double)(w->A.callback_code ? w->A.callback_code : w->callback_code);
  return LOPT_OK;
}

const lopt_kind_vtable lopt_conj_direction_vtable = {
  .kind = LOPT_CONJ_DIRECTION,
  .name = "conj_direction",
  .summary = "conjugate directions from a user (e.g. learned) direction callback for SPD A x = b",
  .options = cd_options,
  .n_options = sizeof cd_options / sizeof cd_options[0],
  .setup = cd_setup,
  .step = cd_step,
  .finish = cd_finish,
  .release = cd_release,
  .figure_names = cd_figures,
  .figure = cd_figure,
};
