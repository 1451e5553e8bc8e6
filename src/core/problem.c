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
  if (p->type == LOPT_PROBLEM_OT) {
    free(p->u.ot.a);
    free(p->u.ot.b);
  }
  if (p->type == LOPT_PROBLEM_COMPOSITE) {
    free(p->u.composite.y);
    free(p->u.composite.lower);
    free(p->u.composite.upper);
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

/* ---- optimal transport ----------------------------------------------------------------------- */

/* Positive weights summing to 1 (to 1e-9 relative, so normalised float data passes). */
static int check_weights(const char *fn, const char *name, const double *w, int64_t len, lopt_error *err)
{
  if (!w) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: weights %s are NULL", fn, name);
  if (len < 1) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: %s has %lld entries; at least 1 is needed", fn, name,
                                     (long long)len);
  double sum = 0;
  for (int64_t i = 0; i < len; i++) {
    if (!(w[i] > 0) || !isfinite(w[i]))
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: %s[%lld] = %g; weights must be positive and finite", fn, name,
                            (long long)i, w[i]);
    sum += w[i];
  }
  if (!(fabs(sum - 1.0) <= 1e-9))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: %s sums to %.17g; each measure must sum to 1 (normalise it)", fn,
                          name, sum);
  return LOPT_OK;
}

static int create_ot(lopt_problem **out, const char *fn, int64_t n, int64_t m, const double *a, const double *b,
                     double eps, lopt_error *err)
{
  int rc;
  if ((rc = check_weights(fn, "a", a, n, err)) || (rc = check_weights(fn, "b", b, m, err))) return rc;
  if (!(eps > 0) || !isfinite(eps))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: eps = %g; the regularisation must be positive and finite", fn, eps);
  lopt_problem *p = calloc(1, sizeof *p);
  double *ac = malloc((size_t)n * sizeof *ac), *bc = malloc((size_t)m * sizeof *bc);
  if (!p || !ac || !bc) {
    free(p), free(ac), free(bc);
    return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the measures", fn);
  }
  memcpy(ac, a, (size_t)n * sizeof *ac);
  memcpy(bc, b, (size_t)m * sizeof *bc);
  p->type = LOPT_PROBLEM_OT;
  p->dim = n + m; /* the unknowns are the dual potentials (f, g) */
  p->u.ot.n = n;
  p->u.ot.m = m;
  p->u.ot.a = ac;
  p->u.ot.b = bc;
  p->u.ot.eps = eps;
  *out = p;
  return LOPT_OK;
}

int lopt_problem_create_ot(lopt_problem **out, const double *a, const double *b, const lopt_matrix *C, double eps,
                           lopt_error *err)
{
  const char *fn = "lopt_problem_create_ot";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (!C) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: cost matrix C is NULL", fn);
  const double *c;
  int64_t ld, n = lopt_matrix_nrows(C), m = lopt_matrix_ncols(C);
  if (lopt_matrix_dense_data(C, &c, &ld) != LOPT_OK)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: C must be a dense matrix (lopt_matrix_create_dense or "
                          "lopt_matrix_create_cost); use lopt_problem_create_ot_rows for costs given by callback", fn);
  for (int64_t j = 0; j < m; j++)
    for (int64_t i = 0; i < n; i++)
      if (!(c[i + j * ld] >= 0) || !isfinite(c[i + j * ld]))
        return lopt_error_set(err, LOPT_EINVAL, 0, "%s: C[%lld][%lld] = %g; costs must be finite and non-negative", fn,
                              (long long)i, (long long)j, c[i + j * ld]);
  int rc = create_ot(out, fn, n, m, a, b, eps, err);
  if (!rc) (*out)->u.ot.C = C;
  return rc;
}

int lopt_problem_create_ot_rows(lopt_problem **out, int64_t n, int64_t m, const double *a, const double *b,
                                lopt_cost_row_fn row, void *ctx, double eps, lopt_error *err)
{
  const char *fn = "lopt_problem_create_ot_rows";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (!row) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the cost-row callback is NULL", fn);
  int rc = create_ot(out, fn, n, m, a, b, eps, err);
  if (!rc) (*out)->u.ot.row = row, (*out)->u.ot.ctx = ctx;
  return rc;
}

/* ---- composite f + g ------------------------------------------------------------------------- */

