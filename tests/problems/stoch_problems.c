/* tests/problems/stoch_problems.c: builders and oracles for stoch_problems.h. */
#include "stoch_problems.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static double *zeros(int64_t n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(double)); }

static double sigmoid(double t) { return t >= 0 ? 1.0 / (1.0 + exp(-t)) : exp(t) / (1.0 + exp(t)); }

/* log(1 + exp(-t)) without overflow */
static double log1pexp_neg(double t) { return t > 0 ? log1p(exp(-t)) : -t + log1p(exp(t)); }

static double dot(int64_t n, const double *a, const double *b)
{
  double s = 0;
  for (int64_t j = 0; j < n; j++) s += a[j] * b[j];
  return s;
}

static test_rng seeded(uint64_t seed)
{
  /* SplitMix64 of the seed: xorshift needs a non-zero, well-mixed state */
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  test_rng r = {z ? z : 1};
  return r;
}

void stoch_reset_hooks(stoch_problem *P)
{
  P->calls = P->hvp_calls = P->gnb_calls = 0;
  P->fail_at_call = P->nan_at_call = P->hvp_fail_at_call = -1;
  P->fail_code = 0;
  P->order_len = P->rec_len = 0;
}

static stoch_problem *new_problem(stoch_shape shape, int64_t n, int64_t N)
{
  stoch_problem *P = calloc(1, sizeof *P);
  P->shape = shape;
  P->n = n;
  P->N = N;
  P->xstar = zeros(n);
  stoch_reset_hooks(P);
  return P;
}

void stoch_problem_free(stoch_problem *P)
{
  if (!P) return;
  free(P->A), free(P->b), free(P->X), free(P->y), free(P->d), free(P->c), free(P->xstar);
  free(P->order), free(P->rec_loss), free(P->rec_size);
  free(P);
}

/* ---- per-sample pieces ------------------------------------------------------------------------ */

/* f_i(x), and g += scale * grad f_i(x) when g is not NULL. */
static double sample_fg(const stoch_problem *P, int64_t i, const double *x, double *g, double scale)
{
  const int64_t n = P->n;
  switch (P->shape) {
  case STOCH_QUADRATIC: {
    double f = 0;
    for (int64_t r = 0; r < P->m; r++) {
      const double *row = P->A + (i * P->m + r) * n;
      double res = dot(n, row, x) - P->b[i * P->m + r];
      f += 0.5 * res * res;
      if (g)
        for (int64_t j = 0; j < n; j++) g[j] += scale * res * row[j];
    }
    return f;
  }
  case STOCH_LOGISTIC: {
    const double *a = P->X + i * n;
    double t = P->y[i] * dot(n, a, x);
    if (g) {
      double coef = -P->y[i] * sigmoid(-t);
      for (int64_t j = 0; j < n; j++) g[j] += scale * (coef * a[j] + P->lambda * x[j]);
    }
    return log1pexp_neg(t) + 0.5 * P->lambda * dot(n, x, x);
  }
  default: {
    const double *ci = P->c + i * n;
    double f = 0;
    for (int64_t j = 0; j < n; j++) {
      double r = x[j] - ci[j];
      f += 0.5 * P->d[j] * r * r;
      if (g) g[j] += scale * P->d[j] * r;
    }
    return f;
  }
  }
}

/* hv += scale * H_i(x) v */
static void sample_hvp(const stoch_problem *P, int64_t i, const double *x, const double *v, double *hv, double scale)
{
  const int64_t n = P->n;
  switch (P->shape) {
  case STOCH_QUADRATIC:
    for (int64_t r = 0; r < P->m; r++) {
      const double *row = P->A + (i * P->m + r) * n;
      double av = dot(n, row, v);
      for (int64_t j = 0; j < n; j++) hv[j] += scale * av * row[j];
    }
    break;
  case STOCH_LOGISTIC: {
    const double *a = P->X + i * n;
    double s = sigmoid(dot(n, a, x)), av = dot(n, a, v);
    for (int64_t j = 0; j < n; j++) hv[j] += scale * (s * (1 - s) * av * a[j] + P->lambda * v[j]);
    break;
  }
  default:
    for (int64_t j = 0; j < n; j++) hv[j] += scale * P->d[j] * v[j];
    break;
  }
}

void stoch_full(const stoch_problem *P, const double *x, double *f, double *g)
{
  if (g) memset(g, 0, (size_t)P->n * sizeof *g);
  double acc = 0;
  for (int64_t i = 0; i < P->N; i++) acc += sample_fg(P, i, x, g, 1.0 / (double)P->N);
  if (f) *f = acc / (double)P->N;
}

/* ---- oracles ---------------------------------------------------------------------------------- */

