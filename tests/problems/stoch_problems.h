/* tests/problems/stoch_problems.h: finite-sum problems with independent truths for the stochastic
 * family (tests/test_stochastic.c). Each builder computes its optimum here, by a direct method that
 * shares no code with libopt:
 *   quadratic  f_i(x) = 1/2 ||A_i x - b_i||^2       x* from the normal equations, LAPACKE_dposv
 *   logistic   f_i(w) = log(1 + exp(-y_i w'a_i)) + lambda/2 ||w||^2
 *                                                    w* by damped Newton, each step LAPACKE_dposv
 *   separable  f_i(x) = 1/2 sum_j d_j (x_j - c_ij)^2 x*_j = mean_i c_ij (large n, for threads)
 * The test suite checks these claims first (full gradient at x* ~ 0, gradient and HVP oracles
 * against central differences).
 *
 * The oracles follow problem.h (lopt_batch_fn / lopt_batch_hvp_fn). The context also carries test
 * hooks: a call counter, a forced callback failure or NaN loss at call k, and a record of every
 * mini-batch's sample indices (for sampling-order tests). Hooks make the context mutable, so one
 * stoch_problem serves one solver at a time. */
#ifndef LOPT_TEST_STOCH_PROBLEMS_H
#define LOPT_TEST_STOCH_PROBLEMS_H

#include <stdint.h>

#include "libopt.h"

typedef enum stoch_shape { STOCH_QUADRATIC = 1, STOCH_LOGISTIC, STOCH_SEPARABLE } stoch_shape;

typedef struct stoch_problem {
  stoch_shape shape;
  int64_t n, N;           /* parameters, samples */
  int64_t m;              /* quadratic: rows per sample */
  double *A, *b;          /* quadratic: A_i (m x n, row-major) at A + i m n, b_i at b + i m */
  double *X, *y;          /* logistic: a_i at X + i n, labels y_i in {-1, +1} */
  double lambda;          /* logistic: L2 weight */
  double *d, *c;          /* separable: curvatures d (n), centres c_i at c + i n */
  double *xstar;          /* the optimum of (1/N) sum_i f_i */
  double fstar;           /* its value */

  /* test hooks (reset by stoch_reset_hooks) */
  long calls;             /* batch-oracle calls (gradient and GNB oracles together) */
  long hvp_calls;
  long fail_at_call;      /* the oracle returns fail_code at this call (0-based); -1: never */
  int fail_code;
  long nan_at_call;       /* the loss is NaN at this call; -1: never */
  long hvp_fail_at_call;  /* the HVP oracle returns fail_code at this HVP call; -1: never */
  int record;             /* record every gradient call's batch in order[] and (loss, size) */
  int64_t *order;
  int64_t order_len, order_cap;
  double *rec_loss;       /* per recorded call: mean loss and batch size */
  int64_t *rec_size;
  int64_t rec_len, rec_cap;
  uint64_t gnb_seed;      /* sampled labels of the GNB oracle: a function of (seed, call number) */
  long gnb_calls;
} stoch_problem;

stoch_problem *stoch_quadratic(int64_t n, int64_t N, int64_t m, uint64_t seed);
stoch_problem *stoch_logistic(int64_t n, int64_t N, double lambda, uint64_t seed);
stoch_problem *stoch_separable(int64_t n, int64_t N, uint64_t seed);
void stoch_problem_free(stoch_problem *P);
void stoch_reset_hooks(stoch_problem *P);

/* Oracles (ctx = stoch_problem *). */
int stoch_batch(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch, double *loss, double *g);
int stoch_batch_hvp(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch, const double *v,
                    double *hv);
/* Gauss-Newton-Bartlett: the gradient of the data loss on labels sampled from the model itself
 * (logistic: y~ ~ Bernoulli(sigma(w'a)); quadratic: b~ = A x + N(0, I)). No L2 term. */
int stoch_batch_gnb(void *ctx, int64_t n, const double *x, const int64_t *idx, int64_t batch, double *loss,
                    double *g);

/* Full objective and gradient (1/N) sum_i f_i, without touching the hooks. */
void stoch_full(const stoch_problem *P, const double *x, double *f, double *g);
/* A libopt problem on P; hvp / gnb attach those oracles. NULL on failure. */
lopt_problem *stoch_lopt_problem(stoch_problem *P, int with_hvp, int with_gnb);

/* ||x - x*|| / ||x*|| */
double stoch_rel_error(const stoch_problem *P, const double *x);

#endif
