/* src/smooth/linesearch.h: the line searches of the smooth family, behind one function pointer.
 * Private to src/smooth/.
 *
 * Each search works on phi(a) = f(x + a d) through sm_line_eval (smooth.h), which writes the trial
 * point and its gradient into the caller's work vectors: nothing is allocated. On LS_OK the accepted
 * step is the last point evaluated, so L->xt and L->gt hold x + a d and its gradient.
 *
 *   more_thuente  strong Wolfe: f(a) <= f(0) + c1 a g'd and |g(a)'d| <= c2 |g'd|.
 *                 More & Thuente, ACM TOMS 20(3), 1994, 286-307, Sections 2-4.
 *   hager_zhang   Wolfe (f(a) - f(0) <= c1 a g'd, g(a)'d >= c2 g'd) or approximate Wolfe
 *                 ((2 c1 - 1) g'd >= g(a)'d >= c2 g'd and f(a) <= f(0) + 1e-6 |f(0)|).
 *                 Hager & Zhang, SIAM J. Optim. 16(1), 2005, 170-192, Section 4; ACM TOMS 32(1), 2006.
 *   armijo        backtracking on f(a) <= f(0) + c1 a g'd with quadratic, then cubic interpolation,
 *                 each new step in [0.1 a, 0.5 a] (Dennis & Schnabel 1983, Algorithm A6.3.1).
 *
 * Departures, each commented where it happens: More-Thuente ends on its best point (or fails with
 * LS_ROUNDING) as soon as a trial leaves x unchanged (f and g'd equal to their values at 0), and
 * extrapolates with the secant step in Hager-Zhang's bracketing phase (B3 multiplies by 5).
 *
 * A trial where f or g is not finite (overflow far from the solution) is treated as a step that is
 * too long: More-Thuente retries at a tenth of the distance from its best point and never goes
 * beyond half of it again; Hager-Zhang treats it as a point above f0 + eps_k and bisects towards
 * its left end; Armijo takes a tenth of the step. A search fails with LS_NONFINITE only when its
 * evaluations run out on non-finite values. A callback error ends it at once. */
#ifndef LOPT_SMOOTH_LINESEARCH_H
#define LOPT_SMOOTH_LINESEARCH_H

#include "smooth.h"

typedef enum ls_kind { LS_MORE_THUENTE = 0, LS_HAGER_ZHANG = 1, LS_ARMIJO = 2 } ls_kind;

typedef enum ls_status {
  LS_OK = 0,
  LS_MAX_EVALS,   /* ls_max_evals evaluations without an acceptable step */
  LS_BUDGET,      /* the run's max_eval budget ran out during the search */
  LS_ROUNDING,    /* no acceptable step can be told apart at this precision */
  LS_NOT_DESCENT, /* g'd >= 0 */
  LS_NONFINITE,   /* the evaluations ran out on non-finite f or g */
  LS_CALLBACK     /* the objective callback returned non-zero */
} ls_status;

typedef struct ls_params {
  double c1, c2;
  int64_t max_evals;
} ls_params;

typedef struct ls_result {
  double alpha, f, dg; /* the accepted step, f and g'd there */
  int64_t evals;       /* evaluations made by this search */
} ls_result;

typedef ls_status (*ls_fn)(smooth_base *b, const ls_params *p, const sm_line *L, double alpha0, ls_result *r);

/* The search named by the kind's current `linesearch` option (the choice names are
 * "more_thuente", "hager_zhang", "armijo", in a kind-specific order). */
LOPT_INTERNAL ls_kind ls_current(const lopt_solver *s);
LOPT_INTERNAL const char *ls_title(ls_kind k); /* "More-Thuente", "Hager-Zhang", "Armijo" */

/* Run search `k` from alpha0 with ls_c1, ls_c2 and ls_max_evals from the options, never spending
 * more evaluations than max_eval leaves (LS_BUDGET then). */
LOPT_INTERNAL ls_status ls_run(smooth_base *b, ls_kind k, const sm_line *L, double alpha0, ls_result *r);

/* End the run after a failed search: LOPT_STOP_CALLBACK, NONFINITE, MAX_EVAL or LINESEARCH, with
 * a sentence naming the search and the cause. */
LOPT_INTERNAL void ls_stop(smooth_base *b, ls_kind k, ls_status st, const sm_line *L, const ls_result *r);

#endif
