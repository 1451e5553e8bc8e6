/* src/smooth/nlcg.c: nonlinear conjugate gradient for min f(x), x in R^n.
 *
 * d_0 = -g_0; x_{k+1} = x_k + a_k d_k (line search, Hager-Zhang approximate Wolfe by default);
 * d_{k+1} = -g_{k+1} + beta_k d_k, with y = g_{k+1} - g_k and beta (option `beta`):
 *   hager_zhang         max(beta^N, eta_k), beta^N = (y - 2 d ||y||^2 / d'y)'g_{k+1} / d'y,
 *                       eta_k = -1 / (||d_k|| min(0.01, ||g_k||))   (Hager & Zhang, SIAM J. Optim.
 *                       16(1), 2005, eq. 1.5-1.6: truncation that keeps global convergence)
 *   polak_ribiere_plus  max(0, g_{k+1}'y / ||g_k||^2)                (Gilbert & Nocedal 1992)
 *   fletcher_reeves     ||g_{k+1}||^2 / ||g_k||^2
 *   hestenes_stiefel    g_{k+1}'y / d'y
 *   dai_yuan            ||g_{k+1}||^2 / d'y
 * (Nocedal & Wright, 2nd ed., Section 5.2.) Restarts (d = -g, figure restarts): every
 * `restart_every` iterations (0: n), when d'y <= 0 for a beta that divides by it, when the new
 * direction fails the sufficient-descent test g'd <= -1e-3 ||g||^2, and once per iteration after a
 * failed line search (a second failure ends the run).
 *
 * Initial step of each line search: a_0 = 1 / ||g_0||_inf (a unit step in the largest component),
 * then a_0 = a_{k-1} g_{k-1}'d_{k-1} / g_k'd_k (N&W eq. 3.60: the first-order change in f is
 * assumed the same as at the previous iteration).
 *
 * With more_thuente and a small ls_c2 the line search is close to exact and, on a convex quadratic,
 * the iterates are those of linear CG for every beta (exact line searches make them coincide).
 * Bounds are not supported (lbfgs handles them). State: x, g, d, f, g'd, ||d||, the previous step
 * and slope, the restart counter. */
#include <string.h>

#include "linesearch.h"

enum { O_BETA = SM_O_COMMON, O_RESTART_EVERY };
enum { BETA_HZ, BETA_PRP, BETA_FR, BETA_HS, BETA_DY };

static const char *const nlcg_ls_names[] = {"hager_zhang", "more_thuente", "armijo", NULL};
static const char *const beta_names[] = {"hager_zhang", "polak_ribiere_plus", "fletcher_reeves",
                                         "hestenes_stiefel", "dai_yuan", NULL};

static const lopt_option_info nlcg_options[] = {
  SMOOTH_COMMON_OPTIONS("iteration budget; 0 means max(1000, 100 n)", nlcg_ls_names,
                        "line search: hager_zhang (approximate Wolfe), more_thuente (strong Wolfe) or armijo", 0.1),
  [O_BETA] = {"beta", LOPT_OPT_CHOICE,
              "conjugacy formula: hager_zhang, polak_ribiere_plus, fletcher_reeves, hestenes_stiefel or dai_yuan", 0, 0,
              0, 0, 0, beta_names, 1},
  [O_RESTART_EVERY] = {"restart_every", LOPT_OPT_INT, "restart with d = -g every k iterations (0: n)", 0, 0, 9.2e18,
                       0, 0, NULL, 1},
};

/* Sufficient descent: a new direction with g'd > -SD_C ||g||^2 is replaced by -g. */
#define SD_C 1e-3
/* Hager & Zhang's eta in the lower bound eta_k of beta. */
#define HZ_ETA 0.01

typedef struct nlcg_work {
  smooth_base b; /* first: smooth_figure reads it through s->impl */
  double *d, *xt, *gt;
  double dg;               /* g'd */
  double dnorm;            /* ||d||_2 */
  double alpha_prev, dg_prev; /* last accepted step and the slope it started from (0: none yet) */
  int64_t since_restart;   /* iterations since d was last -g */
  int64_t steepest;        /* 1 when d = -g */
} nlcg_work;

