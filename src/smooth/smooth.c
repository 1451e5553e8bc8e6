/* src/smooth/smooth.c: evaluation, Hessian-vector products, bounds, stopping tests, figures and
 * the common state payload of the smooth-minimization kinds (see smooth.h). */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "smooth.h"

/* ---- vectors ------------------------------------------------------------------------------------ */

double sm_dot(const double *restrict a, const double *restrict b, int64_t n)
{
  double acc = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : acc) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) acc += a[i] * b[i];
  return acc;
}

double sm_nrm2(const double *a, int64_t n) { return sqrt(sm_dot(a, a, n)); }

double sm_amax(const double *a, int64_t n)
{
  double m = 0;
#pragma omp parallel for simd schedule(static) reduction(max : m) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    const double v = fabs(a[i]);
    m = v > m ? v : m; /* not fmax: a libm call in this loop without -ffast-math */
  }
  return m;
}

void sm_copy(double *restrict dst, const double *restrict src, int64_t n)
{
  if (n > 0) memcpy(dst, src, (size_t)n * sizeof *dst);
}

static inline double clamp(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

void smooth_project(const smooth_base *b, double *x)
{
  if (!b->lower) return;
  const double *restrict l = b->lower, *restrict u = b->upper;
  for (int64_t i = 0; i < b->n; i++) x[i] = clamp(x[i], l[i], u[i]);
}

double smooth_gnorm(const smooth_base *b, const double *restrict x, const double *restrict g)
{
  const int64_t n = b->n;
  if (!b->lower) return sm_amax(g, n);
  const double *restrict l = b->lower, *restrict u = b->upper;
  double m = 0;
#pragma omp parallel for simd schedule(static) reduction(max : m) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    const double v = fabs(clamp(x[i] - g[i], l[i], u[i]) - x[i]); /* x - P(x - g) */
    m = v > m ? v : m;
  }
  return m;
}

int64_t smooth_count_active(const smooth_base *b, const double *x)
{
  if (!b->lower) return 0;
  int64_t k = 0;
  for (int64_t i = 0; i < b->n; i++) k += (x[i] == b->lower[i] || x[i] == b->upper[i]);
  return k;
}

/* ---- setup -------------------------------------------------------------------------------------- */

int smooth_init(lopt_solver *s, smooth_base *b, const lopt_problem *p, const char *kind, int need_hvp_work)
{
  int rc = lopt_require_problem(s, p, LOPT_PROBLEM_SMOOTH);
  if (rc) return rc;
  const int64_t n = p->dim;
  b->s = s;
  b->prob = &p->u.smooth;
  b->kind = kind;
  b->n = n;
  b->lower = b->upper = NULL;
  b->f = b->gnorm = b->gnorm0 = NAN;
  b->tr_radius = NAN;
  /* Bounds count only when one of them is finite; the kinds then keep full arrays (infinite
   * entries included) so the loops need no test for a missing side. */
  const double *lo = b->prob->lower, *hi = b->prob->upper;
  int finite = 0;
  for (int64_t i = 0; i < n && !finite; i++) finite = (lo && isfinite(lo[i])) || (hi && isfinite(hi[i]));
  if (finite) {
    double *l = lopt_alloc_f64(s, n), *u = lopt_alloc_f64(s, n);
    if (!l || !u) {
      lopt_free(s, l);
      lopt_free(s, u);
      return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for the bounds (2 x %lld doubles)", kind, (long long)n);
    }
    for (int64_t i = 0; i < n; i++) {
      l[i] = lo ? lo[i] : -INFINITY;
      u[i] = hi ? hi[i] : INFINITY;
    }
    b->lower = l;
    b->upper = u;
  }
  b->g = lopt_alloc_f64(s, n);
  if (!b->g) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for the gradient (%lld doubles)", kind, (long long)n);
  if (need_hvp_work) {
    b->hv_x = lopt_alloc_f64(s, n);
    b->hv_g = lopt_alloc_f64(s, n);
    if (!b->hv_x || !b->hv_g)
      return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for Hessian-vector products (2 x %lld doubles)", kind,
                       (long long)n);
  }
  smooth_project(b, s->x);
  return LOPT_OK;
}

void smooth_release(lopt_solver *s, smooth_base *b)
{
  lopt_free(s, (double *)b->lower);
  lopt_free(s, (double *)b->upper);
  lopt_free(s, b->g);
  lopt_free(s, b->hv_x);
  lopt_free(s, b->hv_g);
  b->lower = b->upper = b->g = b->hv_x = b->hv_g = NULL;
}

