/* tests/problems/problems.c: builders for the catalogue in problems.h. */
#include "problems.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

const poisson_count poisson_cg_counts[] = {
  {2, 32, 59}, {2, 64, 119}, {2, 128, 239}, {2, 256, 470}, {3, 16, 39}, {3, 32, 79},
};
const int n_poisson_cg_counts = sizeof poisson_cg_counts / sizeof poisson_cg_counts[0];

/* Stencil matrix on a d-dimensional N^d grid: 2d on the diagonal, -1 to each grid neighbour. */
static lopt_matrix *stencil(int d, int64_t N, lopt_stype stype)
{
  int64_t n = 1;
  for (int k = 0; k < d; k++) n *= N;
  int64_t cap = n * (2 * d + 1);
  int64_t *ri = malloc((size_t)cap * sizeof *ri), *ci = malloc((size_t)cap * sizeof *ci);
  double *v = malloc((size_t)cap * sizeof *v);
  int64_t nnz = 0, stride[3] = {1, N, N * N};
  for (int64_t i = 0; i < n; i++) {
    ri[nnz] = i, ci[nnz] = i, v[nnz++] = 2.0 * d;
    for (int k = 0; k < d; k++) {
      int64_t coord = (i / stride[k]) % N;
      int64_t nb[2] = {coord > 0 ? i - stride[k] : -1, coord < N - 1 ? i + stride[k] : -1};
      for (int s = 0; s < 2; s++) {
        int64_t j = nb[s];
        if (j < 0) continue;
        if ((stype == LOPT_LOWER && j > i) || (stype == LOPT_UPPER && j < i)) continue;
        ri[nnz] = i, ci[nnz] = j, v[nnz++] = -1.0;
      }
    }
  }
  lopt_matrix *A = NULL;
  lopt_matrix_create_coo(&A, n, n, nnz, ri, ci, v, stype, NULL);
  free(ri), free(ci), free(v);
  return A;
}

lopt_matrix *poisson2d(int64_t N, lopt_stype stype) { return stencil(2, N, stype); }
lopt_matrix *poisson3d(int64_t N, lopt_stype stype) { return stencil(3, N, stype); }

double *random_spd_dense(int64_t n, double cond, unsigned long long seed)
{
  test_rng rng = {seed * 2654435761ULL + 1};
  double *Q = calloc((size_t)(n * n), sizeof *Q), *A = calloc((size_t)(n * n), sizeof *A);
  double *v = malloc((size_t)n * sizeof *v), *w = malloc((size_t)n * sizeof *w);
  for (int64_t i = 0; i < n; i++) Q[i + i * n] = 1.0;
  /* Q = H_1 H_2 ... H_k with random unit Householder vectors */
  for (int k = 0; k < 3; k++) {
    double nv = 0;
    for (int64_t i = 0; i < n; i++) v[i] = test_rng_normal(&rng), nv += v[i] * v[i];
    nv = sqrt(nv);
    for (int64_t i = 0; i < n; i++) v[i] /= nv;
    for (int64_t j = 0; j < n; j++) { /* Q(:, j) -= 2 v (v' Q(:, j)) */
      double d = 0;
      for (int64_t i = 0; i < n; i++) d += v[i] * Q[i + j * n];
      for (int64_t i = 0; i < n; i++) Q[i + j * n] -= 2 * v[i] * d;
    }
  }
  for (int64_t k = 0; k < n; k++) w[k] = n > 1 ? pow(cond, (double)k / (double)(n - 1)) : 1.0;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      double acc = 0;
      for (int64_t k = 0; k < n; k++) acc += Q[i + k * n] * w[k] * Q[j + k * n];
      A[i + j * n] = acc;
    }
  for (int64_t j = 0; j < n; j++) /* exact symmetry */
    for (int64_t i = j + 1; i < n; i++) A[j + i * n] = A[i + j * n];
  free(Q), free(v), free(w);
  return A;
}
