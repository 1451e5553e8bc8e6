/* src/linear/precond.c: preconditioners M ~ A for CG: Jacobi, SSOR(omega), IC(0) with automatic
 * diagonal shift, exact CHOLMOD Cholesky, and a user callback. Each apply returns z = M^{-1} r and
 * r'z from the same pass.
 *
 * SSOR (Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., Sec. 10.2.1):
 *   M = (D + wL) D^{-1} (D + wU) / (w (2 - w)), applied by one forward and one backward sweep.
 * IC(0) (Saad Alg. 10.4 in its Cholesky form): L restricted to the pattern of tril(A). It can break
 * down on SPD matrices that are not M-matrices; then A + alpha diag(A) is factored instead,
 * alpha = shift0, 2 shift0, 4 shift0, ... (Manteuffel, Math. Comp. 34, 1980), and alpha is reported. */
#include <math.h>
#include <string.h>

#include "precond.h"

enum { IC_MAX_SHIFTS = 40 };

/* ---- IC(0) --------------------------------------------------------------------------------- */

/* Lower-triangle pattern of the full CSR, rows sorted so the diagonal is the last entry. */
static int ic0_pattern(lopt_solver *s, precond *M, const lopt_csr *A)
{
  int64_t n = A->n, nnz = 0;
  M->lptr = lopt_calloc(s, (size_t)n + 1, sizeof(int64_t));
  if (!M->lptr) return LOPT_ENOMEM;
  for (int64_t i = 0; i < n; i++) {
    for (int64_t p = A->ptr[i]; p < A->ptr[i + 1]; p++)
      if (lopt_csr_col(A, p) < i) nnz++;
    nnz++; /* the diagonal, present or not */
    M->lptr[i + 1] = nnz;
  }
  M->lcol = lopt_alloc(s, (size_t)nnz * sizeof(int32_t));
  M->lval = lopt_alloc(s, (size_t)nnz * sizeof(double));
  if (!M->lcol || !M->lval) return LOPT_ENOMEM;
  for (int64_t i = 0; i < n; i++) {
    int64_t q = M->lptr[i];
    for (int64_t p = A->ptr[i]; p < A->ptr[i + 1]; p++)
      if (lopt_csr_col(A, p) < i) M->lcol[q++] = (int32_t)lopt_csr_col(A, p);
    M->lcol[q] = (int32_t)i;
  }
  return LOPT_OK;
}

/* Numeric IC(0) of A + alpha diag(A). Returns the first row whose pivot failed, or -1. */
static int64_t ic0_factor(precond *M, const lopt_csr *A, const double *diag, double alpha)
{
  int64_t n = A->n;
  /* load the lower triangle of A into L's pattern */
  for (int64_t i = 0; i < n; i++) {
    int64_t q = M->lptr[i];
    for (int64_t p = A->ptr[i]; p < A->ptr[i + 1]; p++)
      if (lopt_csr_col(A, p) < i) M->lval[q++] = A->val[p];
    M->lval[q] = diag[i] * (1.0 + alpha);
  }
  for (int64_t i = 0; i < n; i++) {
    int64_t di = M->lptr[i + 1] - 1;
    for (int64_t p = M->lptr[i]; p < di; p++) {
      /* L_ik = (a_ik - sum_{j<k} L_ij L_kj) / L_kk, by a merge of rows i and k over j < k */
      int64_t k = M->lcol[p], a = M->lptr[i], b = M->lptr[k], bend = M->lptr[k + 1] - 1;
      double sum = M->lval[p];
      while (a < p && b < bend) {
        if (M->lcol[a] == M->lcol[b]) sum -= M->lval[a++] * M->lval[b++];
        else if (M->lcol[a] < M->lcol[b]) a++;
        else b++;
      }
      M->lval[p] = sum / M->lval[bend];
    }
    double d = M->lval[di];
    for (int64_t p = M->lptr[i]; p < di; p++) d -= M->lval[p] * M->lval[p];
    if (!(d > 0) || !isfinite(d)) return i;
    M->lval[di] = sqrt(d);
  }
  return -1;
}

/* ---- build --------------------------------------------------------------------------------- */

