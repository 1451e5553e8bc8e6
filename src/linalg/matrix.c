/* src/linalg/matrix.c: the lopt_matrix handle: creation with validation, y = A x for every storage,
 * the diagonal, and the full-CSR form that iterative solvers stream. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "matrix_internal.h"

static const char *storage_name(lopt_storage s)
{
  switch (s) {
  case LOPT_DENSE: return "dense";
  case LOPT_CSR: return "CSR";
  case LOPT_CSC: return "CSC";
  default: return "operator";
  }
}

void lopt_matrix_destroy(lopt_matrix **mp)
{
  if (!mp || !*mp) return;
  lopt_matrix *m = *mp;
  if (m->owns) {
    free(m->data);
    free(m->ptr);
    free(m->idx);
    free(m->val);
  }
  free(m);
  *mp = NULL;
}

int64_t lopt_matrix_nrows(const lopt_matrix *m) { return m ? m->nrows : 0; }
int64_t lopt_matrix_ncols(const lopt_matrix *m) { return m ? m->ncols : 0; }
lopt_storage lopt_matrix_storage(const lopt_matrix *m) { return m ? m->storage : (lopt_storage)0; }
lopt_stype lopt_matrix_stype(const lopt_matrix *m) { return m ? m->stype : LOPT_GENERAL; }

int64_t lopt_matrix_nnz(const lopt_matrix *m)
{
  if (!m) return 0;
  switch (m->storage) {
  case LOPT_DENSE: return m->nrows * m->ncols;
  case LOPT_CSR: return m->ptr[m->nrows];
  case LOPT_CSC: return m->ptr[m->ncols];
  default: return 0;
  }
}

int lopt_matrix_is_symmetric(const lopt_matrix *m)
{
  if (!m) return 0;
  return m->stype != LOPT_GENERAL || (m->storage == LOPT_OPERATOR && m->symmetric);
}

int lopt_matrix_sparse_arrays(const lopt_matrix *m, const int64_t **ptr, const int64_t **idx, const double **val)
{
  if (!m || (m->storage != LOPT_CSR && m->storage != LOPT_CSC)) return LOPT_EINVAL;
  if (ptr) *ptr = m->ptr;
  if (idx) *idx = m->idx;
  if (val) *val = m->val;
  return LOPT_OK;
}

int lopt_matrix_dense_data(const lopt_matrix *m, const double **data, int64_t *ld)
{
  if (!m || m->storage != LOPT_DENSE) return LOPT_EINVAL;
  if (data) *data = m->data;
  if (ld) *ld = m->ld;
  return LOPT_OK;
}

/* ---- creation ------------------------------------------------------------------------------ */

static int check_dims(const char *fn, int64_t nrows, int64_t ncols, lopt_stype stype, lopt_error *err)
{
  if (nrows < 0 || ncols < 0)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: dimensions %lld x %lld must not be negative", fn,
                          (long long)nrows, (long long)ncols);
  if (stype != LOPT_GENERAL && stype != LOPT_UPPER && stype != LOPT_LOWER)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: stype %d is not LOPT_GENERAL, LOPT_UPPER or LOPT_LOWER", fn,
                          (int)stype);
  if (stype != LOPT_GENERAL && nrows != ncols)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: a symmetric stype needs a square matrix; got %lld x %lld", fn,
                          (long long)nrows, (long long)ncols);
  return LOPT_OK;
}

static lopt_matrix *new_matrix(lopt_storage storage, int64_t nrows, int64_t ncols, lopt_stype stype)
{
  lopt_matrix *m = calloc(1, sizeof *m);
  if (m) {
    m->storage = storage;
    m->nrows = nrows;
    m->ncols = ncols;
    m->stype = stype;
  }
  return m;
}