static void set_monitor_figures(smooth_base *b)
{
  b->s->objective = b->f;
  b->s->gradient_norm = b->gnorm;
  b->s->residual = b->gnorm;
}

/* The stopping tests that need no step. Returns 1 when the run ended. */
static int test_gradient_and_target(smooth_base *b)
{
  lopt_solver *s = b->s;
  const double gtol = lopt_opt_d(s, SM_O_GTOL), gtol_rel = lopt_opt_d(s, SM_O_GTOL_REL);
  const double f_target = lopt_opt_d(s, SM_O_F_TARGET);
  const char *gname = b->lower ? "the projected gradient norm ||x - P(x - g)||_inf" : "||g||_inf";
  /* A zero gradient is a stationary point whatever the tolerances say. */
  if (b->gnorm == 0 || (gtol > 0 && b->gnorm <= gtol)) {
    s->stop = LOPT_STOP_GTOL;
    lopt_fail(s, LOPT_OK, "%s: converged after %lld iterations: %s = %.3e <= gtol = %.3e", b->kind,
              (long long)s->iter + (s->is_setup ? 1 : 0), gname, b->gnorm, gtol);
    return 1;
  }
  if (gtol_rel > 0 && b->gnorm <= gtol_rel * b->gnorm0) {
    s->stop = LOPT_STOP_GTOL;
    lopt_fail(s, LOPT_OK, "%s: converged after %lld iterations: %s = %.3e <= gtol_rel %.3e x %.3e (its value at x0)",
              b->kind, (long long)s->iter + (s->is_setup ? 1 : 0), gname, b->gnorm, gtol_rel, b->gnorm0);
    return 1;
  }
  if (b->f <= f_target) {
    s->stop = LOPT_STOP_TARGET;
    lopt_fail(s, LOPT_OK, "%s: f = %.17g reached f_target = %.17g after %lld iterations", b->kind, b->f, f_target,
              (long long)s->iter + (s->is_setup ? 1 : 0));
    return 1;
  }
  return 0;
}

int64_t smooth_evals_left(const smooth_base *b)
{
  int64_t max_eval = lopt_opt_i(b->s, SM_O_MAX_EVAL);
  if (max_eval <= 0) return INT64_MAX;
  return max_eval > b->s->nfev ? max_eval - b->s->nfev : 0;
}

int smooth_check_budget(smooth_base *b)
{
  if (smooth_evals_left(b) > 0) return 0;
  lopt_solver *s = b->s;
  s->stop = LOPT_STOP_MAX_EVAL;
  lopt_fail(s, LOPT_OK, "%s: the evaluation budget max_eval = %lld is spent (nfev = %lld) after %lld iterations",
            b->kind, (long long)lopt_opt_i(s, SM_O_MAX_EVAL), (long long)s->nfev,
            (long long)s->iter + (s->is_setup ? 1 : 0));
  return 1;
}

void smooth_start(smooth_base *b)
{
  lopt_solver *s = b->s;
  sm_eval e = smooth_eval(b, s->x, &b->f, b->g);
  if (e != SM_EVAL_OK) {
    b->gnorm = b->gnorm0 = NAN;
    set_monitor_figures(b);
    smooth_stop_eval(b, e, "at the start x0");
    return;
  }
  b->gnorm = b->gnorm0 = smooth_gnorm(b, s->x, b->g);
  b->active = smooth_count_active(b, s->x);
  set_monitor_figures(b);
  if (!test_gradient_and_target(b)) smooth_check_budget(b);
}

/* ---- evaluation --------------------------------------------------------------------------------- */

sm_eval smooth_eval(smooth_base *b, const double *x, double *f, double *g)
{
  lopt_solver *s = b->s;
  *f = NAN;
  int code = b->prob->fg(b->prob->ctx, b->n, x, f, g);
  s->nfev++;
  if (g) s->ngev++;
  if (code) {
    b->callback_code = code;
    return SM_EVAL_CALLBACK;
  }
  if (!isfinite(*f)) return SM_EVAL_NONFINITE;
  if (g) {
    /* 0 * g_i is NaN exactly when g_i is not finite; one pass, no branch. */
    double z = 0;
    const int64_t n = b->n;
#pragma omp parallel for simd schedule(static) reduction(+ : z) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) z += 0.0 * g[i];
    if (z != 0) return SM_EVAL_NONFINITE;
  }
  return SM_EVAL_OK;
}

