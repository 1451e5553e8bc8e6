/* src/smooth/newton_cg.c: truncated Newton for min f(x), x in R^n, on Hessian-vector products.
 *
 * Inner solver: conjugate gradient on H p = -g from p = 0 (Hestenes-Stiefel), stopped when
 * ||r|| <= eta_k ||g|| with the forcing sequence eta_k = min(0.5, sqrt(||g||)) (Nocedal & Wright,
 * 2nd ed., Algorithm 7.1; superlinear convergence, Theorem 7.2), or eta_k = cg_rtol when set, or
 * after cg_max_iter iterations (0: max(n, 50); n suffices only in exact arithmetic, and MGH Meyer
 * (n = 3) needs about 20). H v is the problem's hvp or the forward difference of two gradients
 * documented in problem.h.
 *
 * method = trust_region (default): Steihaug-Toint CG (Steihaug, SIAM J. Numer. Anal. 20(3), 1983;
 * Toint 1981; N&W Algorithm 7.2): CG stops where it would leave the ball ||p|| <= radius, or on
 * d'Hd <= 0 (negative curvature, figure negative_curvature) where it follows d to the boundary.
 * The step is accepted when rho = (f(x) - f(x + p)) / (m(0) - m(p)) > tr_eta, with
 * m(p) = g'p + p'Hp/2, and the radius is updated as N&W Algorithm 4.1 (shrink by 4 when
 * rho < 1/4, double up to tr_max when rho > 3/4 and the step reached the boundary). One addition:
 * when a step that CG ended inside the region is rejected, the next inner solve uses a forcing
 * term 10 times smaller (again after each such rejection, reset by an accepted step). Far from the
 * solution on an ill-conditioned Hessian, eta_k = 0.5 lets CG stop after one iteration along the
 * stiffest direction with a step below the noise of f (MGH Meyer, Osborne 1); shrinking the radius
 * would only repeat that step. A trial where f is not finite counts as rho = -inf; ls_max_evals
 * non-finite trials in a row end the run (nonfinite), and a radius below 1e-15 (1 + ||x||) ends it
 * as stagnation.
 *
 * method = line_search: N&W Algorithm 7.1: on negative curvature CG returns its last iterate (or -g
 * at the first inner iteration); the chosen line search (Armijo by default) starts at a = 1. A
 * failed search after a converged inner solve is retried with a forcing term 100 times smaller,
 * up to 3 times.
 *
 * Bounds are not supported (lbfgs handles them). State: x, g, f, the radius, the count of
 * non-finite trials in a row and the forcing factor. Work: 7 vectors of n doubles (plus 2 for
 * finite-difference H v). */
#include <string.h>

#include "linesearch.h"

enum { O_METHOD = SM_O_COMMON, O_CG_RTOL, O_CG_MAX_ITER, O_TR_RADIUS0, O_TR_MAX, O_TR_ETA };
enum { METHOD_TR, METHOD_LS };

static const char *const ncg_ls_names[] = {"armijo", "more_thuente", "hager_zhang", NULL};
static const char *const method_names[] = {"trust_region", "line_search", NULL};

