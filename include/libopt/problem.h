/* libopt/problem.h: the problem handle says *what* to solve.
 *
 * A problem is built by shape. Each shape has its own constructor; solvers check at setup that
 * the problem has the shape and the pieces their kind needs, and say what is missing.
 *
 * Ownership: a problem borrows the matrices and callback contexts given to it (they must outlive
 * the problem and every solver set up on it) and copies vectors. A problem is read-only once built,
 * so several solvers on several threads may share it. */
#ifndef LIBOPT_PROBLEM_H
#define LIBOPT_PROBLEM_H

#include "core.h"
#include "matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lopt_problem lopt_problem;

typedef enum lopt_problem_type {
  LOPT_PROBLEM_LINEAR = 1, /* solve A x = b */
  LOPT_PROBLEM_SMOOTH = 2,    /* minimize a smooth f(x), optionally within bounds */
  LOPT_PROBLEM_STOCHASTIC = 3, /* minimize (1/N) sum_i f_i(x) from mini-batches */
  LOPT_PROBLEM_OT = 4,         /* entropic optimal transport between two discrete measures */
  LOPT_PROBLEM_COMPOSITE = 5   /* minimize f(x) + g(x): structured smooth f, separable g */
} lopt_problem_type;

/* f(x) and, when g is not NULL, its gradient into g (n entries). Return 0 on success, non-zero
 * when f cannot be evaluated at x (the solver then stops with LOPT_STOP_CALLBACK and reports the
 * code). A solver may call with g = NULL when it needs only the value. */
typedef int (*lopt_fg_fn)(void *ctx, int64_t n, const double *x, double *f, double *g);
/* hv = Hessian of f at x times v. Same return convention. */
typedef int (*lopt_hvp_fn)(void *ctx, int64_t n, const double *x, const double *v, double *hv);

/* Linear system A x = b. A is borrowed; b (nrows(A) entries) is copied. */
LOPT_API int lopt_problem_create_linear(lopt_problem **out, const lopt_matrix *A, const double *b,
                                        lopt_error *err);

/* Smooth minimization of f over R^n (n >= 1). `ctx` is borrowed and passed to every callback. */
LOPT_API int lopt_problem_create_smooth(lopt_problem **out, int64_t n, lopt_fg_fn fg, void *ctx, lopt_error *err);
/* Optional Hessian-vector product for a smooth problem (context: the problem's ctx). Without it,
 * kinds that need H v use a forward difference of two gradients, (g(x + h v) - g(x)) / h with
 * h = sqrt(eps) (1 + ||x||) / ||v||, accurate to about sqrt(eps) relative. */
LOPT_API int lopt_problem_set_hvp(lopt_problem *p, lopt_hvp_fn hvp);
/* Optional simple bounds lower <= x <= upper (copied; either may be NULL for no bound on that side;
 * entries may be -INFINITY / +INFINITY). lower[i] <= upper[i] is checked. */
LOPT_API int lopt_problem_set_bounds(lopt_problem *p, const double *lower, const double *upper, lopt_error *err);

/* Gradient check: compares the callback's gradient at x with central differences, component by
 * component, relative error |g_i - d_i| / max(|g_i|, |d_i|, 1e-8 * max_j |d_j|, tiny). */
typedef struct lopt_gradient_check {
  double max_rel_error; /* the worst component's relative error */
  int64_t worst_index;  /* where it occurs */
  double analytic;      /* g_worst from the callback */
  double numeric;       /* central difference at worst_index */
  int64_t evaluations;  /* calls made (1 + 2 n) */
} lopt_gradient_check;
LOPT_API int lopt_problem_check_gradient(const lopt_problem *p, const double *x, lopt_gradient_check *report,
                                         lopt_error *err);

/* Mini-batch oracle of a finite sum f(x) = (1/N) sum_i f_i(x): the mean loss over the `batch`
 * sample indices in idx and its gradient g (n entries). Same return convention as lopt_fg_fn. */
typedef int (*lopt_batch_fn)(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch,
                             double *loss, double *g);
/* Mini-batch Hessian-vector product hv = (1/batch) sum_{i in idx} H_i(x) v. */
typedef int (*lopt_batch_hvp_fn)(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch,
                                 const double *v, double *hv);

/* Stochastic finite-sum problem with n parameters and N samples (indices 0..N-1). */
LOPT_API int lopt_problem_create_stochastic(lopt_problem **out, int64_t n, int64_t n_samples, lopt_batch_fn fn,
                                            void *ctx, lopt_error *err);
/* Optional mini-batch HVP (Sophia-H, AdaHessian); without it a forward difference of two
 * mini-batch gradients is used (same step rule as lopt_problem_set_hvp documents). */
LOPT_API int lopt_problem_set_batch_hvp(lopt_problem *p, lopt_batch_hvp_fn hvp);
/* Optional Gauss-Newton-Bartlett oracle for Sophia-G: the mini-batch gradient of the loss on labels
 * sampled from the model's own predictive distribution (it may use the loss argument as scratch). */
LOPT_API int lopt_problem_set_batch_gnb(lopt_problem *p, lopt_batch_fn gnb);

/* ---- optimal transport ----------------------------------------------------------------------- */