static int cholmod_build(lopt_solver *s, precond *M, const lopt_csr *A, int *not_spd)
{
  cholmod_l_start(&M->cc);
  M->cholmod_started = 1;
  M->cc.print = 0; /* CHOLMOD prints nothing; errors are read from cc.status */
  M->cc.error_handler = NULL;
  /* Supernodal is always LL': CHOLMOD's simplicial default is LDL', which factors many indefinite
   * matrices without complaint and so would not prove A SPD. */
  M->cc.supernodal = CHOLMOD_SUPERNODAL;
  /* A full symmetric CSR read as CSC is the same matrix; stype 1 tells CHOLMOD to use the upper part. */
  cholmod_sparse *C = cholmod_l_allocate_sparse((size_t)A->n, (size_t)A->n, (size_t)A->nnz, 1, 1, 1, CHOLMOD_REAL,
                                                &M->cc);
  if (!C) return lopt_fail(s, LOPT_ENOMEM, "pcg: CHOLMOD could not allocate the matrix (%lld entries)", (long long)A->nnz);
  SuiteSparse_long *cp = C->p, *ci = C->i;
  double *cx = C->x;
  for (int64_t i = 0; i <= A->n; i++) cp[i] = A->ptr[i];
  for (int64_t p = 0; p < A->nnz; p++) ci[p] = lopt_csr_col(A, p), cx[p] = A->val[p];
  M->L = cholmod_l_analyze(C, &M->cc);
  int ok = M->L && cholmod_l_factorize(C, M->L, &M->cc);
  cholmod_l_free_sparse(&C, &M->cc);
  if (M->cc.status == CHOLMOD_NOT_POSDEF) {
    *not_spd = 1;
    return lopt_fail(s, LOPT_OK, "pcg: CHOLMOD found A not positive definite (pivot %lld of %lld failed)",
                     (long long)(M->L ? (int64_t)M->L->minor : -1), (long long)A->n);
  }
  if (!ok || M->cc.status < CHOLMOD_OK)
    return lopt_fail(s, M->cc.status == CHOLMOD_OUT_OF_MEMORY ? LOPT_ENOMEM : LOPT_ELINALG,
                     "pcg: CHOLMOD factorization failed (status %d)", M->cc.status);
  return LOPT_OK;
}

int precond_build(lopt_solver *s, precond *M, precond_type type, const lopt_matrix *A, const lopt_csr *csr,
                  double omega, double shift0, int *not_spd)
{
  memset(M, 0, sizeof *M);
  M->type = type;
  M->n = A->nrows;
  *not_spd = 0;
  if (type == PRECOND_NONE || type == PRECOND_USER) return LOPT_OK;
  int64_t n = A->nrows;
  double *diag = lopt_alloc_f64(s, n);
  if (!diag) return lopt_fail(s, LOPT_ENOMEM, "pcg: no memory for the diagonal (%lld doubles)", (long long)n);
  lopt_matrix_diagonal(A, diag);
  for (int64_t i = 0; i < n; i++)
    if (!(diag[i] > 0)) {
      double aii = diag[i];
      lopt_free(s, diag);
      *not_spd = 1;
      return lopt_fail(s, LOPT_OK, "pcg: diagonal entry a[%lld][%lld] = %g is not positive, so A is not SPD",
                       (long long)i, (long long)i, aii);
    }
  int rc = LOPT_OK;
  switch (type) {
  case PRECOND_JACOBI:
    M->dinv = diag;
    for (int64_t i = 0; i < n; i++) M->dinv[i] = 1.0 / M->dinv[i];
    return LOPT_OK;
  case PRECOND_SSOR:
    M->A = csr;
    M->omega = omega;
    M->diag_pos = lopt_alloc(s, (size_t)(n ? n : 1) * sizeof(int64_t));
    if (!M->diag_pos) break;
    for (int64_t i = 0; i < n; i++) {
      M->diag_pos[i] = -1;
      for (int64_t p = csr->ptr[i]; p < csr->ptr[i + 1]; p++)
        if (lopt_csr_col(csr, p) == i) M->diag_pos[i] = p;
    }
    lopt_free(s, diag);
    return LOPT_OK;
  case PRECOND_IC0: {
    if (n > INT32_MAX) {
      lopt_free(s, diag);
      return lopt_fail(s, LOPT_EUNSUPPORTED, "pcg: ic0 supports n up to 2^31-1; n is %lld", (long long)n);
    }
    if ((rc = ic0_pattern(s, M, csr))) break;
    double alpha = 0;
    int64_t bad = ic0_factor(M, csr, diag, 0);
    for (int k = 0; bad >= 0 && k < IC_MAX_SHIFTS; k++) {
      alpha = k == 0 ? shift0 : 2 * alpha;
      bad = ic0_factor(M, csr, diag, alpha);
    }
    lopt_free(s, diag);
    if (bad >= 0) {
      *not_spd = 1;
      return lopt_fail(s, LOPT_OK, "pcg: IC(0) broke down at row %lld even with diagonal shift %g; A is not SPD",
                       (long long)bad, alpha);
    }
    M->shift = alpha;
    if (alpha > 0)
      lopt_log(s, LOPT_LOG_INFO, "pcg: IC(0) needed a diagonal shift: factored A + %g diag(A)", alpha);
    return LOPT_OK;
  }
  case PRECOND_CHOLMOD:
    lopt_free(s, diag);
    return cholmod_build(s, M, csr, not_spd);
  default:
    break;
  }
  lopt_free(s, diag);
  return lopt_fail(s, rc ? rc : LOPT_ENOMEM, "pcg: no memory for the %s preconditioner (n = %lld)",
                   type == PRECOND_SSOR ? "SSOR" : "IC(0)", (long long)n);
}

