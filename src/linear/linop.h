/* src/linear/linop.h: A as the linear family's iterations see it: a full CSR when A is assembled
 * sparse, BLAS gemv when dense, the user's callback when matrix-free. Private to src/linear/. */
#ifndef LOPT_LINEAR_LINOP_H
#define LOPT_LINEAR_LINOP_H

#include "../linalg/matrix_internal.h"

typedef struct linop {
  const lopt_matrix *A;
  lopt_csr csr;      /* filled when `csr_wanted` at init (always for sparse A) */
  int use_csr;       /* products go through csr */
  int64_t matvecs;
  int callback_code; /* last non-zero code from an operator callback */
} linop;

/* Check that A can be used as SPD (operators must be declared symmetric; general-stored assembled
 * matrices are checked for symmetry when `check_symmetry`), and assemble the CSR when A is sparse
 * or `csr_wanted`. Messages name `kind`. */
LOPT_INTERNAL int linop_init(lopt_solver *s, linop *L, const lopt_matrix *A, int csr_wanted, int check_symmetry);
LOPT_INTERNAL void linop_free(lopt_solver *s, linop *L);
/* y = A x, returning x'y; NaN when an operator callback fails (code in L->callback_code). */
LOPT_INTERNAL double linop_apply_dot(linop *L, const double *x, double *y, int64_t n);
/* 2-norm and dot, threaded for long vectors. */
LOPT_INTERNAL double lopt_norm2(const double *v, int64_t n);
LOPT_INTERNAL double lopt_dot(const double *a, const double *b, int64_t n);

#endif
