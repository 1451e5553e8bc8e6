/* src/linalg/matrix_internal.h: the lopt_matrix layout and the kernels solvers share.
 * Private; never installed. */
#ifndef LOPT_MATRIX_INTERNAL_H
#define LOPT_MATRIX_INTERNAL_H

#include "../core/internal.h"

struct lopt_matrix {
  lopt_storage storage;
  lopt_stype stype;
  int64_t nrows, ncols;
  int owns;              /* arrays below are owned (freed with the handle) */
  /* dense: column-major, leading dimension ld */
  double *data;
  int64_t ld;
  /* sparse: CSR (ptr over rows, idx = columns) or CSC (ptr over columns, idx = rows); sorted */
  int64_t *ptr, *idx;
  double *val;
  /* operator */
  lopt_apply_fn apply;
  void *ctx;
  int symmetric;
};

/* A full (both triangles) CSR copy with 32-bit column indices when they fit: the form the
 * iterative solvers stream every iteration (12 bytes per entry instead of 16). */
typedef struct lopt_csr {
  int64_t n, ncols, nnz;
  int64_t *ptr;          /* n + 1 */
  int32_t *col32;        /* used when ncols <= INT32_MAX ... */
  int64_t *col64;        /* ... else this */
  double *val;
} lopt_csr;

/* Build a full CSR from any assembled matrix (dense, CSR, CSC; symmetric stypes are expanded).
 * Allocations go through the solver's allocator. */
LOPT_INTERNAL int lopt_csr_from_matrix(lopt_solver *s, const lopt_matrix *A, lopt_csr *out);
LOPT_INTERNAL void lopt_csr_free(lopt_solver *s, lopt_csr *c);
/* y = A x; returns x'y as well (the dot CG needs, fused into the same pass). */
LOPT_INTERNAL double lopt_csr_apply_dot(const lopt_csr *c, const double *x, double *y);
LOPT_INTERNAL void lopt_csr_apply(const lopt_csr *c, const double *x, double *y);
/* Largest |a_ij - a_ji| relative to max|a| (0 for symmetric); (*bad_i, *bad_j) is the worst pair. */
LOPT_INTERNAL double lopt_csr_asymmetry(const lopt_csr *c, int64_t *bad_i, int64_t *bad_j);
/* Column index of entry p. */
static inline int64_t lopt_csr_col(const lopt_csr *c, int64_t p) { return c->col32 ? c->col32[p] : c->col64[p]; }

LOPT_INTERNAL int lopt_cmp_double(const void *a, const void *b);
LOPT_INTERNAL const char *lopt_storage_name(lopt_storage st);


#endif