static void record(stoch_problem *P, const int64_t *idx, int64_t batch, double loss)
{
  if (P->order_len + batch > P->order_cap) {
    P->order_cap = 2 * (P->order_len + batch) + 64;
    P->order = realloc(P->order, (size_t)P->order_cap * sizeof *P->order);
  }
  memcpy(P->order + P->order_len, idx, (size_t)batch * sizeof *idx);
  P->order_len += batch;
  if (P->rec_len == P->rec_cap) {
    P->rec_cap = 2 * P->rec_cap + 64;
    P->rec_loss = realloc(P->rec_loss, (size_t)P->rec_cap * sizeof *P->rec_loss);
    P->rec_size = realloc(P->rec_size, (size_t)P->rec_cap * sizeof *P->rec_size);
  }
  P->rec_loss[P->rec_len] = loss;
  P->rec_size[P->rec_len++] = batch;
}

int stoch_batch(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch, double *loss, double *g)
{
  stoch_problem *P = ctx;
  long call = P->calls++;
  if (n != P->n || batch < 1) return 99;
  if (call == P->fail_at_call) return P->fail_code;
  memset(g, 0, (size_t)n * sizeof *g);
  double acc = 0;
  for (int64_t k = 0; k < batch; k++) {
    if (idx[k] < 0 || idx[k] >= P->N) return 98;
    acc += sample_fg(P, idx[k], x, g, 1.0 / (double)batch);
  }
  *loss = call == P->nan_at_call ? NAN : acc / (double)batch;
  if (P->record) record(P, idx, batch, *loss);
  return 0;
}

int stoch_batch_hvp(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch, const double *v,
                    double *hv)
{
  stoch_problem *P = ctx;
  long call = P->hvp_calls++;
  if (n != P->n || batch < 1) return 99;
  if (call == P->hvp_fail_at_call) return P->fail_code;
  memset(hv, 0, (size_t)n * sizeof *hv);
  for (int64_t k = 0; k < batch; k++) sample_hvp(P, idx[k], x, v, hv, 1.0 / (double)batch);
  return 0;
}

int stoch_batch_gnb(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch, double *loss,
                    double *g)
{
  stoch_problem *P = ctx;
  if (n != P->n || batch < 1) return 99;
  test_rng r = seeded(P->gnb_seed * 1000003ULL + (uint64_t)P->gnb_calls++);
  P->calls++;
  memset(g, 0, (size_t)n * sizeof *g);
  double acc = 0;
  for (int64_t k = 0; k < batch; k++) {
    int64_t i = idx[k];
    if (P->shape == STOCH_LOGISTIC) {
      const double *a = P->X + i * n;
      double t = dot(n, a, x), ys = test_rng_uniform(&r) < sigmoid(t) ? 1.0 : -1.0;
      double coef = -ys * sigmoid(-ys * t);
      acc += log1pexp_neg(ys * t);
      for (int64_t j = 0; j < n; j++) g[j] += coef * a[j] / (double)batch;
    } else if (P->shape == STOCH_QUADRATIC) { /* residual A x - b~ = -eps, eps ~ N(0, I) */
      for (int64_t rr = 0; rr < P->m; rr++) {
        const double *row = P->A + (i * P->m + rr) * n;
        double e = test_rng_normal(&r);
        acc += 0.5 * e * e;
        for (int64_t j = 0; j < n; j++) g[j] -= e * row[j] / (double)batch;
      }
    } else {
      for (int64_t j = 0; j < n; j++) {
        double e = test_rng_normal(&r);
        acc += 0.5 * e * e;
        g[j] -= sqrt(P->d[j]) * e / (double)batch;
      }
    }
  }
  *loss = acc / (double)batch;
  return 0;
}

lopt_problem *stoch_lopt_problem(stoch_problem *P, int with_hvp, int with_gnb)
{
  lopt_problem *p = NULL;
  if (lopt_problem_create_stochastic(&p, P->n, P->N, stoch_batch, P, NULL) != LOPT_OK) return NULL;
  if (with_hvp) lopt_problem_set_batch_hvp(p, stoch_batch_hvp);
  if (with_gnb) lopt_problem_set_batch_gnb(p, stoch_batch_gnb);
  return p;
}

double stoch_rel_error(const stoch_problem *P, const double *x)
{
  double num = 0, den = 0;
  for (int64_t j = 0; j < P->n; j++) {
    num += (x[j] - P->xstar[j]) * (x[j] - P->xstar[j]);
    den += P->xstar[j] * P->xstar[j];
  }
  return sqrt(num) / sqrt(den);
}

/* ---- builders --------------------------------------------------------------------------------- */