int lopt_problem_create_composite(lopt_problem **out, lopt_loss loss, const lopt_matrix *A, const double *y,
                                  int64_t classes, lopt_error *err)
{
  const char *fn = "lopt_problem_create_composite";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (loss < LOPT_LOSS_LEAST_SQUARES || loss > LOPT_LOSS_QUADRATIC)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: loss %d is not one of the lopt_loss values", fn, (int)loss);
  if (!A) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: data matrix A is NULL", fn);
  if (!y) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: vector y is NULL", fn);
  if (lopt_matrix_storage(A) == LOPT_OPERATOR)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: A must be assembled (dense or sparse), not an operator", fn);
  int64_t n = lopt_matrix_nrows(A), d = lopt_matrix_ncols(A);
  if (n < 1 || d < 1) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: A is %lld x %lld; it must not be empty", fn,
                                            (long long)n, (long long)d);
  if (loss == LOPT_LOSS_QUADRATIC && n != d)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the quadratic loss needs a square Q; A is %lld x %lld", fn,
                          (long long)n, (long long)d);
  if (loss == LOPT_LOSS_SOFTMAX && classes < 2)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: softmax needs at least 2 classes; got %lld", fn, (long long)classes);
  for (int64_t i = 0; i < n; i++) {
    double v = y[i];
    int ok = isfinite(v);
    if (loss == LOPT_LOSS_LOGISTIC) ok = v == 1.0 || v == -1.0;
    if (loss == LOPT_LOSS_SOFTMAX) ok = v >= 0 && v < (double)classes && v == floor(v);
    if (!ok)
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: y[%lld] = %g is not %s", fn, (long long)i, v,
                            loss == LOPT_LOSS_LOGISTIC  ? "a label -1 or +1"
                            : loss == LOPT_LOSS_SOFTMAX ? "a class index 0 .. classes-1"
                                                        : "finite");
  }
  lopt_problem *p = calloc(1, sizeof *p);
  double *yc = malloc((size_t)n * sizeof *yc);
  if (!p || !yc) {
    free(p), free(yc);
    return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for y (%lld doubles)", fn, (long long)n);
  }
  memcpy(yc, y, (size_t)n * sizeof *yc);
  p->type = LOPT_PROBLEM_COMPOSITE;
  p->dim = loss == LOPT_LOSS_SOFTMAX ? d * classes : d;
  p->u.composite.loss = loss;
  p->u.composite.A = A;
  p->u.composite.y = yc;
  p->u.composite.n_samples = n;
  p->u.composite.n_features = d;
  p->u.composite.classes = loss == LOPT_LOSS_SOFTMAX ? classes : 1;
  *out = p;
  return LOPT_OK;
}

int lopt_problem_create_composite_user(lopt_problem **out, int64_t n, lopt_f_fn f, lopt_block_grad_fn grad,
                                       lopt_block_lipschitz_fn lipschitz, void *ctx, lopt_error *err)
{
  const char *fn = "lopt_problem_create_composite_user";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (n < 1) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: dimension n = %lld must be at least 1", fn, (long long)n);
  if (!f || !grad || !lipschitz)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the %s callback is NULL (f, block gradient and block Lipschitz "
                          "bound are all required)", fn, !f ? "f" : !grad ? "block gradient" : "block Lipschitz");
  lopt_problem *p = calloc(1, sizeof *p);
  if (!p) return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the problem", fn);
  p->type = LOPT_PROBLEM_COMPOSITE;
  p->dim = n;
  p->u.composite.f = f;
  p->u.composite.grad = grad;
  p->u.composite.lipschitz = lipschitz;
  p->u.composite.ctx = ctx;
  p->u.composite.n_features = n;
  p->u.composite.classes = 1;
  *out = p;
  return LOPT_OK;
}

int lopt_problem_set_regularizer(lopt_problem *p, lopt_regularizer g, double lambda, double alpha,
                                 const double *lower, const double *upper, lopt_error *err)
{
  const char *fn = "lopt_problem_set_regularizer";
  if (!p) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: problem is NULL", fn);
  if (p->type != LOPT_PROBLEM_COMPOSITE)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: regularizers apply to composite problems only", fn);
  if (g < LOPT_REG_NONE || g > LOPT_REG_BOX)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: regularizer %d is not one of the lopt_regularizer values", fn,
                          (int)g);
  if (!(lambda >= 0) || !isfinite(lambda))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: lambda = %g must be finite and >= 0", fn, lambda);
  if (g == LOPT_REG_ELASTIC_NET && !(alpha >= 0 && alpha <= 1))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: elastic-net mix alpha = %g must be in [0, 1]", fn, alpha);
  lopt_composite_data *c = &p->u.composite;
  double *lo = NULL, *hi = NULL;
  if (g == LOPT_REG_BOX) {
    int64_t n = p->dim;
    for (int64_t i = 0; i < n; i++) {
      double l = lower ? lower[i] : -INFINITY, u = upper ? upper[i] : INFINITY;
      if (isnan(l) || isnan(u) || l > u)
        return lopt_error_set(err, LOPT_EINVAL, 0, "%s: box [%g, %g] at index %lld is empty or NaN", fn, l, u,
                              (long long)i);
    }
    if ((lower && !(lo = malloc((size_t)n * sizeof *lo))) || (upper && !(hi = malloc((size_t)n * sizeof *hi)))) {
      free(lo);
      return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the box", fn);
    }
    if (lo) memcpy(lo, lower, (size_t)n * sizeof *lo);
    if (hi) memcpy(hi, upper, (size_t)n * sizeof *hi);
  }
  free(c->lower);
  free(c->upper);
  c->lower = lo;
  c->upper = hi;
  c->reg = g;
  c->lambda = lambda;
  c->alpha = alpha;
  return LOPT_OK;
}