static const lopt_option_info ncg_options[] = {
  SMOOTH_COMMON_OPTIONS("iteration budget; 0 means max(1000, 10 n)", ncg_ls_names,
                        "line search for method = line_search: armijo, more_thuente or hager_zhang", 0.9),
  [O_METHOD] = {"method", LOPT_OPT_CHOICE, "globalization: trust_region (Steihaug-Toint CG) or line_search", 0, 0, 0,
                0, 0, method_names, 0},
  [O_CG_RTOL] = {"cg_rtol", LOPT_OPT_DOUBLE,
                 "inner CG stops at ||Hp + g|| <= cg_rtol ||g|| (0: forcing sequence min(0.5, sqrt(||g||)))", 0, 0, 1,
                 0, 1, NULL, 1},
  [O_CG_MAX_ITER] = {"cg_max_iter", LOPT_OPT_INT, "inner CG iterations per Newton step (0: max(n, 50))", 0, 0,
                     9.2e18, 0, 0, NULL, 1},
  [O_TR_RADIUS0] = {"tr_radius0", LOPT_OPT_DOUBLE, "initial trust-region radius", 1.0, 0, INFINITY, 1, 1, NULL, 0},
  [O_TR_MAX] = {"tr_max", LOPT_OPT_DOUBLE, "largest trust-region radius", 1e10, 0, INFINITY, 1, 0, NULL, 1},
  [O_TR_ETA] = {"tr_eta", LOPT_OPT_DOUBLE, "accept a trust-region step when rho = actual / predicted > tr_eta", 1e-4,
                0, 0.25, 0, 1, NULL, 1},
};

typedef struct ncg_work ncg_work;
struct ncg_work {
  smooth_base b; /* first: smooth_figure reads it through s->impl */
  int (*step)(lopt_solver *s, ncg_work *w);
  double *z, *Hz, *r, *d, *Hd, *xt, *gt; /* CG iterate z (the step p) and H z, residual, direction */
  int64_t nonfinite_run;                 /* trust-region trials in a row with non-finite f */
  double eta_scale;                      /* forcing term factor: 1, / 10 per rejected interior step */
};

typedef enum cg_end { CG_CONVERGED, CG_BOUNDARY, CG_NEGATIVE, CG_MAX_ITER, CG_FAILED } cg_end;

/* tau >= 0 with ||z + tau d|| = radius, given z'z, z'd, d'd (z inside the ball); the root of
 * dd tau^2 + 2 zd tau + (zz - radius^2) = 0 written without cancellation. */
static double to_boundary(double zz, double zd, double dd, double radius)
{
  const double c = radius * radius - zz; /* >= 0 */
  const double disc = sqrt(fmax(0.0, zd * zd + dd * c));
  return zd > 0 ? c / (zd + disc) : (disc - zd) / dd;
}

/* Truncated CG on H p = -g (radius = INFINITY for the line-search method). On return w->z holds p
 * and w->Hz holds H p (both meaningful except on CG_FAILED, when *e says why). */
static cg_end truncated_cg(lopt_solver *s, ncg_work *w, double radius, sm_eval *e)
{
  smooth_base *b = &w->b;
  const int64_t n = b->n;
  const double *restrict g = b->g;
  double *restrict z = w->z, *restrict Hz = w->Hz, *restrict r = w->r, *restrict d = w->d, *restrict Hd = w->Hd;
  double rr = 0;
  for (int64_t i = 0; i < n; i++) {
    z[i] = Hz[i] = 0;
    r[i] = g[i];
    d[i] = -g[i];
    rr += g[i] * g[i];
  }
  const double gn = sqrt(rr), rtol = lopt_opt_d(s, O_CG_RTOL);
  const double tol = fmax(w->eta_scale * (rtol > 0 ? rtol : fmin(0.5, sqrt(gn))), 1e-14) * gn;
  int64_t max_it = lopt_opt_i(s, O_CG_MAX_ITER);
  if (max_it <= 0) max_it = n > 50 ? n : 50;
  double zz = 0, zd = 0, dd = rr;
  for (int64_t j = 0; j < max_it; j++) {
    if ((*e = smooth_hvp(b, s->x, g, d, Hd)) != SM_EVAL_OK) return CG_FAILED;
    b->cg_iters++;
    const double kappa = sm_dot(d, Hd, n); /* d'Hd */
    if (!isfinite(kappa)) {
      *e = SM_EVAL_NONFINITE;
      return CG_FAILED;
    }
    if (kappa <= 0) {
      b->neg_curv++;
      if (radius < INFINITY) { /* follow d to the boundary: the model decreases all the way */
        const double tau = to_boundary(zz, zd, dd, radius);
        for (int64_t i = 0; i < n; i++) {
          z[i] += tau * d[i];
          Hz[i] += tau * Hd[i];
        }
      } else if (j == 0) { /* N&W Algorithm 7.1: p = -g */
        sm_copy(z, d, n);
        sm_copy(Hz, Hd, n);
      }
      return CG_NEGATIVE;
    }
    const double alpha = rr / kappa;
    if (radius < INFINITY && zz + alpha * (2.0 * zd + alpha * dd) >= radius * radius) {
      const double tau = to_boundary(zz, zd, dd, radius);
      for (int64_t i = 0; i < n; i++) {
        z[i] += tau * d[i];
        Hz[i] += tau * Hd[i];
      }
      return CG_BOUNDARY;
    }
    double rr_new = 0, zz_new = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : rr_new, zz_new) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
      z[i] += alpha * d[i];   /* z <- z + alpha d */
      Hz[i] += alpha * Hd[i]; /* H z */
      r[i] += alpha * Hd[i];  /* r = H z + g */
      rr_new += r[i] * r[i];
      zz_new += z[i] * z[i];
    }
    zz = zz_new;
    if (sqrt(rr_new) <= tol) return CG_CONVERGED;
    const double beta = rr_new / rr;
    rr = rr_new;
    double zd_new = 0, dd_new = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : zd_new, dd_new) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
      d[i] = -r[i] + beta * d[i]; /* d <- -r + beta d */
      zd_new += z[i] * d[i];
      dd_new += d[i] * d[i];
    }
    zd = zd_new, dd = dd_new;
  }
  return CG_MAX_ITER;
}