stoch_problem *stoch_quadratic(int64_t n, int64_t N, int64_t m, uint64_t seed)
{
  stoch_problem *P = new_problem(STOCH_QUADRATIC, n, N);
  test_rng r = seeded(seed);
  P->m = m;
  P->A = malloc((size_t)(N * m * n) * sizeof *P->A);
  P->b = malloc((size_t)(N * m) * sizeof *P->b);
  double *xt = zeros(n);
  for (int64_t j = 0; j < n; j++) xt[j] = 1.0 + test_rng_normal(&r);
  /* columns scaled by 1..2: condition number of the mean Hessian about 10 */
  for (int64_t k = 0; k < N * m; k++) {
    for (int64_t j = 0; j < n; j++)
      P->A[k * n + j] = test_rng_normal(&r) * (1.0 + (double)j / (double)(n > 1 ? n - 1 : 1));
    P->b[k] = dot(n, P->A + k * n, xt) + 0.3 * test_rng_normal(&r);
  }
  /* x* solves (sum_i A_i' A_i) x = sum_i A_i' b_i (column-major n x n, lower triangle used) */
  double *M = zeros(n * n), *rhs = zeros(n);
  for (int64_t k = 0; k < N * m; k++) {
    const double *row = P->A + k * n;
    for (int64_t j = 0; j < n; j++) {
      rhs[j] += row[j] * P->b[k];
      for (int64_t l = 0; l < n; l++) M[j + l * n] += row[j] * row[l];
    }
  }
  lapack_int info = LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, M, (lapack_int)n, rhs, (lapack_int)n);
  if (info != 0) abort();
  memcpy(P->xstar, rhs, (size_t)n * sizeof *rhs);
  stoch_full(P, P->xstar, &P->fstar, NULL);
  free(M), free(rhs), free(xt);
  return P;
}

stoch_problem *stoch_logistic(int64_t n, int64_t N, double lambda, uint64_t seed)
{
  stoch_problem *P = new_problem(STOCH_LOGISTIC, n, N);
  test_rng r = seeded(seed);
  P->lambda = lambda;
  P->X = malloc((size_t)(N * n) * sizeof *P->X);
  P->y = malloc((size_t)N * sizeof *P->y);
  double *wt = zeros(n);
  for (int64_t j = 0; j < n; j++) wt[j] = 1.5 * test_rng_normal(&r);
  for (int64_t i = 0; i < N; i++) {
    double *a = P->X + i * n;
    for (int64_t j = 0; j < n - 1; j++) a[j] = test_rng_normal(&r);
    a[n - 1] = 1.0; /* intercept */
    P->y[i] = test_rng_uniform(&r) < sigmoid(dot(n, a, wt)) ? 1.0 : -1.0;
  }
  /* Newton's method with backtracking from w = 0; each step solves H p = -g with LAPACKE_dposv. */
  double *w = P->xstar, *g = zeros(n), *H = zeros(n * n), *p = zeros(n), *wn = zeros(n);
  double f;
  stoch_full(P, w, &f, g);
  for (int it = 0; it < 100; it++) {
    memset(H, 0, (size_t)(n * n) * sizeof *H);
    for (int64_t i = 0; i < N; i++) {
      const double *a = P->X + i * n;
      double s = sigmoid(dot(n, a, w)), c = s * (1 - s) / (double)N;
      for (int64_t j = 0; j < n; j++)
        for (int64_t l = 0; l < n; l++) H[j + l * n] += c * a[j] * a[l];
    }
    for (int64_t j = 0; j < n; j++) H[j + j * n] += lambda, p[j] = -g[j];
    if (LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, H, (lapack_int)n, p, (lapack_int)n) != 0) abort();
    double decrement = -dot(n, g, p), step = 1.0, fn = f;
    if (!(decrement > 1e-32)) break; /* Newton decrement at rounding level: converged */
    for (int ls = 0; ls < 60; ls++, step *= 0.5) {
      for (int64_t j = 0; j < n; j++) wn[j] = w[j] + step * p[j];
      stoch_full(P, wn, &fn, NULL);
      if (fn <= f - 0.25 * step * decrement || step * sqrt(dot(n, p, p)) < 1e-15) break;
    }
    memcpy(w, wn, (size_t)n * sizeof *w);
    stoch_full(P, w, &f, g);
  }
  P->fstar = f;
  free(g), free(H), free(p), free(wn), free(wt);
  return P;
}

stoch_problem *stoch_separable(int64_t n, int64_t N, uint64_t seed)
{
  stoch_problem *P = new_problem(STOCH_SEPARABLE, n, N);
  test_rng r = seeded(seed);
  P->d = malloc((size_t)n * sizeof *P->d);
  P->c = malloc((size_t)(N * n) * sizeof *P->c);
  for (int64_t j = 0; j < n; j++) P->d[j] = 0.5 + 1.5 * test_rng_uniform(&r);
  for (int64_t k = 0; k < N * n; k++) P->c[k] = 1.0 + test_rng_normal(&r);
  for (int64_t i = 0; i < N; i++)
    for (int64_t j = 0; j < n; j++) P->xstar[j] += P->c[i * n + j] / (double)N;
  stoch_full(P, P->xstar, &P->fstar, NULL);
  return P;
}