static void nlcg_release(lopt_solver *s)
{
  nlcg_work *w = s->impl;
  if (!w) return;
  smooth_release(s, &w->b);
  lopt_free(s, w->d);
  lopt_free(s, w->xt);
  lopt_free(s, w->gt);
  lopt_free(s, w);
  s->impl = NULL;
}

/* d = -g; keeps g'd and ||d||. */
static void steepest_descent(nlcg_work *w)
{
  const int64_t n = w->b.n;
  const double *restrict g = w->b.g;
  double *restrict d = w->d;
  double gg = 0;
  for (int64_t i = 0; i < n; i++) {
    d[i] = -g[i];
    gg += g[i] * g[i];
  }
  w->dg = -gg;
  w->dnorm = sqrt(gg);
  w->since_restart = 0;
  w->steepest = 1;
}

static int nlcg_setup(lopt_solver *s, const lopt_problem *prob, const double *x0)
{
  (void)x0;
  nlcg_work *w = lopt_calloc(s, 1, sizeof *w);
  if (!w) return lopt_fail(s, LOPT_ENOMEM, "nlcg: no memory for the work space");
  s->impl = w;
  int rc = smooth_init(s, &w->b, prob, "nlcg", 0);
  if (rc) return rc;
  if (w->b.lower)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "nlcg: the problem has bounds, which nonlinear CG does not handle; use "
                     "lbfgs (L-BFGS-B)");
  const int64_t n = prob->dim;
  w->d = lopt_alloc_f64(s, n);
  w->xt = lopt_alloc_f64(s, n);
  w->gt = lopt_alloc_f64(s, n);
  if (!w->d || !w->xt || !w->gt)
    return lopt_fail(s, LOPT_ENOMEM, "nlcg: no memory for 3 vectors of %lld doubles", (long long)n);
  s->max_iter_default = n > 10 ? 100 * n : 1000;
  smooth_start(&w->b);
  if (s->stop == LOPT_STOP_RUNNING) steepest_descent(w);
  return LOPT_OK;
}

/* The line search along d, retried once from -g when it fails on a conjugate direction. */
static ls_status search(nlcg_work *w, ls_kind lk, sm_line *L, ls_result *r)
{
  smooth_base *b = &w->b;
  for (;;) {
    /* a_0: N&W eq. 3.60 after the first iteration, else a unit step in the largest component. */
    double alpha0 = w->alpha_prev > 0 ? w->alpha_prev * w->dg_prev / w->dg : 1.0 / b->gnorm;
    if (!(alpha0 > 0) || !isfinite(alpha0)) alpha0 = 1.0 / b->gnorm;
    L->dg0 = w->dg;
    ls_status st = ls_run(b, lk, L, alpha0, r);
    if (st == LS_OK || st == LS_CALLBACK || st == LS_BUDGET || w->steepest) return st;
    b->restarts++;
    steepest_descent(w);
  }
}