/* x = xt, g <-> gt, f; returns ||dx||_inf. */
static double move_to_trial(lopt_solver *s, ncg_work *w, double f_new)
{
  const int64_t n = s->n;
  double *restrict x = s->x;
  const double *restrict xt = w->xt;
  double smax = 0;
  for (int64_t i = 0; i < n; i++) {
    const double as = fabs(xt[i] - x[i]);
    smax = as > smax ? as : smax;
    x[i] = xt[i];
  }
  double *t = w->b.g;
  w->b.g = w->gt;
  w->gt = t;
  w->b.f = f_new;
  return smax;
}

static int ncg_step_tr(lopt_solver *s, ncg_work *w)
{
  smooth_base *b = &w->b;
  const int64_t n = b->n;
  const double radius = b->tr_radius;
  sm_eval e = SM_EVAL_OK;
  const cg_end end = truncated_cg(s, w, radius, &e);
  if (end == CG_FAILED) {
    smooth_stop_eval(b, e, "in a Hessian-vector product");
    return LOPT_OK;
  }
  if (smooth_check_budget(b)) return LOPT_OK;
  /* predicted decrease m(0) - m(p) = -(g'p + p'Hp / 2), and the trial x + p, in one pass */
  const double *restrict x = s->x, *restrict g = b->g, *restrict p = w->z, *restrict Hp = w->Hz;
  double *restrict xt = w->xt;
  double gp = 0, pHp = 0;
  for (int64_t i = 0; i < n; i++) {
    gp += g[i] * p[i];
    pHp += p[i] * Hp[i];
    xt[i] = x[i] + p[i];
  }
  const double pred = -(gp + 0.5 * pHp);
  double ft;
  e = smooth_eval(b, xt, &ft, w->gt);
  if (e == SM_EVAL_CALLBACK) {
    smooth_stop_eval(b, e, "at a trust-region trial point");
    return LOPT_OK;
  }
  const double rho = e == SM_EVAL_OK && pred > 0 ? (b->f - ft) / pred : -INFINITY;
  /* Radius: N&W Algorithm 4.1. */
  const int on_boundary = end == CG_BOUNDARY || end == CG_NEGATIVE;
  if (rho < 0.25) b->tr_radius = 0.25 * radius;
  else if (rho > 0.75 && on_boundary) b->tr_radius = fmin(2.0 * radius, lopt_opt_d(s, O_TR_MAX));
  w->nonfinite_run = e == SM_EVAL_NONFINITE ? w->nonfinite_run + 1 : 0;
  if (rho > lopt_opt_d(s, O_TR_ETA)) {
    w->eta_scale = 1.0;
    const double f_prev = b->f;
    const double step = move_to_trial(s, w, ft);
    smooth_accept(b, f_prev, step);
    return LOPT_OK;
  }
  /* Rejected: x stays. */
  if (end == CG_CONVERGED) w->eta_scale *= 0.1;
  if (w->nonfinite_run >= lopt_opt_i(s, SM_O_LS_MAX_EVALS)) {
    s->stop = LOPT_STOP_NONFINITE;
    lopt_fail(s, LOPT_OK, "newton_cg: f was not finite at the last %lld trust-region trial points (radius now %.3e); "
              "x is the last finite iterate", (long long)w->nonfinite_run, b->tr_radius);
    return LOPT_OK;
  }
  const double xnorm = sm_nrm2(s->x, n);
  if (b->tr_radius < 1e-15 * (1.0 + xnorm)) {
    s->stop = w->nonfinite_run ? LOPT_STOP_NONFINITE : LOPT_STOP_STAGNATION;
    lopt_fail(s, LOPT_OK, "newton_cg: the trust-region radius fell to %.3e (||x|| = %.3e) at iteration %lld without "
              "an acceptable step (last rho = %.3e); f or g may be inaccurate at this precision", b->tr_radius, xnorm,
              (long long)s->iter + 1, rho);
    return LOPT_OK;
  }
  smooth_check_budget(b);
  return LOPT_OK;
}

