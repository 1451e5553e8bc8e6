/* src/linear/linop.c: products with A for the linear family (see linop.h). */
#include <math.h>
#include <string.h>

#include "linop.h"

int linop_init(lopt_solver *s, linop *L, const lopt_matrix *A, int csr_wanted, int check_symmetry)
{
  memset(L, 0, sizeof *L);
  L->A = A;
  const char *k = s->vt->name;
  if (A->storage == LOPT_OPERATOR) {
    if (!A->symmetric)
      return lopt_fail(s, LOPT_EINVAL, "%s: the operator A is not declared symmetric; this method needs SPD A "
                       "(pass symmetric = 1 to lopt_matrix_create_operator if it is)", k);
    return LOPT_OK;
  }
  int need = csr_wanted || A->storage != LOPT_DENSE || (A->stype == LOPT_GENERAL && check_symmetry);
  if (!need) return LOPT_OK;
  if (lopt_csr_from_matrix(s, A, &L->csr))
    return lopt_fail(s, LOPT_ENOMEM, "%s: no memory to assemble A (%lld x %lld, %lld entries)", k,
                     (long long)A->nrows, (long long)A->ncols, (long long)lopt_matrix_nnz(A));
  if (A->stype == LOPT_GENERAL && check_symmetry) {
    int64_t bi, bj;
    double asym = lopt_csr_asymmetry(&L->csr, &bi, &bj);
    if (asym > 1e-12)
      return lopt_fail(s, LOPT_EINVAL, "%s: A is stored as general and is not symmetric: entry (%lld, %lld) differs "
                       "from its mirror by %.3g of max|a_ij|; this method needs SPD A (check_symmetry = false "
                       "skips this test)", k, (long long)bi, (long long)bj, asym);
  }
  /* Dense A multiplies faster through BLAS gemv than through a CSR of all its entries. */
  L->use_csr = A->storage != LOPT_DENSE;
  return LOPT_OK;
}

void linop_free(lopt_solver *s, linop *L)
{
  lopt_csr_free(s, &L->csr);
}

double linop_apply_dot(linop *L, const double *x, double *y, int64_t n)
{
  L->matvecs++;
  if (L->use_csr) return lopt_csr_apply_dot(&L->csr, x, y);
  if (L->A->storage == LOPT_OPERATOR) { /* call it directly to keep the user's own code */
    int code = L->A->apply(L->A->ctx, x, y);
    if (code) {
      L->callback_code = code;
      return NAN;
    }
  } else {
    lopt_matrix_apply(L->A, x, y);
  }
  return lopt_dot(x, y, n);
}

double lopt_dot(const double *restrict a, const double *restrict b, int64_t n)
{
  double acc = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : acc) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) acc += a[i] * b[i];
  return acc;
}

double lopt_norm2(const double *v, int64_t n)
{
  return sqrt(lopt_dot(v, v, n));
}