int lopt_matrix_create_dense(lopt_matrix **out, int64_t nrows, int64_t ncols, const double *data, int64_t ld,
                             lopt_ownership own, lopt_error *err)
{
  const char *fn = "lopt_matrix_create_dense";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  int rc = check_dims(fn, nrows, ncols, LOPT_GENERAL, err);
  if (rc) return rc;
  if (nrows > 0 && ncols > INT64_MAX / 8 / nrows)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: %lld x %lld doubles overflow the address space", fn,
                          (long long)nrows, (long long)ncols);
  if (nrows > INT32_MAX || ncols > INT32_MAX || ld > INT32_MAX)
    return lopt_error_set(err, LOPT_EUNSUPPORTED, 0, "%s: dense dimensions above 2^31-1 exceed BLAS int indexing", fn);
  if (!data && nrows * ncols > 0) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: data is NULL", fn);
  if (ld < (nrows > 1 ? nrows : 1))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: leading dimension %lld is less than nrows %lld", fn,
                          (long long)ld, (long long)nrows);
  if (own != LOPT_COPY && own != LOPT_VIEW)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: ownership %d is not LOPT_COPY or LOPT_VIEW", fn, (int)own);
  for (int64_t j = 0; j < ncols; j++)
    for (int64_t i = 0; i < nrows; i++)
      if (!isfinite(data[i + j * ld]))
        return lopt_error_set(err, LOPT_EINVAL, 0, "%s: entry (%lld, %lld) is %g; entries must be finite", fn,
                              (long long)i, (long long)j, data[i + j * ld]);
  lopt_matrix *m = new_matrix(LOPT_DENSE, nrows, ncols, LOPT_GENERAL);
  if (!m) return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the handle", fn);
  if (own == LOPT_VIEW) {
    m->data = (double *)data;
    m->ld = ld;
  } else {
    size_t count = (size_t)(nrows * ncols);
    m->data = malloc((count ? count : 1) * sizeof(double));
    if (!m->data) {
      free(m);
      return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for %lld x %lld doubles", fn, (long long)nrows,
                            (long long)ncols);
    }
    if (count > 0)
      for (int64_t j = 0; j < ncols; j++) memcpy(m->data + j * nrows, data + j * ld, (size_t)nrows * sizeof(double));
    m->ld = nrows > 1 ? nrows : 1;
    m->owns = 1;
  }
  *out = m;
  return LOPT_OK;
}