static int ncg_step_ls(lopt_solver *s, ncg_work *w)
{
  smooth_base *b = &w->b;
  const int64_t n = b->n;
  const ls_kind lk = ls_current(s);
  sm_line L = {s->x, w->z, w->xt, w->gt, b->f, 0, INFINITY};
  ls_result r = {0, 0, 0, 0};
  ls_status st = LS_OK;
  /* A failed search after an inner solve that met its forcing term is retried with a forcing term
   * 100 times smaller (up to 3 times): the loose solve is the likely culprit (see the header). */
  for (int attempt = 0; attempt < 4; attempt++) {
    sm_eval e = SM_EVAL_OK;
    const cg_end end = truncated_cg(s, w, INFINITY, &e);
    if (end == CG_FAILED) {
      smooth_stop_eval(b, e, "in a Hessian-vector product");
      return LOPT_OK;
    }
    L.dg0 = sm_dot(b->g, w->z, n);
    double alpha0 = 1.0;
    if (!(L.dg0 < 0)) { /* only through an inaccurate H v: fall back to steepest descent */
      for (int64_t i = 0; i < n; i++) w->z[i] = -b->g[i];
      L.dg0 = sm_dot(b->g, w->z, n);
      alpha0 = 1.0 / b->gnorm;
      b->restarts++;
    }
    st = ls_run(b, lk, &L, alpha0, &r);
    if (st == LS_OK || st == LS_CALLBACK || st == LS_BUDGET || st == LS_NONFINITE || end != CG_CONVERGED) break;
    w->eta_scale *= 0.01;
  }
  if (st != LS_OK) {
    ls_stop(b, lk, st, &L, &r);
    return LOPT_OK;
  }
  w->eta_scale = 1.0;
  const double f_prev = b->f;
  const double step = move_to_trial(s, w, r.f);
  smooth_accept(b, f_prev, step);
  return LOPT_OK;
}

static void ncg_release(lopt_solver *s)
{
  ncg_work *w = s->impl;
  if (!w) return;
  smooth_release(s, &w->b);
  double *vecs[] = {w->z, w->Hz, w->r, w->d, w->Hd, w->xt, w->gt};
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) lopt_free(s, vecs[i]);
  lopt_free(s, w);
  s->impl = NULL;
}