static int nlcg_step(lopt_solver *s)
{
  nlcg_work *w = s->impl;
  smooth_base *b = &w->b;
  const int64_t n = b->n;
  const ls_kind lk = ls_current(s);
  sm_line L = {s->x, w->d, w->xt, w->gt, b->f, w->dg, INFINITY};
  ls_result r = {0, 0, 0, 0};
  ls_status st = search(w, lk, &L, &r);
  if (st != LS_OK) {
    ls_stop(b, lk, st, &L, &r);
    return LOPT_OK;
  }
  /* One pass: x = xt, ||dx||_inf, and the inner products every beta needs (y = g+ - g). */
  double *restrict x = s->x;
  const double *restrict xt = w->xt, *restrict gn = w->gt, *restrict g = b->g, *restrict d = w->d;
  double gg_old = 0, gg = 0, gy = 0, dy = 0, yy = 0, dgn = 0, smax = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : gg_old, gg, gy, dy, yy, dgn) reduction(max : smax) \
    if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    const double y = gn[i] - g[i];
    const double as = fabs(xt[i] - x[i]);
    smax = as > smax ? as : smax;
    x[i] = xt[i];
    gg_old += g[i] * g[i];
    gg += gn[i] * gn[i];
    gy += gn[i] * y;
    dy += d[i] * y;
    yy += y * y;
    dgn += d[i] * gn[i];
  }
  const double f_prev = b->f;
  b->f = r.f;
  double *t = b->g;
  b->g = w->gt;
  w->gt = t;
  w->alpha_prev = r.alpha;
  w->dg_prev = w->dg;

  double beta = 0;
  int restart = 0;
  switch (lopt_opt_choice(s, O_BETA)) {
  case BETA_HZ:
    if (dy > 0) {
      const double bn = (gy - 2.0 * yy * dgn / dy) / dy;
      const double eta = -1.0 / (w->dnorm * fmin(HZ_ETA, sqrt(gg_old)));
      beta = fmax(bn, eta);
    } else {
      restart = 1;
    }
    break;
  case BETA_PRP: beta = fmax(0.0, gy / gg_old); break;
  case BETA_FR: beta = gg / gg_old; break;
  case BETA_HS:
    if (dy > 0) beta = gy / dy;
    else restart = 1;
    break;
  default:
    if (dy > 0) beta = gg / dy;
    else restart = 1;
    break;
  }
  int64_t every = lopt_opt_i(s, O_RESTART_EVERY);
  if (every <= 0) every = n;
  const double dg_new = -gg + beta * dgn;
  if (restart || !isfinite(beta) || w->since_restart + 1 >= every || !(dg_new <= -SD_C * gg)) {
    b->restarts++;
    steepest_descent(w);
  } else {
    /* d = -g + beta d */
    double *restrict dv = w->d;
    const double *restrict gv = b->g;
    double dd = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : dd) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
      dv[i] = -gv[i] + beta * dv[i];
      dd += dv[i] * dv[i];
    }
    w->dg = dg_new;
    w->dnorm = sqrt(dd);
    w->since_restart++;
    w->steepest = 0;
  }
  smooth_accept(b, f_prev, smax);
  return LOPT_OK;
}

/* ---- state: the common part, then d and the scalars ---------------------------------------------- */

enum { N_SCALARS = 4, N_INTS = 2 };

static size_t nlcg_state_size(const lopt_solver *s)
{
  const nlcg_work *w = s->impl;
  return smooth_state_size(&w->b) + (size_t)s->n * sizeof(double) + N_SCALARS * sizeof(double) +
         N_INTS * sizeof(int64_t);
}

static void nlcg_state_write(const lopt_solver *s, unsigned char *buf)
{
  const nlcg_work *w = s->impl;
  const double sc[N_SCALARS] = {w->dg, w->dnorm, w->alpha_prev, w->dg_prev};
  const int64_t in[N_INTS] = {w->since_restart, w->steepest};
  buf = smooth_state_write(&w->b, buf);
  buf = lopt_put(buf, w->d, (size_t)s->n * sizeof(double));
  buf = lopt_put(buf, sc, sizeof sc);
  lopt_put(buf, in, sizeof in);
}

static int nlcg_state_read(lopt_solver *s, const unsigned char *buf, size_t len)
{
  nlcg_work *w = s->impl;
  if (len != nlcg_state_size(s))
    return lopt_fail(s, LOPT_EFORMAT, "nlcg: state payload has %zu bytes; expected %zu", len, nlcg_state_size(s));
  double sc[N_SCALARS];
  int64_t in[N_INTS];
  buf = smooth_state_read(&w->b, buf);
  buf = lopt_get(buf, w->d, (size_t)s->n * sizeof(double));
  buf = lopt_get(buf, sc, sizeof sc);
  lopt_get(buf, in, sizeof in);
  w->dg = sc[0], w->dnorm = sc[1], w->alpha_prev = sc[2], w->dg_prev = sc[3];
  w->since_restart = in[0], w->steepest = in[1];
  return LOPT_OK;
}

const lopt_kind_vtable lopt_nlcg_vtable = {
  .kind = LOPT_NLCG,
  .name = "nlcg",
  .summary = "nonlinear conjugate gradient (Hager-Zhang, PR+, FR, HS, DY) with restarts, for smooth f",
  .options = nlcg_options,
  .n_options = sizeof nlcg_options / sizeof nlcg_options[0],
  .setup = nlcg_setup,
  .step = nlcg_step,
  .release = nlcg_release,
  .figure_names = smooth_figure_names,
  .figure = smooth_figure,
  .state_size = nlcg_state_size,
  .state_write = nlcg_state_write,
  .state_read = nlcg_state_read,
};