void precond_free(lopt_solver *s, precond *M)
{
  lopt_free(s, M->dinv);
  lopt_free(s, M->diag_pos);
  lopt_free(s, M->lptr);
  lopt_free(s, M->lcol);
  lopt_free(s, M->lval);
  lopt_free(s, M->work);
  if (M->cholmod_started) {
    if (M->L) cholmod_l_free_factor(&M->L, &M->cc);
    if (M->X) cholmod_l_free_dense(&M->X, &M->cc);
    if (M->Y) cholmod_l_free_dense(&M->Y, &M->cc);
    if (M->E) cholmod_l_free_dense(&M->E, &M->cc);
    cholmod_l_finish(&M->cc);
  }
  memset(M, 0, sizeof *M);
}

/* ---- apply --------------------------------------------------------------------------------- */

static double ssor_apply(const precond *M, const double *r, double *z)
{
  const lopt_csr *A = M->A;
  const double w = M->omega;
  /* (D + wL) y = r, forward */
  for (int64_t i = 0; i < A->n; i++) {
    double acc = r[i];
    for (int64_t p = A->ptr[i]; p < M->diag_pos[i]; p++) acc -= w * A->val[p] * z[lopt_csr_col(A, p)];
    z[i] = acc / A->val[M->diag_pos[i]];
  }
  /* (D + wU) z = D y, backward; then scale by w (2 - w) */
  double rz = 0;
  for (int64_t i = A->n - 1; i >= 0; i--) {
    double acc = 0;
    for (int64_t p = M->diag_pos[i] + 1; p < A->ptr[i + 1]; p++) acc += A->val[p] * z[lopt_csr_col(A, p)];
    z[i] -= w * acc / A->val[M->diag_pos[i]];
  }
  const double scale = w * (2.0 - w);
  for (int64_t i = 0; i < A->n; i++) {
    z[i] *= scale;
    rz += r[i] * z[i];
  }
  return rz;
}

static double ic0_apply(const precond *M, const double *r, double *z)
{
  int64_t n = M->n;
  for (int64_t i = 0; i < n; i++) { /* L y = r */
    double acc = r[i];
    int64_t d = M->lptr[i + 1] - 1;
    for (int64_t p = M->lptr[i]; p < d; p++) acc -= M->lval[p] * z[M->lcol[p]];
    z[i] = acc / M->lval[d];
  }
  for (int64_t i = n - 1; i >= 0; i--) { /* L' z = y, column-oriented on the rows of L */
    int64_t d = M->lptr[i + 1] - 1;
    z[i] /= M->lval[d];
    for (int64_t p = M->lptr[i]; p < d; p++) z[M->lcol[p]] -= M->lval[p] * z[i];
  }
  double rz = 0;
  for (int64_t i = 0; i < n; i++) rz += r[i] * z[i];
  return rz;
}

static int cholmod_apply(precond *M, const double *r, double *z, double *rz)
{
  cholmod_dense B;
  memset(&B, 0, sizeof B);
  B.nrow = B.d = B.nzmax = (size_t)M->n;
  B.ncol = 1;
  B.x = (void *)r; /* read only: CHOLMOD does not write B */
  B.xtype = CHOLMOD_REAL;
  B.dtype = CHOLMOD_DOUBLE;
  /* solve2 keeps X, Y, E between calls: allocation happens on the first apply only */
  if (!cholmod_l_solve2(CHOLMOD_A, M->L, &B, NULL, &M->X, NULL, &M->Y, &M->E, &M->cc)) return -1;
  memcpy(z, M->X->x, (size_t)M->n * sizeof *z);
  double acc = 0;
  for (int64_t i = 0; i < M->n; i++) acc += r[i] * z[i];
  *rz = acc;
  return 0;
}

int precond_apply(precond *M, const double *restrict r, double *restrict z, double *rz)
{
  int64_t n = M->n;
  double acc = 0;
  switch (M->type) {
  case PRECOND_JACOBI: {
    const double *restrict dinv = M->dinv;
#pragma omp parallel for simd schedule(static) reduction(+ : acc) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
      z[i] = dinv[i] * r[i];
      acc += r[i] * z[i];
    }
    *rz = acc;
    return 0;
  }
  case PRECOND_SSOR: *rz = ssor_apply(M, r, z); return 0;
  case PRECOND_IC0: *rz = ic0_apply(M, r, z); return 0;
  case PRECOND_CHOLMOD: return cholmod_apply(M, r, z, rz);
  case PRECOND_USER: {
    int code = M->fn(M->ctx, r, z);
    if (code) return code;
    for (int64_t i = 0; i < n; i++) acc += r[i] * z[i];
    *rz = acc;
    return 0;
  }
  default:
    memcpy(z, r, (size_t)n * sizeof *z);
    for (int64_t i = 0; i < n; i++) acc += r[i] * r[i];
    *rz = acc;
    return 0;
  }
}
