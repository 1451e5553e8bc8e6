/* tests/problems/logreg.h: L2-regularised logistic regression on a seeded synthetic data set.
 *
 *   f(w) = (1/N) sum_i log(1 + exp(-y_i x_i'w)) + (lambda/2) ||w||^2,   y_i in {-1, +1}
 *   g(w) = -(1/N) sum_i y_i s(-y_i x_i'w) x_i + lambda w,                s(t) = 1 / (1 + exp(-t))
 *   H(w) v = (1/N) X' diag(s(z_i) s(-z_i)) X v + lambda v,              z_i = y_i x_i'w
 *
 * The loss uses log(1 + exp(t)) = max(t, 0) + log1p(exp(-|t|)) and s(t) evaluated on the side that
 * cannot overflow, so any w with finite margins gives finite f and g. f is strongly convex
 * (lambda > 0): one minimizer, which every kind must find; the truths are its optimality
 * (||g|| ~ 0, checked by the caller) and agreement between kinds.
 *
 * Data (seeded, reproducible on every platform: xorshift64* and Box-Muller in double): features
 * x_ij ~ N(0, 1) stored row-major N x d; a planted w_true with entries N(0, 1/d); labels
 * y_i = sign(x_i'w_true + 0.5 e_i), e_i ~ N(0, 1), so the classes overlap and the margins are O(1).
 * Self-contained (no test framework), so the bench builds it too. */
#ifndef LOPT_TEST_LOGREG_H
#define LOPT_TEST_LOGREG_H

#include <stdint.h>

typedef struct logreg {
  int64_t n_samples, d;
  double lambda;
  double *X;    /* n_samples x d, row-major */
  double *y;    /* labels +-1 */
  double *work; /* n_samples scratch: margins, then per-sample weights */
  double *work2;/* n_samples scratch for the HVP */
  long fg_calls, hvp_calls;
} logreg;

/* NULL when out of memory or the sizes are not positive. */
logreg *logreg_create(int64_t n_samples, int64_t d, double lambda, uint64_t seed);
void logreg_destroy(logreg *lr); /* NULL-safe */

/* lopt_fg_fn (ctx: logreg *, n = d). g may be NULL. Returns 0. */
int logreg_fg(void *ctx, int64_t n, const double *w, double *f, double *g);
/* lopt_hvp_fn: hv = H(w) v, exact. Returns 0. */
int logreg_hvp(void *ctx, int64_t n, const double *w, const double *v, double *hv);

#endif
