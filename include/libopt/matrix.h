/* libopt/matrix.h: the matrix handle: dense, sparse (CSR/CSC) or a matrix-free operator.
 *
 * One opaque type, three storages. Sizes and indices are 64-bit. Dense storage is column-major
 * (LAPACK convention) with a leading dimension. Sparse storage is CSR or CSC with 0-based int64
 * indices; a symmetric matrix may store only one triangle (see lopt_stype).
 *
 * Ownership: LOPT_COPY makes the handle own a private copy of the arrays; LOPT_VIEW borrows
 * them (the caller keeps them alive and unchanged for the handle's lifetime). A matrix handle is
 * read-only after creation, so any number of solvers on any threads may use it at once. */
#ifndef LIBOPT_MATRIX_H
#define LIBOPT_MATRIX_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lopt_matrix lopt_matrix;

typedef enum lopt_storage {
  LOPT_DENSE = 1,
  LOPT_CSR = 2,
  LOPT_CSC = 3,
  LOPT_OPERATOR = 4
} lopt_storage;

/* Which part of a symmetric matrix is stored (CHOLMOD's stype convention). */
typedef enum lopt_stype {
  LOPT_GENERAL = 0, /* all entries stored; no symmetry assumed */
  LOPT_UPPER = 1,   /* symmetric; only entries with row <= col are stored (others ignored) */
  LOPT_LOWER = -1   /* symmetric; only entries with row >= col are stored (others ignored) */
} lopt_stype;

typedef enum lopt_ownership { LOPT_COPY = 0, LOPT_VIEW = 1 } lopt_ownership;

/* y = A x for a matrix-free operator; return 0 on success, non-zero if it cannot evaluate. */
typedef int (*lopt_apply_fn)(void *ctx, const double *x, double *y);

/* Column-major dense matrix; ld >= nrows. For LOPT_VIEW, `data` must stay valid. */
LOPT_API int lopt_matrix_create_dense(lopt_matrix **out, int64_t nrows, int64_t ncols,
                                      const double *data, int64_t ld, lopt_ownership own,
                                      lopt_error *err);

/* CSR (ptr has nrows+1 entries, idx are column indices) or CSC (ptr has ncols+1, idx are row
 * indices). Validated at creation: ptr[0] = 0, non-decreasing, indices in range, values finite.
 * Duplicates are refused; indices within a row (column) need not be sorted for LOPT_COPY (the
 * copy sorts them) but must be sorted for LOPT_VIEW. A symmetric stype requires a square matrix. */
LOPT_API int lopt_matrix_create_csr(lopt_matrix **out, int64_t nrows, int64_t ncols,
                                    const int64_t *ptr, const int64_t *idx, const double *val,
                                    lopt_stype stype, lopt_ownership own, lopt_error *err);
LOPT_API int lopt_matrix_create_csc(lopt_matrix **out, int64_t nrows, int64_t ncols,
                                    const int64_t *ptr, const int64_t *idx, const double *val,
                                    lopt_stype stype, lopt_ownership own, lopt_error *err);

/* Build a CSR matrix from coordinate triplets (0-based). Duplicates are summed (a sum that
 * overflows is refused). With a symmetric stype, triplets in the other triangle are kept in storage
 * but ignored by every operation, as for CSR/CSC input. */
LOPT_API int lopt_matrix_create_coo(lopt_matrix **out, int64_t nrows, int64_t ncols, int64_t nnz,
                                    const int64_t *rows, const int64_t *cols, const double *val,
                                    lopt_stype stype, lopt_error *err);

/* Matrix-free operator. `symmetric` declares that the operator is symmetric (not checked). */
LOPT_API int lopt_matrix_create_operator(lopt_matrix **out, int64_t nrows, int64_t ncols,
                                         lopt_apply_fn apply, void *ctx, int symmetric,
                                         lopt_error *err);

/* NULL-safe; sets *m to NULL. */
LOPT_API void lopt_matrix_destroy(lopt_matrix **m);

LOPT_API int64_t lopt_matrix_nrows(const lopt_matrix *m);
LOPT_API int64_t lopt_matrix_ncols(const lopt_matrix *m);
/* Stored entries (dense: nrows*ncols; operator: 0). */
LOPT_API int64_t lopt_matrix_nnz(const lopt_matrix *m);
LOPT_API lopt_storage lopt_matrix_storage(const lopt_matrix *m);
LOPT_API lopt_stype lopt_matrix_stype(const lopt_matrix *m);
/* Non-zero when the matrix is known symmetric (symmetric stype or declared operator). */
LOPT_API int lopt_matrix_is_symmetric(const lopt_matrix *m);

/* Borrowed views of the sparse arrays (CSR or CSC); fails with LOPT_EINVAL for other storages. */
LOPT_API int lopt_matrix_sparse_arrays(const lopt_matrix *m, const int64_t **ptr,
                                       const int64_t **idx, const double **val);
/* Borrowed view of dense data; fails with LOPT_EINVAL for other storages. */
LOPT_API int lopt_matrix_dense_data(const lopt_matrix *m, const double **data, int64_t *ld);

/* y = A x (y has nrows entries, x ncols; they must not overlap). For a symmetric stype the
 * missing triangle is implied. Returns LOPT_ECALLBACK if an operator's callback fails. */
LOPT_API int lopt_matrix_apply(const lopt_matrix *m, const double *x, double *y);

/* Copy of the diagonal (min(nrows, ncols) entries); not available for operators. */
LOPT_API int lopt_matrix_diagonal(const lopt_matrix *m, double *diag);

/* Matrix Market. Reading supports `matrix coordinate` with field real, integer or pattern
 * (pattern entries are 1.0) and symmetry general or symmetric (stored as LOPT_LOWER CSR), and
 * `matrix array` real general (dense). Errors name the line and what was expected.
 * Writing emits `coordinate real` (symmetric when the stype is symmetric, lower triangle) with
 * 17 significant digits, so a write/read round trip is exact. Dense matrices are written as
 * `array real general`. */
LOPT_API int lopt_matrix_read_mm(lopt_matrix **out, const char *path, lopt_error *err);
LOPT_API int lopt_matrix_write_mm(const lopt_matrix *m, const char *path, lopt_error *err);

#ifdef __cplusplus
}
#endif
#endif