static int cmp_entry(const void *a, const void *b)
{
  const int64_t *x = a, *y = b;
  return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Shared by CSR and CSC: `nouter` pointers over the compressed dimension, indices < `ninner`. */
static int create_compressed(lopt_matrix **out, lopt_storage storage, int64_t nrows, int64_t ncols,
                             const int64_t *ptr, const int64_t *idx, const double *val, lopt_stype stype,
                             lopt_ownership own, lopt_error *err)
{
  const char *fn = storage == LOPT_CSR ? "lopt_matrix_create_csr" : "lopt_matrix_create_csc";
  const char *outer = storage == LOPT_CSR ? "row" : "column", *inner = storage == LOPT_CSR ? "column" : "row";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  int rc = check_dims(fn, nrows, ncols, stype, err);
  if (rc) return rc;
  if (own != LOPT_COPY && own != LOPT_VIEW)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: ownership %d is not LOPT_COPY or LOPT_VIEW", fn, (int)own);
  int64_t nouter = storage == LOPT_CSR ? nrows : ncols, ninner = storage == LOPT_CSR ? ncols : nrows;
  if (!ptr) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: pointer array is NULL", fn);
  if (ptr[0] != 0) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: ptr[0] is %lld; it must be 0", fn, (long long)ptr[0]);
  for (int64_t k = 0; k < nouter; k++)
    if (ptr[k + 1] < ptr[k])
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: ptr decreases at %s %lld (%lld then %lld)", fn, outer,
                            (long long)k, (long long)ptr[k], (long long)ptr[k + 1]);
  int64_t nnz = ptr[nouter];
  if (nnz > 0 && (!idx || !val)) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: index or value array is NULL", fn);
  for (int64_t k = 0; k < nouter; k++)
    for (int64_t p = ptr[k]; p < ptr[k + 1]; p++) {
      if (idx[p] < 0 || idx[p] >= ninner)
        return lopt_error_set(err, LOPT_EINVAL, 0, "%s: %s %lld has %s index %lld outside [0, %lld)", fn, outer,
                              (long long)k, inner, (long long)idx[p], (long long)ninner);
      if (!isfinite(val[p]))
        return lopt_error_set(err, LOPT_EINVAL, 0, "%s: entry (%lld, %lld) is %g; entries must be finite", fn,
                              (long long)(storage == LOPT_CSR ? k : idx[p]),
                              (long long)(storage == LOPT_CSR ? idx[p] : k), val[p]);
      if (own == LOPT_VIEW && p > ptr[k] && idx[p] <= idx[p - 1])
        return lopt_error_set(err, LOPT_EINVAL, 0,
                              "%s: %s %lld has %s indices unsorted or repeated (%lld after %lld); a view needs "
                              "sorted, unique indices (LOPT_COPY sorts)",
                              fn, outer, (long long)k, inner, (long long)idx[p], (long long)idx[p - 1]);
    }
  lopt_matrix *m = new_matrix(storage, nrows, ncols, stype);
  if (!m) return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the handle", fn);
  if (own == LOPT_VIEW) {
    m->ptr = (int64_t *)ptr, m->idx = (int64_t *)idx, m->val = (double *)val;
    *out = m;
    return LOPT_OK;
  }
  m->owns = 1;
  m->ptr = malloc((size_t)(nouter + 1) * sizeof(int64_t));
  m->idx = malloc((size_t)(nnz ? nnz : 1) * sizeof(int64_t));
  m->val = malloc((size_t)(nnz ? nnz : 1) * sizeof(double));
  int64_t *pairs = NULL;
  if (!m->ptr || !m->idx || !m->val) goto no_memory;
  memcpy(m->ptr, ptr, (size_t)(nouter + 1) * sizeof(int64_t));
  /* Sort each row (column) by index: (index, position) pairs, then gather. */
  int64_t longest = 0;
  for (int64_t k = 0; k < nouter; k++)
    if (ptr[k + 1] - ptr[k] > longest) longest = ptr[k + 1] - ptr[k];
  pairs = malloc((size_t)(longest ? longest : 1) * 2 * sizeof(int64_t));
  if (!pairs) goto no_memory;
  for (int64_t k = 0; k < nouter; k++) {
    int64_t len = ptr[k + 1] - ptr[k];
    for (int64_t q = 0; q < len; q++) pairs[2 * q] = idx[ptr[k] + q], pairs[2 * q + 1] = ptr[k] + q;
    qsort(pairs, (size_t)len, 2 * sizeof(int64_t), cmp_entry);
    for (int64_t q = 0; q < len; q++) {
      if (q > 0 && pairs[2 * q] == pairs[2 * q - 2]) {
        int64_t i = storage == LOPT_CSR ? k : pairs[2 * q], j = storage == LOPT_CSR ? pairs[2 * q] : k;
        free(pairs);
        lopt_matrix_destroy(&m);
        return lopt_error_set(err, LOPT_EINVAL, 0, "%s: entry (%lld, %lld) is given twice", fn, (long long)i,
                              (long long)j);
      }
      m->idx[ptr[k] + q] = pairs[2 * q];
      m->val[ptr[k] + q] = val[pairs[2 * q + 1]];
    }
  }
  free(pairs);
  *out = m;
  return LOPT_OK;
no_memory:
  free(pairs);
  lopt_matrix_destroy(&m);
  return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for %lld entries", fn, (long long)nnz);
}

int lopt_matrix_create_csr(lopt_matrix **out, int64_t nrows, int64_t ncols, const int64_t *ptr, const int64_t *idx,
                           const double *val, lopt_stype stype, lopt_ownership own, lopt_error *err)
{
  return create_compressed(out, LOPT_CSR, nrows, ncols, ptr, idx, val, stype, own, err);
}

