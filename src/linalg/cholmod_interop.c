/* src/linalg/cholmod_interop.c: lopt_matrix <-> cholmod_sparse, for CHOLMOD 3.x's 64-bit
 * `cholmod_l_*` interface.
 *
 * Both sides use the same stype convention (0 general, 1 upper triangle stored, -1 lower), so the
 * stype passes through unchanged and entries of the ignored triangle are copied as they are
 * (both libraries ignore them).
 *
 * To CHOLMOD (always packed, sorted, SuiteSparse_long indices, real):
 *   CSC    copy of ptr, idx, val;
 *   CSR    a CSR of A is a CSC of A^T, so the arrays are transposed (a counting sort by column,
 *          O(nnz + n), which leaves row indices sorted); done for symmetric stypes too, so that
 *          the stype can stay what the caller gave instead of flipping between upper and lower;
 *   dense  the entries that are not exactly zero, column by column.
 * From CHOLMOD: int or long indices, packed or unpacked (column j then holds nz[j] entries from
 * p[j]), sorted or not (lopt_matrix_create_csc with LOPT_COPY sorts); real double values only.
 * Nothing here prints; CHOLMOD itself may report through the caller's cc as configured there. */
#include <stdlib.h>
#include <string.h>

#include "libopt/cholmod.h"
#include "matrix_internal.h"

int lopt_matrix_to_cholmod(const lopt_matrix *m, cholmod_common *cc, cholmod_sparse **out, lopt_error *err)
{
  const char *fn = "lopt_matrix_to_cholmod";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (!m) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: matrix is NULL", fn);
  if (!cc) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: cholmod_common is NULL", fn);
  if (cc->itype != CHOLMOD_LONG || cc->dtype != CHOLMOD_DOUBLE)
    return lopt_error_set(err, LOPT_EINVAL, 0,
                          "%s: cholmod_common has itype %d and dtype %d; start it with cholmod_l_start "
                          "(itype CHOLMOD_LONG = %d, dtype CHOLMOD_DOUBLE = %d)",
                          fn, cc->itype, cc->dtype, CHOLMOD_LONG, CHOLMOD_DOUBLE);
  if (m->storage == LOPT_OPERATOR)
    return lopt_error_set(err, LOPT_EINVAL, 0,
                          "%s: a matrix-free operator has no entries to convert; only dense, CSR and CSC matrices",
                          fn);

  int64_t nnz = 0;
  if (m->storage == LOPT_DENSE) {
    for (int64_t j = 0; j < m->ncols; j++)
      for (int64_t i = 0; i < m->nrows; i++) nnz += m->data[i + j * m->ld] != 0.0;
  } else {
    nnz = m->ptr[m->storage == LOPT_CSR ? m->nrows : m->ncols];
  }
  int stype = m->storage == LOPT_DENSE ? 0 : (int)m->stype;
  cholmod_sparse *A = cholmod_l_allocate_sparse((size_t)m->nrows, (size_t)m->ncols, (size_t)nnz, 1, 1, stype,
                                                CHOLMOD_REAL, cc);
  if (!A)
    return lopt_error_set(err, cc->status == CHOLMOD_OUT_OF_MEMORY ? LOPT_ENOMEM : LOPT_ELINALG, 0,
                          "%s: cholmod_l_allocate_sparse failed for %lld x %lld with %lld entries (CHOLMOD status %d)",
                          fn, (long long)m->nrows, (long long)m->ncols, (long long)nnz, cc->status);
  SuiteSparse_long *Ap = A->p, *Ai = A->i;
  double *Ax = A->x;
  int64_t ncol = m->ncols;

  switch (m->storage) {
  case LOPT_DENSE: {
    SuiteSparse_long q = 0;
    for (int64_t j = 0; j < ncol; j++) {
      Ap[j] = q;
      for (int64_t i = 0; i < m->nrows; i++) {
        double v = m->data[i + j * m->ld];
        if (v != 0.0) Ai[q] = (SuiteSparse_long)i, Ax[q++] = v;
      }
    }
    Ap[ncol] = q;
    break;
  }
  case LOPT_CSC:
    for (int64_t j = 0; j <= ncol; j++) Ap[j] = (SuiteSparse_long)m->ptr[j];
    for (int64_t p = 0; p < nnz; p++) Ai[p] = (SuiteSparse_long)m->idx[p], Ax[p] = m->val[p];
    break;
  case LOPT_CSR:
    /* Counting sort by column without workspace: Ap[j] first counts column j, then (inclusive
     * prefix sum) holds the end of column j; filling rows last to first at --Ap[j] leaves Ap[j] at
     * the start of column j and the rows of each column in increasing order. */
    for (int64_t j = 0; j <= ncol; j++) Ap[j] = 0;
    for (int64_t p = 0; p < nnz; p++) Ap[m->idx[p]]++;
    for (int64_t j = 1; j < ncol; j++) Ap[j] += Ap[j - 1];
    for (int64_t i = m->nrows - 1; i >= 0; i--)
      for (int64_t p = m->ptr[i + 1] - 1; p >= m->ptr[i]; p--) {
        SuiteSparse_long q = --Ap[m->idx[p]];
        Ai[q] = (SuiteSparse_long)i;
        Ax[q] = m->val[p];
      }
    Ap[ncol] = (SuiteSparse_long)nnz;
    break;
  default: break; /* operators refused above */
  }
  *out = A;
  return LOPT_OK;
}