void smooth_stop_eval(smooth_base *b, sm_eval e, const char *what)
{
  lopt_solver *s = b->s;
  long long it = (long long)s->iter + (s->is_setup ? 1 : 0);
  if (e == SM_EVAL_CALLBACK) {
    s->stop = LOPT_STOP_CALLBACK;
    lopt_fail(s, LOPT_OK, "%s: the %s callback returned code %d %s (iteration %lld); x is the last accepted "
              "iterate", b->kind, strstr(what, "Hessian") && b->prob->hvp ? "Hessian-vector" : "objective", b->callback_code, what, it);
  } else {
    s->stop = LOPT_STOP_NONFINITE;
    lopt_fail(s, LOPT_OK, "%s: f or its gradient is not finite %s (iteration %lld); x is the last finite iterate",
              b->kind, what, it);
  }
}

sm_eval smooth_hvp(smooth_base *b, const double *x, const double *g, const double *v, double *hv)
{
  const int64_t n = b->n;
  b->nhvp++;
  if (b->prob->hvp) {
    int code = b->prob->hvp(b->prob->ctx, n, x, v, hv);
    if (code) {
      b->callback_code = code;
      return SM_EVAL_CALLBACK;
    }
  } else {
    /* Forward difference of two gradients (problem.h): H v ~ (g(x + h v) - g(x)) / h with
     * h = sqrt(eps) (1 + ||x||) / ||v||, which balances truncation O(h ||v||^2) against
     * rounding O(eps ||g|| / h); accurate to about sqrt(eps) relative. */
    const double h = sqrt(DBL_EPSILON) * (1.0 + sm_nrm2(x, n)) / sm_nrm2(v, n);
    double *restrict xh = b->hv_x;
    for (int64_t i = 0; i < n; i++) xh[i] = x[i] + h * v[i];
    double fh;
    int code = b->prob->fg(b->prob->ctx, n, xh, &fh, hv);
    b->s->ngev++;
    if (code) {
      b->callback_code = code;
      return SM_EVAL_CALLBACK;
    }
    const double inv = 1.0 / h;
    for (int64_t i = 0; i < n; i++) hv[i] = (hv[i] - g[i]) * inv;
  }
  double z = 0;
  for (int64_t i = 0; i < n; i++) z += 0.0 * hv[i];
  return z == 0 ? SM_EVAL_OK : SM_EVAL_NONFINITE;
}

sm_eval sm_line_eval(smooth_base *b, const sm_line *L, double a, double *f, double *dg)
{
  const int64_t n = b->n;
  const double *restrict x = L->x, *restrict d = L->d;
  double *restrict xt = L->xt;
  if (b->lower) {
    const double *restrict l = b->lower, *restrict u = b->upper;
#pragma omp parallel for simd schedule(static) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) xt[i] = clamp(x[i] + a * d[i], l[i], u[i]);
  } else {
#pragma omp parallel for simd schedule(static) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) xt[i] = x[i] + a * d[i];
  }
  b->ls_evals++;
  sm_eval e = smooth_eval(b, xt, f, L->gt);
  *dg = e == SM_EVAL_OK ? sm_dot(L->gt, d, n) : NAN;
  if (e == SM_EVAL_OK && !isfinite(*dg)) e = SM_EVAL_NONFINITE;
  return e;
}

/* ---- stopping tests after a step ----------------------------------------------------------------- */

int smooth_accept(smooth_base *b, double f_prev, double step_inf)
{
  lopt_solver *s = b->s;
  b->gnorm = smooth_gnorm(b, s->x, b->g);
  if (b->lower) b->active = smooth_count_active(b, s->x);
  set_monitor_figures(b);
  if (test_gradient_and_target(b)) return 1;
  const long long it = (long long)s->iter + 1;
  const double ftol = lopt_opt_d(s, SM_O_FTOL), xtol = lopt_opt_d(s, SM_O_XTOL);
  if (!isnan(step_inf)) {
    const double scale = fmax(fmax(fabs(f_prev), fabs(b->f)), 1.0);
    if (ftol > 0 && f_prev - b->f <= ftol * scale) {
      s->stop = LOPT_STOP_FTOL;
      lopt_fail(s, LOPT_OK, "%s: converged after %lld iterations: f decreased by %.3e <= ftol x %.3e", b->kind, it,
                f_prev - b->f, scale);
      return 1;
    }
    if (xtol > 0) {
      const double xn = sm_amax(s->x, b->n);
      if (step_inf <= xtol * (1.0 + xn)) {
        s->stop = LOPT_STOP_XTOL;
        lopt_fail(s, LOPT_OK, "%s: converged after %lld iterations: the step ||dx||_inf = %.3e <= xtol (1 + ||x||_inf) "
                  "= %.3e", b->kind, it, step_inf, xtol * (1.0 + xn));
        return 1;
      }
    }
  }
  if (step_inf == 0) {
    s->stop = LOPT_STOP_STAGNATION;
    lopt_fail(s, LOPT_OK, "%s: the step accepted at iteration %lld did not change x (f = %.17g, %s = %.3e): no "
              "progress is possible at this precision", b->kind, it, b->f,
              b->lower ? "projected gradient" : "||g||_inf", b->gnorm);
    return 1;
  }
  return smooth_check_budget(b);
}

