/* src/core/problem.c: problem handles, one constructor per shape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void lopt_problem_destroy(lopt_problem **pp)
{
  if (!pp || !*pp) return;
  lopt_problem *p = *pp;
  if (p->type == LOPT_PROBLEM_LINEAR) free(p->u.linear.b);
  if (p->type == LOPT_PROBLEM_SMOOTH) {
    free(p->u.smooth.lower);
    free(p->u.smooth.upper);
  }
  free(p);
  *pp = NULL;
}

lopt_problem_type lopt_problem_get_type(const lopt_problem *p) { return p ? p->type : (lopt_problem_type)0; }

int64_t lopt_problem_dim(const lopt_problem *p) { return p ? p->dim : 0; }

int lopt_problem_create_linear(lopt_problem **out, const lopt_matrix *A, const double *b, lopt_error *err)
{
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "lopt_problem_create_linear: output pointer is NULL");
  *out = NULL;
  if (!A) return lopt_error_set(err, LOPT_EINVAL, 0, "lopt_problem_create_linear: matrix A is NULL");
  if (!b) return lopt_error_set(err, LOPT_EINVAL, 0, "lopt_problem_create_linear: right-hand side b is NULL");
  int64_t n = lopt_matrix_nrows(A), m = lopt_matrix_ncols(A);
  if (n != m)
    return lopt_error_set(err, LOPT_EINVAL, 0, "lopt_problem_create_linear: A is %lld x %lld; it must be square",
                          (long long)n, (long long)m);
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(b[i]))
      return lopt_error_set(err, LOPT_EINVAL, 0, "lopt_problem_create_linear: b[%lld] is %g; b must be finite",
                            (long long)i, b[i]);
  lopt_problem *p = calloc(1, sizeof *p);
  double *bc = malloc((size_t)(n ? n : 1) * sizeof *bc);
  if (!p || !bc) {
    free(p);
    free(bc);
    return lopt_error_set(err, LOPT_ENOMEM, 0, "lopt_problem_create_linear: no memory for b (%lld doubles)",
                          (long long)n);
  }
  if (n) memcpy(bc, b, (size_t)n * sizeof *bc);
  p->type = LOPT_PROBLEM_LINEAR;
  p->dim = n;
  p->u.linear.A = A;
  p->u.linear.b = bc;
  *out = p;
  return LOPT_OK;
}

int lopt_problem_create_smooth(lopt_problem **out, int64_t n, lopt_fg_fn fg, void *ctx, lopt_error *err)
{
  const char *fn = "lopt_problem_create_smooth";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (n < 1) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: dimension n = %lld must be at least 1", fn, (long long)n);
  if (!fg) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the objective callback fg is NULL", fn);
  lopt_problem *p = calloc(1, sizeof *p);
  if (!p) return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the problem", fn);
  p->type = LOPT_PROBLEM_SMOOTH;
  p->dim = n;
  p->u.smooth.fg = fg;
  p->u.smooth.ctx = ctx;
  *out = p;
  return LOPT_OK;
}

int lopt_problem_set_hvp(lopt_problem *p, lopt_hvp_fn hvp)
{
  if (!p || p->type != LOPT_PROBLEM_SMOOTH) return LOPT_EINVAL;
  p->u.smooth.hvp = hvp;
  return LOPT_OK;
}

int lopt_problem_set_bounds(lopt_problem *p, const double *lower, const double *upper, lopt_error *err)
{
  const char *fn = "lopt_problem_set_bounds";
  if (!p) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: problem is NULL", fn);
  if (p->type != LOPT_PROBLEM_SMOOTH)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: bounds apply to smooth problems only", fn);
  int64_t n = p->dim;
  for (int64_t i = 0; i < n; i++) {
    double lo = lower ? lower[i] : -INFINITY, hi = upper ? upper[i] : INFINITY;
    if (isnan(lo) || isnan(hi) || lo > hi || lo == INFINITY || hi == -INFINITY)
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: bounds [%g, %g] at index %lld are empty or NaN", fn, lo, hi,
                            (long long)i);
  }
  double *l = NULL, *u = NULL;
  if (lower && !(l = malloc((size_t)n * sizeof *l))) goto no_memory;
  if (upper && !(u = malloc((size_t)n * sizeof *u))) goto no_memory;
  if (l) memcpy(l, lower, (size_t)n * sizeof *l);
  if (u) memcpy(u, upper, (size_t)n * sizeof *u);
  free(p->u.smooth.lower);
  free(p->u.smooth.upper);
  p->u.smooth.lower = l;
  p->u.smooth.upper = u;
  return LOPT_OK;
no_memory:
  free(l);
  return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for %lld bounds", fn, (long long)n);
}

int lopt_problem_check_gradient(const lopt_problem *p, const double *x, lopt_gradient_check *rep, lopt_error *err)
{
  const char *fn = "lopt_problem_check_gradient";
  if (!p || !x || !rep) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: problem, x and report must not be NULL", fn);
  if (p->type != LOPT_PROBLEM_SMOOTH)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: needs a smooth problem", fn);
  int64_t n = p->dim;
  const lopt_smooth_data *d = &p->u.smooth;
  double *g = malloc((size_t)n * sizeof *g), *xt = malloc((size_t)n * sizeof *xt), *num = calloc((size_t)n, sizeof *num);
  if (!g || !xt || !num) {
    free(g), free(xt), free(num);
    return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for 3 x %lld doubles", fn, (long long)n);
  }
  memset(rep, 0, sizeof *rep);
  double f0, fp, fm;
  int code = d->fg(d->ctx, n, x, &f0, g);
  rep->evaluations = 1;
  memcpy(xt, x, (size_t)n * sizeof *xt);
  double scale = 0;
  for (int64_t i = 0; !code && i < n; i++) {
    /* central difference with h ~ eps^(1/3) (1 + |x_i|): error O(h^2) + O(eps / h) balanced */
    double h = 6.0554544523933429e-06 * (1.0 + fabs(x[i]));
    xt[i] = x[i] + h;
    code = d->fg(d->ctx, n, xt, &fp, NULL);
    xt[i] = x[i] - h;
    if (!code) code = d->fg(d->ctx, n, xt, &fm, NULL);
    xt[i] = x[i];
    rep->evaluations += 2;
    num[i] = (fp - fm) / (2 * h);
    scale = fmax(scale, fabs(num[i]));
  }
  if (code) {
    free(g), free(xt), free(num);
    return lopt_error_set(err, LOPT_ECALLBACK, 0, "%s: the objective callback returned %d", fn, code);
  }
  rep->worst_index = 0;
  for (int64_t i = 0; i < n; i++) {
    double den = fmax(fmax(fabs(g[i]), fabs(num[i])), fmax(1e-8 * scale, 1e-300));
    double e = fabs(g[i] - num[i]) / den;
    if (!(e <= rep->max_rel_error)) { /* NaN counts as worst */
      rep->max_rel_error = isnan(e) ? INFINITY : e;
      rep->worst_index = i;
      if (isnan(e)) break;
    }
  }
  rep->analytic = g[rep->worst_index];
  rep->numeric = num[rep->worst_index];
  free(g), free(xt), free(num);
  return LOPT_OK;
}

