/* src/linalg/cost.c: ground-cost matrices between point clouds for optimal transport. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "matrix_internal.h"

int lopt_matrix_create_cost(lopt_matrix **out, int64_t n, int64_t m, int64_t d, const double *X, const double *Y,
                            lopt_cost cost, double p, int normalize, lopt_error *err)
{
  const char *fn = "lopt_matrix_create_cost";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (n < 1 || m < 1 || d < 1)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: sizes n = %lld, m = %lld, d = %lld must be at least 1", fn,
                          (long long)n, (long long)m, (long long)d);
  if (n > INT32_MAX || m > INT32_MAX || d > INT32_MAX || n > INT64_MAX / 8 / m)
    return lopt_error_set(err, LOPT_EUNSUPPORTED, 0, "%s: %lld x %lld is too large for a dense cost", fn,
                          (long long)n, (long long)m);
  if (!X || !Y) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: point array %s is NULL", fn, X ? "Y" : "X");
  if (cost != LOPT_COST_SQEUCLIDEAN && cost != LOPT_COST_LP)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: cost %d is not LOPT_COST_SQEUCLIDEAN or LOPT_COST_LP", fn,
                          (int)cost);
  if (cost == LOPT_COST_LP && !(p >= 1 && isfinite(p)))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: exponent p = %g must be finite and >= 1", fn, p);
  for (int64_t k = 0; k < n * d; k++)
    if (!isfinite(X[k])) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: X has a non-finite entry at %lld", fn, (long long)k);
  for (int64_t k = 0; k < m * d; k++)
    if (!isfinite(Y[k])) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: Y has a non-finite entry at %lld", fn, (long long)k);
  double *C = malloc((size_t)(n * m) * sizeof *C);
  if (!C) return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for %lld x %lld costs", fn, (long long)n, (long long)m);
  if (cost == LOPT_COST_SQEUCLIDEAN) {
    /* ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x'y: the cross terms in one gemm, C (n x m, column-major)
     * = -2 X Y' with X, Y row-major (= column-major X' and Y'). Clamp rounding below zero. */
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)m, (int)d, -2.0, X, (int)d, Y, (int)d, 0.0, C,
                (int)n);
    double *xx = malloc((size_t)n * sizeof *xx);
    if (!xx) {
      free(C);
      return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for %lld norms", fn, (long long)n);
    }
    for (int64_t i = 0; i < n; i++) xx[i] = cblas_ddot((int)d, X + i * d, 1, X + i * d, 1);
    for (int64_t j = 0; j < m; j++) {
      double yy = cblas_ddot((int)d, Y + j * d, 1, Y + j * d, 1);
      for (int64_t i = 0; i < n; i++) {
        double v = C[i + j * n] + xx[i] + yy;
        C[i + j * n] = v > 0 ? v : 0;
      }
    }
    free(xx);
  } else {
    for (int64_t j = 0; j < m; j++)
      for (int64_t i = 0; i < n; i++) {
        double acc = 0;
        for (int64_t k = 0; k < d; k++) {
          double t = fabs(X[i * d + k] - Y[j * d + k]);
          acc += p == 1.0 ? t : p == 2.0 ? t * t : pow(t, p);
        }
        C[i + j * n] = acc;
      }
  }
  if (normalize) {
    double cmax = 0;
    for (int64_t k = 0; k < n * m; k++) cmax = fmax(cmax, C[k]);
    if (cmax > 0)
      for (int64_t k = 0; k < n * m; k++) C[k] /= cmax;
  }
  int rc = lopt_matrix_create_dense(out, n, m, C, n, LOPT_COPY, err);
  free(C);
  return rc;
}