int lopt_matrix_create_csc(lopt_matrix **out, int64_t nrows, int64_t ncols, const int64_t *ptr, const int64_t *idx,
                           const double *val, lopt_stype stype, lopt_ownership own, lopt_error *err)
{
  return create_compressed(out, LOPT_CSC, nrows, ncols, ptr, idx, val, stype, own, err);
}

int lopt_matrix_create_coo(lopt_matrix **out, int64_t nrows, int64_t ncols, int64_t nnz, const int64_t *rows,
                           const int64_t *cols, const double *val, lopt_stype stype, lopt_error *err)
{
  const char *fn = "lopt_matrix_create_coo";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  int rc = check_dims(fn, nrows, ncols, stype, err);
  if (rc) return rc;
  if (nnz < 0) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: nnz %lld is negative", fn, (long long)nnz);
  if (nnz > 0 && (!rows || !cols || !val))
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: row, column or value array is NULL", fn);
  for (int64_t k = 0; k < nnz; k++) {
    if (rows[k] < 0 || rows[k] >= nrows || cols[k] < 0 || cols[k] >= ncols)
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: triplet %lld is (%lld, %lld), outside %lld x %lld", fn,
                            (long long)k, (long long)rows[k], (long long)cols[k], (long long)nrows, (long long)ncols);
    if (!isfinite(val[k]))
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: triplet %lld has value %g; entries must be finite", fn,
                            (long long)k, val[k]);
  }
  /* Counting sort by row, then sort each row and sum duplicates in place. */
  lopt_matrix *m = new_matrix(LOPT_CSR, nrows, ncols, stype);
  int64_t *next = NULL;
  if (!m) goto no_memory;
  m->owns = 1;
  m->ptr = calloc((size_t)nrows + 1, sizeof(int64_t));
  m->idx = malloc((size_t)(nnz ? nnz : 1) * sizeof(int64_t));
  m->val = malloc((size_t)(nnz ? nnz : 1) * sizeof(double));
  next = malloc((size_t)(nrows ? nrows : 1) * sizeof(int64_t));
  if (!m->ptr || !m->idx || !m->val || !next) goto no_memory;
  for (int64_t k = 0; k < nnz; k++) m->ptr[rows[k] + 1]++;
  for (int64_t i = 0; i < nrows; i++) m->ptr[i + 1] += m->ptr[i];
  for (int64_t i = 0; i < nrows; i++) next[i] = m->ptr[i];
  for (int64_t k = 0; k < nnz; k++) {
    int64_t p = next[rows[k]]++;
    m->idx[p] = cols[k];
    m->val[p] = val[k];
  }
  free(next);
  next = NULL;
  int64_t longest = 0;
  for (int64_t i = 0; i < nrows; i++)
    if (m->ptr[i + 1] - m->ptr[i] > longest) longest = m->ptr[i + 1] - m->ptr[i];
  double *pair = malloc((size_t)(longest ? longest : 1) * 2 * sizeof(double));
  if (!pair) goto no_memory;
  int64_t w = 0;
  for (int64_t i = 0; i < nrows; i++) {
    int64_t b = m->ptr[i], len = m->ptr[i + 1] - b;
    /* Sort (col, val) pairs; columns are exact in a double below 2^53. */
    for (int64_t q = 0; q < len; q++) pair[2 * q] = (double)m->idx[b + q], pair[2 * q + 1] = m->val[b + q];
    qsort(pair, (size_t)len, 2 * sizeof(double), lopt_cmp_double);
    m->ptr[i] = w;
    for (int64_t q = 0; q < len; q++) {
      int64_t c = (int64_t)pair[2 * q];
      if (w > m->ptr[i] && m->idx[w - 1] == c) m->val[w - 1] += pair[2 * q + 1];
      else m->idx[w] = c, m->val[w++] = pair[2 * q + 1];
    }
  }
  m->ptr[nrows] = w;
  free(pair);
  for (int64_t p = 0; p < w; p++)
    if (!isfinite(m->val[p])) { /* summed duplicates can overflow */
      int64_t i = 0;
      while (m->ptr[i + 1] <= p) i++;
      int64_t j = m->idx[p];
      lopt_matrix_destroy(&m);
      return lopt_error_set(err, LOPT_EINVAL, 0, "%s: duplicates at (%lld, %lld) sum to a non-finite value", fn,
                            (long long)i, (long long)j);
    }
  *out = m;
  return LOPT_OK;