int lopt_problem_create_stochastic(lopt_problem **out, int64_t n, int64_t n_samples, lopt_batch_fn fn, void *ctx,
                                   lopt_error *err)
{
  const char *name = "lopt_problem_create_stochastic";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", name);
  *out = NULL;
  if (n < 1) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: dimension n = %lld must be at least 1", name, (long long)n);
  if (n_samples < 1)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: sample count %lld must be at least 1", name, (long long)n_samples);
  if (!fn) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the mini-batch callback is NULL", name);
  lopt_problem *p = calloc(1, sizeof *p);
  if (!p) return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the problem", name);
  p->type = LOPT_PROBLEM_STOCHASTIC;
  p->dim = n;
  p->u.stochastic.n_samples = n_samples;
  p->u.stochastic.batch = fn;
  p->u.stochastic.ctx = ctx;
  *out = p;
  return LOPT_OK;
}

int lopt_problem_set_batch_hvp(lopt_problem *p, lopt_batch_hvp_fn hvp)
{
  if (!p || p->type != LOPT_PROBLEM_STOCHASTIC) return LOPT_EINVAL;
  p->u.stochastic.hvp = hvp;
  return LOPT_OK;
}

int lopt_problem_set_batch_gnb(lopt_problem *p, lopt_batch_fn gnb)
{
  if (!p || p->type != LOPT_PROBLEM_STOCHASTIC) return LOPT_EINVAL;
  p->u.stochastic.gnb = gnb;
  return LOPT_OK;
}