/* ---- figures -------------------------------------------------------------------------------------- */

const char *const smooth_figure_names[] = {"nfev",    "ngev",          "nhvp",     "f",
                                           "gnorm",   "restarts",      "cg_iters", "active",
                                           "callback_code", "linesearch_evals", "negative_curvature",
                                           "skipped_updates", "tr_radius", NULL};

int smooth_figure(const lopt_solver *s, const char *name, double *v)
{
  const smooth_base *b = s->impl;
  if (!b) return lopt_fail(s, LOPT_ESTATE, "%s: no figures before setup", s->vt->name);
  if (!strcmp(name, "nfev")) *v = (double)s->nfev;
  else if (!strcmp(name, "ngev")) *v = (double)s->ngev;
  else if (!strcmp(name, "nhvp")) *v = (double)b->nhvp;
  else if (!strcmp(name, "f")) *v = b->f;
  else if (!strcmp(name, "gnorm")) *v = b->gnorm;
  else if (!strcmp(name, "restarts")) *v = (double)b->restarts;
  else if (!strcmp(name, "cg_iters")) *v = (double)b->cg_iters;
  else if (!strcmp(name, "active")) *v = (double)b->active;
  else if (!strcmp(name, "callback_code")) *v = (double)b->callback_code;
  else if (!strcmp(name, "linesearch_evals")) *v = (double)b->ls_evals;
  else if (!strcmp(name, "negative_curvature")) *v = (double)b->neg_curv;
  else if (!strcmp(name, "skipped_updates")) *v = (double)b->skipped;
  else *v = b->tr_radius;
  return LOPT_OK;
}

/* ---- state ---------------------------------------------------------------------------------------- */

enum { N_SCALARS = 4, N_COUNTERS = 8 };

size_t smooth_state_size(const smooth_base *b)
{
  return 2 * (size_t)b->n * sizeof(double) + N_SCALARS * sizeof(double) + N_COUNTERS * sizeof(int64_t);
}

unsigned char *smooth_state_write(const smooth_base *b, unsigned char *buf)
{
  const size_t bytes = (size_t)b->n * sizeof(double);
  const double sc[N_SCALARS] = {b->f, b->gnorm, b->gnorm0, b->tr_radius};
  const int64_t ct[N_COUNTERS] = {b->nhvp,     b->ls_evals, b->restarts, b->cg_iters,
                                  b->neg_curv, b->skipped,  b->active,   (int64_t)b->callback_code};
  buf = lopt_put(buf, b->s->x, bytes);
  buf = lopt_put(buf, b->g, bytes);
  buf = lopt_put(buf, sc, sizeof sc);
  return lopt_put(buf, ct, sizeof ct);
}

const unsigned char *smooth_state_read(smooth_base *b, const unsigned char *buf)
{
  const size_t bytes = (size_t)b->n * sizeof(double);
  double sc[N_SCALARS];
  int64_t ct[N_COUNTERS];
  buf = lopt_get(buf, b->s->x, bytes);
  buf = lopt_get(buf, b->g, bytes);
  buf = lopt_get(buf, sc, sizeof sc);
  buf = lopt_get(buf, ct, sizeof ct);
  b->f = sc[0], b->gnorm = sc[1], b->gnorm0 = sc[2], b->tr_radius = sc[3];
  b->nhvp = ct[0], b->ls_evals = ct[1], b->restarts = ct[2], b->cg_iters = ct[3];
  b->neg_curv = ct[4], b->skipped = ct[5], b->active = ct[6], b->callback_code = (int)ct[7];
  return buf;
}