no_memory:
  free(next);
  lopt_matrix_destroy(&m);
  return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for %lld triplets", fn, (long long)nnz);
}

int lopt_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int lopt_matrix_create_operator(lopt_matrix **out, int64_t nrows, int64_t ncols, lopt_apply_fn apply, void *ctx,
                                int symmetric, lopt_error *err)
{
  const char *fn = "lopt_matrix_create_operator";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  int rc = check_dims(fn, nrows, ncols, LOPT_GENERAL, err);
  if (rc) return rc;
  if (!apply) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: apply callback is NULL", fn);
  if (symmetric && nrows != ncols)
    return lopt_error_set(err, LOPT_EINVAL, 0, "%s: a symmetric operator must be square; got %lld x %lld", fn,
                          (long long)nrows, (long long)ncols);
  lopt_matrix *m = new_matrix(LOPT_OPERATOR, nrows, ncols, LOPT_GENERAL);
  if (!m) return lopt_error_set(err, LOPT_ENOMEM, 0, "%s: no memory for the handle", fn);
  m->apply = apply;
  m->ctx = ctx;
  m->symmetric = symmetric != 0;
  *out = m;
  return LOPT_OK;
}

/* ---- y = A x ------------------------------------------------------------------------------- */

/* Does stored entry (i, j) count, and does its mirror (j, i) count too? */
static inline int keep_entry(lopt_stype st, int64_t i, int64_t j)
{
  return st == LOPT_GENERAL || (st == LOPT_LOWER ? i >= j : i <= j);
}

int lopt_matrix_apply(const lopt_matrix *m, const double *x, double *y)
{
  if (!m || !x || !y) return LOPT_EINVAL;
  int64_t nr = m->nrows, nc = m->ncols;
  switch (m->storage) {
  case LOPT_DENSE:
    if (nr && nc) cblas_dgemv(CblasColMajor, CblasNoTrans, (int)nr, (int)nc, 1.0, m->data, (int)m->ld, x, 1, 0.0, y, 1);
    else memset(y, 0, (size_t)nr * sizeof *y);
    return LOPT_OK;
  case LOPT_CSR:
    for (int64_t i = 0; i < nr; i++) y[i] = 0;
    for (int64_t i = 0; i < nr; i++) {
      double acc = 0;
      for (int64_t p = m->ptr[i]; p < m->ptr[i + 1]; p++) {
        int64_t j = m->idx[p];
        if (!keep_entry(m->stype, i, j)) continue;
        acc += m->val[p] * x[j];
        if (m->stype != LOPT_GENERAL && i != j) y[j] += m->val[p] * x[i];
      }
      y[i] += acc;
    }
    return LOPT_OK;
  case LOPT_CSC:
    for (int64_t i = 0; i < nr; i++) y[i] = 0;
    for (int64_t j = 0; j < nc; j++) {
      double acc = 0;
      for (int64_t p = m->ptr[j]; p < m->ptr[j + 1]; p++) {
        int64_t i = m->idx[p];
        if (!keep_entry(m->stype, i, j)) continue;
        y[i] += m->val[p] * x[j];
        if (m->stype != LOPT_GENERAL && i != j) acc += m->val[p] * x[i];
      }
      if (m->stype != LOPT_GENERAL) y[j] += acc; /* only square matrices have the mirrored part */
    }
    return LOPT_OK;
  case LOPT_OPERATOR:
    return m->apply(m->ctx, x, y) ? LOPT_ECALLBACK : LOPT_OK;
  }
  return LOPT_EINVAL;
}

