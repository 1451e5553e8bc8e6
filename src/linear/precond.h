/* src/linear/precond.h: preconditioners for the linear family. Private to src/linear/. */
#ifndef LOPT_LINEAR_PRECOND_H
#define LOPT_LINEAR_PRECOND_H

#include <cholmod.h>

#include "../linalg/matrix_internal.h"

typedef enum precond_type {
  PRECOND_NONE = 0,
  PRECOND_JACOBI,
  PRECOND_SSOR,
  PRECOND_IC0,
  PRECOND_CHOLMOD,
  PRECOND_USER
} precond_type;

typedef struct precond {
  precond_type type;
  int64_t n;
  double *dinv;         /* Jacobi: 1 / a_ii */
  /* SSOR: the full CSR (borrowed from the solver), diagonal positions, omega */
  const lopt_csr *A;
  int64_t *diag_pos;
  double omega;
  /* IC(0): L in CSR (lower triangle, diagonal last in each row) */
  int64_t *lptr;
  int32_t *lcol;        /* IC(0) is limited to n <= INT32_MAX (checked at build) */
  double *lval;
  double shift;         /* diagonal shift alpha used (A + alpha diag(A)); 0 when none was needed */
  double *work;         /* n doubles for the triangular solves */
  /* CHOLMOD: own common, factor and a dense wrapper */
  int cholmod_started;
  cholmod_common cc;
  cholmod_factor *L;
  cholmod_dense *X, *Y, *E; /* solve2 workspace, reused */
  /* user callback */
  lopt_apply_fn fn;
  void *ctx;
} precond;

/* Build the preconditioner. On failure returns a status with the message stored on `s`; a proven
 * not-SPD matrix is reported with *not_spd = 1 and LOPT_OK (the run then ends with that reason). */
LOPT_INTERNAL int precond_build(lopt_solver *s, precond *M, precond_type type, const lopt_matrix *A,
                                const lopt_csr *csr, double omega, double shift0, int *not_spd);
LOPT_INTERNAL void precond_free(lopt_solver *s, precond *M);
/* z = M^{-1} r; returns r'z in *rz. Returns non-zero when a user callback fails (its code). */
LOPT_INTERNAL int precond_apply(precond *M, const double *r, double *z, double *rz);

#endif
