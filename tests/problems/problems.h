/* tests/problems/problems.h: the catalogue of test problems with independent truths.
 * Each entry says where its truth comes from; test_problems.c checks the catalogue's own claims. */
#ifndef LOPT_TEST_PROBLEMS_H
#define LOPT_TEST_PROBLEMS_H

#include "libopt.h"

/* 2D Poisson, 5-point stencil, N x N interior grid, Dirichlet: A = I (x) T + T (x) I,
 * T = tridiag(-1, 2, -1), n = N^2. Stored as `stype` (LOPT_GENERAL: both triangles). */
lopt_matrix *poisson2d(int64_t N, lopt_stype stype);
/* 3D Poisson, 7-point stencil, n = N^3. */
lopt_matrix *poisson3d(int64_t N, lopt_stype stype);

/* Unpreconditioned CG iterations to rtol 1e-8 from x0 = 0 with b = ones
 * (../shared/reference/solvers.md §2.5: scipy 1.10.1 cg, unscaled stencil). */
typedef struct poisson_count {
  int dim;      /* 2 or 3 */
  int64_t N;
  int64_t iters;
} poisson_count;
extern const poisson_count poisson_cg_counts[];
extern const int n_poisson_cg_counts;

/* Dense random SPD matrix A = Q diag(eig) Q' (column-major, n x n) with eigenvalues spaced
 * geometrically in [1, cond]; Q from Householder reflections of a seeded Gaussian. */
double *random_spd_dense(int64_t n, double cond, unsigned long long seed);

#endif