int lopt_matrix_diagonal(const lopt_matrix *m, double *d)
{
  if (!m || !d || m->storage == LOPT_OPERATOR) return LOPT_EINVAL;
  int64_t k = m->nrows < m->ncols ? m->nrows : m->ncols;
  for (int64_t i = 0; i < k; i++) d[i] = 0;
  if (m->storage == LOPT_DENSE) {
    for (int64_t i = 0; i < k; i++) d[i] = m->data[i + i * m->ld];
    return LOPT_OK;
  }
  int64_t nouter = m->storage == LOPT_CSR ? m->nrows : m->ncols;
  for (int64_t o = 0; o < nouter && o < k; o++)
    for (int64_t p = m->ptr[o]; p < m->ptr[o + 1]; p++)
      if (m->idx[p] == o) d[o] = m->val[p];
  return LOPT_OK;
}

/* ---- the full CSR the iterative solvers stream --------------------------------------------- */

void lopt_csr_free(lopt_solver *s, lopt_csr *c)
{
  lopt_free(s, c->ptr);
  lopt_free(s, c->col32);
  lopt_free(s, c->col64);
  lopt_free(s, c->val);
  memset(c, 0, sizeof *c);
}

/* Visit every logical entry (i, j, v) of A, expanding a stored triangle to both. Two passes use it:
 * counting per row, then filling. */
typedef void (*entry_fn)(void *ctx, int64_t i, int64_t j, double v);

static void for_each_entry(const lopt_matrix *A, entry_fn f, void *ctx)
{
  if (A->storage == LOPT_DENSE) {
    for (int64_t j = 0; j < A->ncols; j++)
      for (int64_t i = 0; i < A->nrows; i++) {
        double v = A->data[i + j * A->ld];
        if (v != 0.0) f(ctx, i, j, v);
      }
    return;
  }
  int csr = A->storage == LOPT_CSR;
  int64_t nouter = csr ? A->nrows : A->ncols;
  for (int64_t o = 0; o < nouter; o++)
    for (int64_t p = A->ptr[o]; p < A->ptr[o + 1]; p++) {
      int64_t i = csr ? o : A->idx[p], j = csr ? A->idx[p] : o;
      if (!keep_entry(A->stype, i, j)) continue;
      f(ctx, i, j, A->val[p]);
      if (A->stype != LOPT_GENERAL && i != j) f(ctx, j, i, A->val[p]);
    }
}

typedef struct fill_ctx {
  lopt_csr *c;
  int64_t *next;
} fill_ctx;

static void count_entry(void *ctx, int64_t i, int64_t j, double v)
{
  (void)j, (void)v;
  ((fill_ctx *)ctx)->c->ptr[i + 1]++;
}

static void put_entry(void *ctx, int64_t i, int64_t j, double v)
{
  fill_ctx *f = ctx;
  int64_t p = f->next[i]++;
  if (f->c->col32) f->c->col32[p] = (int32_t)j;
  else f->c->col64[p] = j;
  f->c->val[p] = v;
}