/* Entropic OT:  min_P <C, P> + eps sum_ij P_ij (log P_ij - 1)  s.t.  P 1 = a, P' 1 = b,
 * a (n) and b (m) positive, each summing to 1 (checked to 1e-9 relative; copied), C a dense
 * n x m cost matrix (borrowed; finite, non-negative), eps > 0 (eta = 1 / eps in the SNS paper). */
LOPT_API int lopt_problem_create_ot(lopt_problem **out, const double *a, const double *b, const lopt_matrix *C,
                                    double eps, lopt_error *err);
/* The same with the cost given row by row on demand, for problems whose C does not fit in memory:
 * row(ctx, i, c) fills c[j] = C_ij for j < m. Return non-zero when it cannot. */
typedef int (*lopt_cost_row_fn)(void *ctx, int64_t i, double *row);
LOPT_API int lopt_problem_create_ot_rows(lopt_problem **out, int64_t n, int64_t m, const double *a, const double *b,
                                         lopt_cost_row_fn row, void *ctx, double eps, lopt_error *err);

/* Ground costs between point clouds, for lopt_matrix_create_cost. */
typedef enum lopt_cost {
  LOPT_COST_SQEUCLIDEAN = 1, /* C_ij = ||x_i - y_j||_2^2, assembled with one BLAS gemm */
  LOPT_COST_LP = 2           /* C_ij = sum_k |x_ik - y_jk|^p (p >= 1; p = 1: Manhattan) */
} lopt_cost;
/* A new dense n x m cost matrix (owned by the caller) between points X (n x d, row-major: point i
 * is X[i*d .. i*d+d-1]) and Y (m x d). With `normalize`, C is divided by its largest entry. */
LOPT_API int lopt_matrix_create_cost(lopt_matrix **out, int64_t n, int64_t m, int64_t d, const double *X,
                                     const double *Y, lopt_cost cost, double p, int normalize, lopt_error *err);

/* ---- composite f + g (block coordinate descent) ------------------------------------------------ */

typedef enum lopt_loss {
  LOPT_LOSS_LEAST_SQUARES = 1, /* f = 1/2 ||A x - y||^2, A n x d, y n */
  LOPT_LOSS_LOGISTIC = 2,      /* f = sum_i log(1 + exp(-y_i a_i'x)), y_i in {-1, +1} */
  LOPT_LOSS_SOFTMAX = 3,       /* f = sum_i [logsumexp_c (a_i'X_c) - a_i'X_{y_i}], y_i in {0..k-1}; x = X is d x k,
                                  column-major (class c's weights are x[c*d .. c*d+d-1]) */
  LOPT_LOSS_QUADRATIC = 4      /* f = 1/2 x'Q x - y'x, Q = A symmetric positive semidefinite d x d */
} lopt_loss;

/* f from data: A (dense or sparse, borrowed), y (copied; length n, or d for QUADRATIC), `classes`
 * the number of classes k for SOFTMAX (ignored otherwise). The unknown has d (d k for SOFTMAX) entries. */
LOPT_API int lopt_problem_create_composite(lopt_problem **out, lopt_loss loss, const lopt_matrix *A, const double *y,
                                           int64_t classes, lopt_error *err);

/* A user smooth f for BCD: the value, the gradient restricted to a block of coordinates, and an upper
 * bound on the block's Lipschitz constant (sup over x of the largest eigenvalue of the block Hessian). */
typedef int (*lopt_f_fn)(void *ctx, int64_t n, const double *x, double *f);
typedef int (*lopt_block_grad_fn)(void *ctx, int64_t n, const double *x, const int64_t *block, int64_t size,
                                  double *g);
typedef int (*lopt_block_lipschitz_fn)(void *ctx, const int64_t *block, int64_t size, double *L);
LOPT_API int lopt_problem_create_composite_user(lopt_problem **out, int64_t n, lopt_f_fn f, lopt_block_grad_fn grad,
                                                lopt_block_lipschitz_fn lipschitz, void *ctx, lopt_error *err);

typedef enum lopt_regularizer {
  LOPT_REG_NONE = 0,
  LOPT_REG_L1 = 1,          /* g = lambda ||x||_1 */
  LOPT_REG_ELASTIC_NET = 2, /* g = lambda (alpha ||x||_1 + (1 - alpha)/2 ||x||^2), alpha in [0, 1] */
  LOPT_REG_NONNEG = 3,      /* g = indicator of x >= 0 */
  LOPT_REG_BOX = 4          /* g = indicator of lower <= x <= upper (copied; NULL: unbounded side) */
} lopt_regularizer;
/* Set g for a composite problem (default LOPT_REG_NONE). lambda >= 0; alpha in [0, 1]. */
LOPT_API int lopt_problem_set_regularizer(lopt_problem *p, lopt_regularizer g, double lambda, double alpha,
                                          const double *lower, const double *upper, lopt_error *err);

/* NULL-safe; sets *p to NULL. */
LOPT_API void lopt_problem_destroy(lopt_problem **p);

LOPT_API lopt_problem_type lopt_problem_get_type(const lopt_problem *p);
/* Number of unknowns. */
LOPT_API int64_t lopt_problem_dim(const lopt_problem *p);

#ifdef __cplusplus
}
#endif
#endif