static int ncg_setup(lopt_solver *s, const lopt_problem *prob, const double *x0)
{
  (void)x0;
  ncg_work *w = lopt_calloc(s, 1, sizeof *w);
  if (!w) return lopt_fail(s, LOPT_ENOMEM, "newton_cg: no memory for the work space");
  s->impl = w;
  int rc = smooth_init(s, &w->b, prob, "newton_cg", prob->type == LOPT_PROBLEM_SMOOTH && !prob->u.smooth.hvp);
  if (rc) return rc;
  if (w->b.lower)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "newton_cg: the problem has bounds, which newton_cg does not handle; use "
                     "lbfgs (L-BFGS-B)");
  const double r0 = lopt_opt_d(s, O_TR_RADIUS0), rmax = lopt_opt_d(s, O_TR_MAX);
  if (r0 > rmax)
    return lopt_fail(s, LOPT_EINVAL, "newton_cg: tr_radius0 = %g exceeds tr_max = %g", r0, rmax);
  const int64_t n = prob->dim;
  double **vecs[] = {&w->z, &w->Hz, &w->r, &w->d, &w->Hd, &w->xt, &w->gt};
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
    if (!(*vecs[i] = lopt_alloc_f64(s, n)))
      return lopt_fail(s, LOPT_ENOMEM, "newton_cg: no memory for 7 vectors of %lld doubles", (long long)n);
  w->step = lopt_opt_choice(s, O_METHOD) == METHOD_TR ? ncg_step_tr : ncg_step_ls;
  w->eta_scale = 1.0;
  s->max_iter_default = n > 100 ? 10 * n : 1000;
  smooth_start(&w->b);
  w->b.tr_radius = lopt_opt_choice(s, O_METHOD) == METHOD_TR ? r0 : NAN;
  return LOPT_OK;
}

static int ncg_step(lopt_solver *s)
{
  ncg_work *w = s->impl;
  return w->step(s, w);
}

/* ---- state: the common part (it holds the radius), the non-finite run, the forcing factor ------ */

static size_t ncg_state_size(const lopt_solver *s)
{
  const ncg_work *w = s->impl;
  return smooth_state_size(&w->b) + sizeof(int64_t) + sizeof(double);
}

static void ncg_state_write(const lopt_solver *s, unsigned char *buf)
{
  const ncg_work *w = s->impl;
  buf = smooth_state_write(&w->b, buf);
  buf = lopt_put(buf, &w->nonfinite_run, sizeof w->nonfinite_run);
  lopt_put(buf, &w->eta_scale, sizeof w->eta_scale);
}

static int ncg_state_read(lopt_solver *s, const unsigned char *buf, size_t len)
{
  ncg_work *w = s->impl;
  if (len != ncg_state_size(s))
    return lopt_fail(s, LOPT_EFORMAT, "newton_cg: state payload has %zu bytes; expected %zu", len,
                     ncg_state_size(s));
  buf = smooth_state_read(&w->b, buf);
  buf = lopt_get(buf, &w->nonfinite_run, sizeof w->nonfinite_run);
  lopt_get(buf, &w->eta_scale, sizeof w->eta_scale);
  return LOPT_OK;
}

const lopt_kind_vtable lopt_newton_cg_vtable = {
  .kind = LOPT_NEWTON_CG,
  .name = "newton_cg",
  .summary = "truncated Newton (Steihaug-Toint trust-region CG or line search) on Hessian-vector products",
  .options = ncg_options,
  .n_options = sizeof ncg_options / sizeof ncg_options[0],
  .setup = ncg_setup,
  .step = ncg_step,
  .release = ncg_release,
  .figure_names = smooth_figure_names,
  .figure = smooth_figure,
  .state_size = ncg_state_size,
  .state_write = ncg_state_write,
  .state_read = ncg_state_read,
};
