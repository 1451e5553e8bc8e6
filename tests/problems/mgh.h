/* tests/problems/mgh.h: the Moré-Garbow-Hillstrom unconstrained test problems as a table.
 *
 * J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization software",
 * ACM Trans. Math. Softw. 7(1), 1981, 17-41 (doi 10.1145/355934.355936), problems 1-32: each is a
 * sum of squares f(x) = sum_i r_i(x)^2 (no factor 1/2, as in the paper) with the paper's standard
 * starting point. The gradient is exact: g = 2 J' r with the Jacobian J written out by hand.
 *
 * Truths and where they come from (each entry's `source` says which applies):
 *  - "MGH": the value printed in the paper (6 significant digits, followed by "..." there, i.e.
 *    truncated, so the true value lies within 1e-5 relative of it).
 *  - "GSL": the reference values of GSL's nonlinear least-squares test suite (multifit/test_*.c,
 *    the sumsq_exact and x arrays, 13-16 digits), which agree with MGH's printed digits; where
 *    they exist they are the fstar and xstar used here and the MGH digits are kept in `source`.
 *  - "exact": the minimizer and value follow from the formula (e.g. r(x*) = 0 at x* = ones).
 *  - "here": more digits of a value the paper prints to 6 (Osborne 2, Watson n = 9, Penalty I n = 4,
 *    Penalty II n = 10) and the trigonometric local minimum it does not print, from the independent
 *    Levenberg-Marquardt in tests/test_problems.c (LAPACK normal equations, not libopt) started at
 *    the standard point; each agrees with the paper's printed digits, which that test also checks.
 *    One local minimum the paper does not mention (Broyden banded, n = 10, f = 3.0573) was met by
 *    a libopt run; its claim rests on the checks in test_problems.c (g = 0 and a positive definite
 *    Hessian at the stated point), not on that run.
 * tests/test_problems.c checks the table's own claims first: f(xstar) = fstar to xstar_ftol, the
 * gradient against central differences, and the Levenberg-Marquardt run reaching fstar or flocal. */
#ifndef LOPT_TEST_MGH_H
#define LOPT_TEST_MGH_H

#include <stdint.h>

typedef struct mgh_problem mgh_problem;

/* Residuals r (m entries) and, when J is not NULL, the Jacobian J (m x n, column-major:
 * J[i + j m] = d r_i / d x_j). */
typedef void (*mgh_residual_fn)(const mgh_problem *p, const double *x, double *r, double *J);

struct mgh_problem {
  int number;          /* the paper's problem number (1..32) */
  const char *name;    /* lower_snake name, with the dimension when the paper's n is variable */
  int64_t n, m;        /* unknowns, residuals */
  mgh_residual_fn residuals;
  void (*start)(const mgh_problem *p, double *x0); /* the paper's standard starting point */
  double fstar;        /* the minimum value (the global one when known) */
  double ftol;         /* a run "reaches fstar" when |f - fstar| <= ftol (absolute) */
  const double *xstar; /* a minimizer with f(xstar) = fstar to xstar_ftol, or NULL when none is published */
  int xstar_unique;    /* 1 when xstar is the only minimizer (so a solver's x may be compared with it) */
  double xstar_ftol;   /* |f(xstar) - fstar| <= xstar_ftol (xstar may be printed to few digits) */
  double flocal;       /* another minimum value the standard start is known to lead to, NaN if none */
  double flocal_tol;   /* |f - flocal| <= flocal_tol counts as reaching it */
  const char *source;  /* where fstar, xstar and flocal come from */
  double xtol;         /* a point with f within ftol of fstar is within xtol (1 + |xstar_j|) of a unique xstar,
                        * componentwise; 0 means 1e-4. Larger where f is flat: a singular Hessian at x*
                        * (Powell singular: |x - x*| ~ f^(1/4)) or a tiny eigenvalue (Powell badly scaled) */
};

extern const mgh_problem mgh_problems[];
extern const int mgh_count;

/* The entry called `name`, or NULL. */
const mgh_problem *mgh_find(const char *name);

/* f(x) = sum r_i^2, with scratch allocated per call (for checks, not for solver runs). */
double mgh_value(const mgh_problem *p, const double *x);

/* Evaluation context for lopt_problem_create_smooth: holds the residual and Jacobian scratch so a
 * solver run allocates nothing per call, and counts the calls. */
typedef struct mgh_eval {
  const mgh_problem *p;
  double *r, *J;
  long calls, gradient_calls;
} mgh_eval;

mgh_eval *mgh_eval_create(const mgh_problem *p); /* NULL when out of memory */
void mgh_eval_destroy(mgh_eval *e);              /* NULL-safe */

/* lopt_fg_fn: ctx is an mgh_eval. f = sum r_i^2, g = 2 J' r (g may be NULL). Always returns 0: far
 * from the solution f may overflow to +Inf (exp terms), which a line search should treat as a step
 * too long, as it would for any user function. */
int mgh_fg(void *ctx, int64_t n, const double *x, double *f, double *g);

#endif
