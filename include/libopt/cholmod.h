/* libopt/cholmod.h: interop between lopt_matrix and CHOLMOD (64-bit `cholmod_l_*` interface).
 * Separate from libopt.h so that users who do not use CHOLMOD need not have its headers. */
#ifndef LIBOPT_CHOLMOD_H
#define LIBOPT_CHOLMOD_H

#include <cholmod.h>
#include "matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new cholmod_sparse (CSC, SuiteSparse_long indices, real) with the same entries and stype, owned
 * by the caller (free with cholmod_l_free_sparse on the same `cc`, which must have been started
 * with cholmod_l_start). Dense matrices are converted keeping exact zeros out; operators fail. */
LOPT_API int lopt_matrix_to_cholmod(const lopt_matrix *m, cholmod_common *cc, cholmod_sparse **out,
                                    lopt_error *err);
/* A new lopt_matrix (CSC, LOPT_COPY) from a real cholmod_sparse with int or long indices. */
LOPT_API int lopt_matrix_from_cholmod(lopt_matrix **out, const cholmod_sparse *A, lopt_error *err);

#ifdef __cplusplus
}
#endif
#endif
