/* tests/problems/logreg.c: see logreg.h. Two passes over X per call (X w, then X' c), through BLAS. */
#include "logreg.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

/* xorshift64* (Vigna 2016); the same generator as tests/testutil.c, kept here so the bench needs
 * no test code. */
static double uniform(uint64_t *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return (double)((*s * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

static double normal(uint64_t *s)
{
  double u1 = 1.0 - uniform(s), u2 = uniform(s);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

logreg *logreg_create(int64_t n_samples, int64_t d, double lambda, uint64_t seed)
{
  if (n_samples < 1 || d < 1) return NULL;
  logreg *lr = calloc(1, sizeof *lr);
  double *wt = malloc((size_t)d * sizeof *wt);
  if (!lr || !wt) goto fail;
  lr->n_samples = n_samples, lr->d = d, lr->lambda = lambda;
  lr->X = malloc((size_t)n_samples * (size_t)d * sizeof *lr->X);
  lr->y = malloc((size_t)n_samples * sizeof *lr->y);
  lr->work = malloc((size_t)n_samples * sizeof *lr->work);
  lr->work2 = malloc((size_t)n_samples * sizeof *lr->work2);
  if (!lr->X || !lr->y || !lr->work || !lr->work2) goto fail;
  uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  if (!s) s = 1;
  for (int64_t j = 0; j < d; j++) wt[j] = normal(&s) / sqrt((double)d);
  for (int64_t i = 0; i < n_samples; i++) {
    double *xi = lr->X + i * d, z = 0.0;
    for (int64_t j = 0; j < d; j++) xi[j] = normal(&s), z += xi[j] * wt[j];
    lr->y[i] = z + 0.5 * normal(&s) >= 0 ? 1.0 : -1.0;
  }
  free(wt);
  return lr;
fail:
  free(wt);
  logreg_destroy(lr);
  return NULL;
}

void logreg_destroy(logreg *lr)
{
  if (!lr) return;
  free(lr->X), free(lr->y), free(lr->work), free(lr->work2);
  free(lr);
}

/* log(1 + exp(t)) without overflow */
static double softplus(double t) { return fmax(t, 0.0) + log1p(exp(-fabs(t))); }

/* s(t) = 1 / (1 + exp(-t)) without overflow */
static double sigmoid(double t)
{
  if (t >= 0) return 1.0 / (1.0 + exp(-t));
  double e = exp(t);
  return e / (1.0 + e);
}

int logreg_fg(void *ctx, int64_t n, const double *w, double *f, double *g)
{
  logreg *lr = ctx;
  const int64_t N = lr->n_samples, d = lr->d;
  (void)n;
  lr->fg_calls++;
  double *z = lr->work;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)d, 1.0, lr->X, (int)d, w, 1, 0.0, z, 1); /* z = X w */
  double loss = 0.0, ww = 0.0;
  for (int64_t i = 0; i < N; i++) {
    double m = lr->y[i] * z[i]; /* margin y_i x_i'w */
    loss += softplus(-m);
    z[i] = -lr->y[i] * sigmoid(-m) / (double)N; /* d loss_i / d (x_i'w), already / N */
  }
  for (int64_t j = 0; j < d; j++) ww += w[j] * w[j];
  *f = loss / (double)N + 0.5 * lr->lambda * ww;
  if (g) {
    for (int64_t j = 0; j < d; j++) g[j] = lr->lambda * w[j];
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)N, (int)d, 1.0, lr->X, (int)d, z, 1, 1.0, g, 1); /* g += X' c */
  }
  return 0;
}

int logreg_hvp(void *ctx, int64_t n, const double *w, const double *v, double *hv)
{
  logreg *lr = ctx;
  const int64_t N = lr->n_samples, d = lr->d;
  (void)n;
  lr->hvp_calls++;
  double *z = lr->work, *u = lr->work2;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)d, 1.0, lr->X, (int)d, w, 1, 0.0, z, 1); /* X w */
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)d, 1.0, lr->X, (int)d, v, 1, 0.0, u, 1); /* X v */
  for (int64_t i = 0; i < N; i++) {
    double m = lr->y[i] * z[i], sp = sigmoid(m), sm = sigmoid(-m); /* s(z) s(-z): the same for +-y */
    u[i] *= sp * sm / (double)N;
  }
  for (int64_t j = 0; j < d; j++) hv[j] = lr->lambda * v[j];
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)N, (int)d, 1.0, lr->X, (int)d, u, 1, 1.0, hv, 1);
  return 0;
}