int lopt_csr_from_matrix(lopt_solver *s, const lopt_matrix *A, lopt_csr *c)
{
  memset(c, 0, sizeof *c);
  c->n = A->nrows;
  c->ncols = A->ncols;
  c->ptr = lopt_calloc(s, (size_t)A->nrows + 1, sizeof(int64_t));
  if (!c->ptr) return LOPT_ENOMEM;
  fill_ctx f = {c, NULL};
  for_each_entry(A, count_entry, &f);
  for (int64_t i = 0; i < A->nrows; i++) c->ptr[i + 1] += c->ptr[i];
  c->nnz = c->ptr[A->nrows];
  size_t nnz = (size_t)(c->nnz ? c->nnz : 1);
  if (A->ncols <= INT32_MAX) c->col32 = lopt_alloc(s, nnz * sizeof(int32_t));
  else c->col64 = lopt_alloc(s, nnz * sizeof(int64_t));
  c->val = lopt_alloc(s, nnz * sizeof(double));
  f.next = lopt_alloc(s, (size_t)(A->nrows ? A->nrows : 1) * sizeof(int64_t));
  if ((!c->col32 && !c->col64) || !c->val || !f.next) {
    lopt_free(s, f.next);
    lopt_csr_free(s, c);
    return LOPT_ENOMEM;
  }
  memcpy(f.next, c->ptr, (size_t)A->nrows * sizeof(int64_t));
  for_each_entry(A, put_entry, &f);
  lopt_free(s, f.next);
  /* Dense and CSC sources fill rows in column order already; CSR sources with a stored triangle
   * may interleave mirrored entries, so sort rows that are out of order (insertion: rows are short). */
  for (int64_t i = 0; i < c->n; i++)
    for (int64_t p = c->ptr[i] + 1; p < c->ptr[i + 1]; p++) {
      int64_t q = p;
      while (q > c->ptr[i]) {
        int64_t a = c->col32 ? c->col32[q - 1] : c->col64[q - 1], b = c->col32 ? c->col32[q] : c->col64[q];
        if (a <= b) break;
        if (c->col32) {
          int32_t t = c->col32[q];
          c->col32[q] = c->col32[q - 1], c->col32[q - 1] = t;
        } else {
          int64_t t = c->col64[q];
          c->col64[q] = c->col64[q - 1], c->col64[q - 1] = t;
        }
        double t = c->val[q];
        c->val[q] = c->val[q - 1], c->val[q - 1] = t;
        q--;
      }
    }
  return LOPT_OK;
}

/* One pass over the matrix: y = A x and x'y together (CG needs p'Ap right after Ap). */
#define CSR_KERNEL(COL)                                                                                          \
  _Pragma("omp parallel for schedule(static) reduction(+ : dot) if (c->n >= LOPT_PAR_MIN)")                       \
  for (int64_t i = 0; i < c->n; i++) {                                                                           \
    double acc = 0;                                                                                              \
    for (int64_t p = ptr[i]; p < ptr[i + 1]; p++) acc += val[p] * x[COL[p]];                                     \
    y[i] = acc;                                                                                                  \
    dot += acc * x[i];                                                                                           \
  }

double lopt_csr_apply_dot(const lopt_csr *c, const double *restrict x, double *restrict y)
{
  const int64_t *restrict ptr = c->ptr;
  const double *restrict val = c->val;
  double dot = 0;
  if (c->col32) {
    const int32_t *restrict col = c->col32;
    CSR_KERNEL(col)
  } else {
    const int64_t *restrict col = c->col64;
    CSR_KERNEL(col)
  }
  return dot;
}

void lopt_csr_apply(const lopt_csr *c, const double *x, double *y)
{
  (void)lopt_csr_apply_dot(c, x, y);
}

double lopt_csr_asymmetry(const lopt_csr *c, int64_t *bad_i, int64_t *bad_j)
{
  /* For each stored (i, j), find (j, i) by binary search in row j (rows are sorted). */
  *bad_i = *bad_j = -1;
  double amax = 0, worst = 0;
  for (int64_t p = 0; p < c->nnz; p++) amax = fmax(amax, fabs(c->val[p]));
  if (amax == 0) return 0;
  for (int64_t i = 0; i < c->n; i++)
    for (int64_t p = c->ptr[i]; p < c->ptr[i + 1]; p++) {
      int64_t j = c->col32 ? c->col32[p] : c->col64[p];
      if (j >= c->n) return INFINITY;
      int64_t lo = c->ptr[j], hi = c->ptr[j + 1] - 1;
      double mirror = 0;
      while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2, col = c->col32 ? c->col32[mid] : c->col64[mid];
        if (col == i) {
          mirror = c->val[mid];
          break;
        }
        if (col < i) lo = mid + 1;
        else hi = mid - 1;
      }
      double d = fabs(c->val[p] - mirror) / amax;
      if (d > worst) worst = d, *bad_i = i, *bad_j = j;
    }
  return worst;
}

const char *lopt_storage_name(lopt_storage st) { return storage_name(st); }