/* Entry k of a CHOLMOD integer array of the given itype. */
static inline int64_t index_at(const void *a, int itype, int64_t k)
{
  return itype == CHOLMOD_INT ? (int64_t)((const int *)a)[k] : (int64_t)((const SuiteSparse_long *)a)[k];
}

int lopt_matrix_from_cholmod(lopt_matrix **out, const cholmod_sparse *A, lopt_error *err)
{
  const char *fn = "lopt_matrix_from_cholmod";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (!A) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the cholmod_sparse is NULL", fn);
  if (A->xtype != CHOLMOD_REAL)
    return lopt_error_set(err, LOPT_EINVAL, 0,
                          "%s: xtype %d is not supported; only CHOLMOD_REAL (%d) (not pattern, complex or zomplex)",
                          fn, A->xtype, CHOLMOD_REAL);
  if (A->dtype != CHOLMOD_DOUBLE)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: dtype %d is not supported; only CHOLMOD_DOUBLE (%d)", fn, A->dtype,
                          CHOLMOD_DOUBLE);
  if (A->itype != CHOLMOD_INT && A->itype != CHOLMOD_LONG)
    return lopt_error_set(err, LOPT_EINVAL, 0,
                          "%s: itype %d is not supported; only CHOLMOD_INT (%d) or CHOLMOD_LONG (%d)", fn, A->itype,
                          CHOLMOD_INT, CHOLMOD_LONG);
  if (A->nrow > (size_t)INT64_MAX || A->ncol >= (size_t)INT64_MAX || A->nzmax > (size_t)INT64_MAX)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: dimensions %zu x %zu (nzmax %zu) do not fit in int64", fn,
                          A->nrow, A->ncol, A->nzmax);
  int64_t nrow = (int64_t)A->nrow, ncol = (int64_t)A->ncol, nzmax = (int64_t)A->nzmax;
  if (A->stype != 0 && nrow != ncol)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: stype %d (symmetric) needs a square matrix; got %lld x %lld", fn,
                          A->stype, (long long)nrow, (long long)ncol);
  if (!A->p) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: column pointer array p is NULL", fn);
  if (!A->packed && !A->nz)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the matrix is unpacked but its nz array is NULL", fn);

  /* Pass 1: where each column lives, checked against nzmax. */
  int64_t nnz = 0;
  for (int64_t j = 0; j < ncol; j++) {
    int64_t start = index_at(A->p, A->itype, j);
    int64_t len = A->packed ? index_at(A->p, A->itype, j + 1) - start : index_at(A->nz, A->itype, j);
    if (start < 0 || len < 0 || len > nzmax - start)
      return lopt_error_set(err, LOPT_EINVAL, 0,
                            "%s: column %lld claims entries %lld..%lld, outside the arrays' nzmax = %lld "
                            "(p%s is inconsistent)", fn, (long long)j, (long long)start, (long long)(start + len - 1),
                            (long long)nzmax, A->packed ? "" : " or nz");
    if (len > nzmax - nnz) /* only unpacked columns that overlap can get here */
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: the columns hold more than nzmax = %lld entries in total "
                            "(do unpacked columns overlap?)", fn, (long long)nzmax);
    nnz += len;
  }
  if (nnz > 0 && (!A->i || !A->x))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: row index array i or value array x is NULL", fn);

  int64_t *ptr = malloc((size_t)(ncol + 1) * sizeof(int64_t));
  int64_t *idx = malloc((size_t)(nnz ? nnz : 1) * sizeof(int64_t));
  double *val = malloc((size_t)(nnz ? nnz : 1) * sizeof(double));
  int rc = LOPT_OK;
  if (!ptr || !idx || !val) {
    rc = lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for %lld entries", fn, (long long)nnz);
    goto done;
  }
  /* Pass 2: gather the columns into packed arrays. */
  const double *Ax = A->x;
  int64_t q = 0;
  for (int64_t j = 0; j < ncol; j++) {
    int64_t start = index_at(A->p, A->itype, j);
    int64_t len = A->packed ? index_at(A->p, A->itype, j + 1) - start : index_at(A->nz, A->itype, j);
    ptr[j] = q;
    for (int64_t p = start; p < start + len; p++) {
      int64_t i = index_at(A->i, A->itype, p);
      if (i < 0 || i >= nrow) {
        rc = lopt_error_set(err, LOPT_EINVAL, 0, "%s: column %lld has row index %lld outside [0, %lld)", fn,
                            (long long)j, (long long)i, (long long)nrow);
        goto done;
      }
      idx[q] = i;
      val[q++] = Ax[p];
    }
  }
  ptr[ncol] = q;
  lopt_stype stype = A->stype > 0 ? LOPT_UPPER : A->stype < 0 ? LOPT_LOWER : LOPT_GENERAL;
  rc = lopt_matrix_create_csc(out, nrow, ncol, ptr, idx, val, stype, LOPT_COPY, err);
done:
  free(ptr);
  free(idx);
  free(val);
  return rc;
}
