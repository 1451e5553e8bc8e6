/* tests/test_smooth.c: the smooth family (nlcg, lbfgs, newton_cg) against independent truths.
 *
 *  - Moré-Garbow-Hillstrom problems 1-32 from the standard starts (tests/problems/mgh.c, checked by
 *    test_problems.c first): each kind reaches the catalogue's f* (or the local value the catalogue
 *    names for that start), and the unique minimizer where one is published; the few (kind, problem)
 *    pairs that cannot are listed below with the reason and the stop the test then requires.
 *  - Quadratics f = x'Ax/2 - b'x: nonlinear CG with an exact line search takes linear CG's iterates
 *    (the `pcg` kind, recorded by a monitor) for every beta formula; L-BFGS with an exact line search
 *    and memory >= n ends in <= n + 1 iterations (finite termination of BFGS with exact line
 *    searches, Nocedal & Wright 2006, Theorem 6.4).
 *  - L2 logistic regression (tests/problems/logreg.c): ||g||_inf <= 1e-8 recomputed here, and the
 *    three kinds agree on w.
 *  - Bounds (lbfgs; nlcg and newton_cg must refuse them, saying so): a separable quadratic whose
 *    minimizer is the projection of the unconstrained one; a coupled quadratic whose KKT point is
 *    found here by enumerating all 3^n active sets with LAPACK.
 *  - Failures and bookkeeping: a callback error, NaN mid-run, a gradient inconsistent with f (with the
 *    gradient checker naming the wrong component), budgets, targets and tolerances, counts equal to
 *    the callbacks' calls, allocation failure at every allocation, checkpoint/resume bit-identity,
 *    and each line search on Rosenbrock.
 * LOPT_TEST_VERBOSE=1 prints one line per run (the kind x problem table of docs/smooth.md). */
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libopt.h"
#include "problems/logreg.h"
#include "problems/mgh.h"
#include "problems/problems.h"
#include "testutil.h"

static const lopt_kind kinds[] = {LOPT_NLCG, LOPT_LBFGS, LOPT_NEWTON_CG};
enum { N_KINDS = sizeof kinds / sizeof kinds[0] };

static int verbose(void) { return getenv("LOPT_TEST_VERBOSE") != NULL; }

/* ---- running a kind ------------------------------------------------------------------------------ */

typedef struct opt {
  const char *name, *value; /* parsed by lopt_solver_set */
} opt;

typedef struct run {
  int status;      /* of create/set/setup/solve */
  lopt_result r;
  double *x;
  double nfev, ngev, nhvp, callback_code, active;
  char message[512];
} run;

/* Create `kind`, apply the options (NULL-terminated by name), set up on P from x0, solve. */
static run run_kind(lopt_kind kind, const lopt_problem *P, const double *x0, const opt *opts)
{
  run out;
  memset(&out, 0, sizeof out);
  out.r.size = sizeof out.r;
  int64_t n = lopt_problem_dim(P);
  lopt_solver *s = NULL;
  ck_assert_int_eq(lopt_solver_create(&s, kind), LOPT_OK);
  for (const opt *o = opts; o && o->name; o++)
    ck_assert_msg(lopt_solver_set(s, o->name, o->value) == LOPT_OK, "%s: %s = %s: %s", lopt_kind_name(kind), o->name,
                  o->value, lopt_solver_message(s));
  out.status = lopt_solver_setup(s, P, x0);
  if (out.status == LOPT_OK) out.status = lopt_solver_solve(s, &out.r);
  snprintf(out.message, sizeof out.message, "%s", lopt_solver_message(s));
  out.x = malloc((size_t)n * sizeof *out.x);
  if (out.status == LOPT_OK) {
    ck_assert_int_eq(lopt_solver_get_x(s, out.x, n), LOPT_OK);
    ck_assert_int_eq(lopt_solver_figure(s, "nfev", &out.nfev), LOPT_OK);
    ck_assert_int_eq(lopt_solver_figure(s, "ngev", &out.ngev), LOPT_OK);
    ck_assert_int_eq(lopt_solver_figure(s, "nhvp", &out.nhvp), LOPT_OK);
    ck_assert_int_eq(lopt_solver_figure(s, "callback_code", &out.callback_code), LOPT_OK);
    ck_assert_int_eq(lopt_solver_figure(s, "active", &out.active), LOPT_OK);
  }
  lopt_solver_destroy(&s);
  return out;
}

static double amax_diff(const double *a, const double *b, int64_t n)
{
  double d = 0;
  for (int64_t i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

static double amax(const double *a, int64_t n)
{
  double d = 0;
  for (int64_t i = 0; i < n; i++) d = fmax(d, fabs(a[i]));
  return d;
}

/* ---- MGH from the standard starts ------------------------------------------------------------------ */

/* (kind, problem) pairs that do not reach the catalogue's values from the standard start, the stop
 * they end with instead, and why. Everything else must reach f* (or the named local value). */
typedef struct mgh_exception {
  lopt_kind kind;
  const char *problem;
  lopt_stop stop;
  const char *why;
} mgh_exception;

/* The evidence for each line: a run of the kind with max_iter raised to 200000, and the Hessian's
 * eigenvalues at x* (central differences of the exact gradient). Nonlinear CG converges at a rate
 * set by the condition number, and these three problems are the worst-conditioned in the set;
 * L-BFGS, newton_cg and the Levenberg-Marquardt of test_problems.c solve all of them. */
static const mgh_exception mgh_exceptions[] = {
  {LOPT_NLCG, "meyer", LOPT_STOP_MAX_ITER, "cond(H*) = 1e16: f ~ 1e5 after 20000 iterations, 5.2e4 after 200000"},
  {LOPT_NLCG, "osborne1", LOPT_STOP_MAX_ITER, "cond(H*) = 2.5e9: f* to 2e-15 takes 32,569 iterations"},
  {LOPT_NLCG, "watson9", LOPT_STOP_MAX_ITER, "cond(H*) = 1.7e9: f* to 4e-14 takes 74,021 iterations"},
  {LOPT_KIND_NONE, NULL, LOPT_STOP_RUNNING, NULL},
};

static const mgh_exception *find_exception(lopt_kind kind, const char *problem)
{
  for (const mgh_exception *e = mgh_exceptions; e->problem; e++)
    if (e->kind == kind && !strcmp(e->problem, problem)) return e;
  return NULL;
}

/* The run asks for ||g||_inf <= 1e-9 (absolute: a relative test would be loose on the badly scaled
 * problems, whose ||g(x0)|| reaches 2e6). Where rounding makes that unreachable, the line search
 * ends the run at the minimum (stop `linesearch`, which the test accepts only together with f within
 * the catalogue's tolerance). */
static const opt mgh_opts[] = {{"gtol", "1e-9"}, {"max_iter", "20000"}, {NULL, NULL}};

START_TEST(test_kind_from_mgh_standard_start_reaches_the_published_minimum)
{
  lopt_kind kind = kinds[_i / mgh_count];
  const mgh_problem *p = &mgh_problems[_i % mgh_count];
  const char *kn = lopt_kind_name(kind);
  mgh_eval *e = mgh_eval_create(p);
  lopt_problem *P = NULL;
  ck_assert_int_eq(lopt_problem_create_smooth(&P, p->n, mgh_fg, e, NULL), LOPT_OK);
  double *x0 = malloc((size_t)p->n * sizeof *x0);
  p->start(p, x0);
  run r = run_kind(kind, P, x0, mgh_opts);
  ck_assert_msg(r.status == LOPT_OK, "%s on %s: %s (%s)", kn, p->name, lopt_status_name(r.status), r.message);
  double f = mgh_value(p, r.x); /* recomputed here, not taken from the solver */
  int at_fstar = fabs(f - p->fstar) <= p->ftol;
  int at_flocal = !isnan(p->flocal) && fabs(f - p->flocal) <= p->flocal_tol;
  if (verbose())
    fprintf(stderr, "MGH %-10s %-30s %-10s it %6lld nfev %6.0f ngev %6.0f nhvp %6.0f f %.10e %s\n", kn, p->name,
            lopt_stop_name(r.r.stop), (long long)r.r.iterations, r.nfev, r.ngev, r.nhvp, f,
            at_fstar ? "f*" : at_flocal ? "local" : "MISSED");
  /* what the result reports is what x gives */
  ck_assert_msg(fabs(r.r.objective - f) <= 1e-12 * fmax(1.0, fabs(f)), "%s on %s: result objective %.17g, f(x) %.17g",
                kn, p->name, r.r.objective, f);
  ck_assert_double_eq(r.r.evaluations, r.nfev);
  ck_assert_double_eq(r.r.gradient_evaluations, r.ngev);
  const mgh_exception *ex = find_exception(kind, p->name);
  if (ex) {
    ck_assert_msg(r.r.stop == (int)ex->stop,
                  "%s on %s is listed as stopping with %s (%s); it stopped with %s at f = %g",
                  kn, p->name, lopt_stop_name(ex->stop), ex->why, lopt_stop_name(r.r.stop), f);
  } else {
    ck_assert_msg(at_fstar || at_flocal,
                  "%s on %s: stopped (%s, \"%s\") after %lld iterations at f = %.15g; f* = %.15g (tol %g)%s%.15g",
                  kn, p->name, lopt_stop_name(r.r.stop), r.message, (long long)r.r.iterations, f, p->fstar, p->ftol,
                  isnan(p->flocal) ? "" : ", local ", isnan(p->flocal) ? 0.0 : p->flocal);
    /* gtol, or the end a rounding-limited run takes at the minimum: a line search (or, for the trust
     * region, a radius) that can no longer resolve a decrease of f */
    ck_assert_msg(r.r.stop == LOPT_STOP_GTOL || r.r.stop == LOPT_STOP_LINESEARCH || r.r.stop == LOPT_STOP_STAGNATION,
                  "%s on %s: reached f = %.15g but stopped with %s (%s)", kn, p->name, f, lopt_stop_name(r.r.stop),
                  r.message);
    double xtol = p->xtol > 0 ? p->xtol : 1e-4;
    if (at_fstar && p->xstar && p->xstar_unique)
      for (int64_t j = 0; j < p->n; j++)
        ck_assert_msg(fabs(r.x[j] - p->xstar[j]) <= xtol * (1.0 + fabs(p->xstar[j])),
                      "%s on %s: f = %.15g but x[%lld] = %.12g, x* = %.12g", kn, p->name, f, (long long)j, r.x[j],
                      p->xstar[j]);
  }
  free(r.x), free(x0);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(e);
}
END_TEST

/* ---- quadratics ---------------------------------------------------------------------------------- */

typedef struct quad {
  int64_t n;
  const double *A, *b; /* A column-major n x n SPD */
} quad;

/* f = x'Ax/2 - b'x, g = A x - b */
static int quad_fg(void *ctx, int64_t n, const double *x, double *f, double *g)
{
  const quad *q = ctx;
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    double ax = 0;
    for (int64_t j = 0; j < n; j++) ax += q->A[i + j * n] * x[j];
    s += x[i] * (0.5 * ax - q->b[i]);
    if (g) g[i] = ax - q->b[i];
  }
  *f = s;
  return 0;
}

static int quad_hvp(void *ctx, int64_t n, const double *x, const double *v, double *hv)
{
  const quad *q = ctx;
  (void)x;
  for (int64_t i = 0; i < n; i++) {
    double s = 0;
    for (int64_t j = 0; j < n; j++) s += q->A[i + j * n] * v[j];
    hv[i] = s;
  }
  return 0;
}

typedef struct iterates {
  int64_t n, count, cap;
  double *x, *res; /* x_k and the kind's residual figure after iteration k */
} iterates;

/* The core calls the monitor once more when a run ends in an iteration that did not count (a line
 * search that could not improve f at the precision: the iterate and count are unchanged); that
 * repeat is checked and skipped. */
static int record_iterate(const lopt_monitor_info *info, void *ctx)
{
  iterates *it = ctx;
  if (it->count > 0 && info->iteration == it->count) {
    ck_assert_int_eq(memcmp(info->x, it->x + (it->count - 1) * it->n, (size_t)it->n * sizeof *it->x), 0);
    return LOPT_MONITOR_CONTINUE;
  }
  if (it->count == it->cap) {
    it->cap = it->cap ? 2 * it->cap : 16;
    it->x = realloc(it->x, (size_t)(it->cap * it->n) * sizeof *it->x);
    it->res = realloc(it->res, (size_t)it->cap * sizeof *it->res);
  }
  ck_assert_int_eq(info->iteration, it->count + 1);
  memcpy(it->x + it->count * it->n, info->x, (size_t)it->n * sizeof *it->x);
  it->res[it->count] = info->residual;
  it->count++;
  return LOPT_MONITOR_CONTINUE;
}

static const char *const betas[] = {"hager_zhang", "polak_ribiere_plus", "fletcher_reeves", "hestenes_stiefel",
                                    "dai_yuan"};

START_TEST(test_nlcg_with_exact_line_search_takes_linear_cg_iterates)
{
  const int64_t n = 12;
  double *A = random_spd_dense(n, 100.0, 21), b[12];
  test_rng rng = {5};
  for (int64_t i = 0; i < n; i++) b[i] = test_rng_normal(&rng);
  /* linear CG: the pcg kind on the same A, b from x0 = 0 */
  lopt_matrix *M = NULL;
  ck_assert_int_eq(lopt_matrix_create_dense(&M, n, n, A, n, LOPT_VIEW, NULL), LOPT_OK);
  lopt_problem *L = NULL;
  ck_assert_int_eq(lopt_problem_create_linear(&L, M, b, NULL), LOPT_OK);
  iterates cg = {n, 0, 0, NULL, NULL}, nl = {n, 0, 0, NULL, NULL};
  lopt_solver *s = NULL;
  lopt_solver_create(&s, LOPT_PCG);
  lopt_solver_set_double(s, "rtol", 1e-13);
  lopt_solver_set_monitor(s, record_iterate, &cg);
  ck_assert_int_eq(lopt_solver_setup(s, L, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_solve(s, NULL), LOPT_OK);
  ck_assert_int_gt(lopt_solver_stop_reason(s), 0);
  lopt_solver_destroy(&s);
  /* nonlinear CG with beta = betas[_i] and a line search that is exact on a quadratic: More-Thuente's
   * cubic interpolation through two points of a quadratic is the quadratic, so its second trial is
   * the exact minimizer along d, and c2 = 1e-4 accepts nothing less accurate */
  quad q = {n, A, b};
  lopt_problem *P = NULL;
  ck_assert_int_eq(lopt_problem_create_smooth(&P, n, quad_fg, &q, NULL), LOPT_OK);
  lopt_solver_create(&s, LOPT_NLCG);
  ck_assert_int_eq(lopt_solver_set_choice(s, "beta", betas[_i]), LOPT_OK);
  ck_assert_int_eq(lopt_solver_set_choice(s, "linesearch", "more_thuente"), LOPT_OK);
  ck_assert_msg(lopt_solver_set_double(s, "ls_c1", 1e-5) == LOPT_OK, "%s", lopt_solver_message(s));
  ck_assert_msg(lopt_solver_set_double(s, "ls_c2", 1e-4) == LOPT_OK, "%s", lopt_solver_message(s));
  ck_assert_int_eq(lopt_solver_set_double(s, "gtol", 1e-12), LOPT_OK);
  lopt_solver_set_monitor(s, record_iterate, &nl);
  ck_assert_msg(lopt_solver_setup(s, P, NULL) == LOPT_OK, "%s", lopt_solver_message(s));
  ck_assert_int_eq(lopt_solver_solve(s, NULL), LOPT_OK);
  lopt_solver_destroy(&s);
  /* x_k agree while CG's residual is above 1e-6 ||b||. Past that point the last CG directions are
   * built from residuals of that size, the two recursions (CG updates r recursively, nlcg evaluates
   * g = A x - b afresh) differ in their last digits, and the difference is amplified as CG
   * terminates: measured here, 1e-16..1e-14 up to iteration 8, 1e-8..3e-7 at iteration 12 = n. */
  double bnorm = 0;
  for (int64_t i = 0; i < n; i++) bnorm += b[i] * b[i];
  bnorm = sqrt(bnorm);
  int64_t k_common = cg.count < nl.count ? cg.count : nl.count, k_cmp = 0;
  while (k_cmp < k_common && cg.res[k_cmp] > 1e-6 * bnorm) k_cmp++;
  ck_assert_int_ge(k_cmp, n / 2);
  double scale = amax(cg.x + (cg.count - 1) * n, n);
  for (int64_t k = 0; k < k_cmp; k++) {
    double d = amax_diff(nl.x + k * n, cg.x + k * n, n);
    if (verbose()) fprintf(stderr, "nlcg(%s) vs cg: iteration %lld: |dx| = %.3e\n", betas[_i], (long long)k + 1, d);
    ck_assert_msg(d <= 1e-8 * scale, "beta %s: iteration %lld: max |x_nlcg - x_cg| = %g (|x*| = %g)", betas[_i],
                  (long long)k + 1, d, scale);
  }
  free(cg.x), free(nl.x), free(cg.res), free(nl.res), free(A);
  lopt_problem_destroy(&P), lopt_problem_destroy(&L);
  lopt_matrix_destroy(&M);
}
END_TEST

static const int64_t lbfgs_sizes[] = {5, 10, 20};

START_TEST(test_lbfgs_with_exact_line_search_ends_in_n_plus_1_iterations_on_spd_quadratic)
{
  const int64_t n = lbfgs_sizes[_i];
  double *A = random_spd_dense(n, 100.0, 40 + (unsigned long long)n), *b = malloc((size_t)n * sizeof *b);
  test_rng rng = {9 + (uint64_t)n};
  for (int64_t i = 0; i < n; i++) b[i] = test_rng_normal(&rng);
  quad q = {n, A, b};
  lopt_problem *P = NULL;
  ck_assert_int_eq(lopt_problem_create_smooth(&P, n, quad_fg, &q, NULL), LOPT_OK);
  /* memory >= n: the quasi-Newton matrix keeps every pair, as in the theorem (with fewer pairs L-BFGS
   * with exact line searches takes CG's iterates in exact arithmetic, and CG's slower floating-point
   * termination: 21 iterations reach only 4e-7 at n = 20 with memory 10, where linear CG needs 25) */
  char mem[16];
  snprintf(mem, sizeof mem, "%lld", (long long)n);
  const opt o[] = {{"linesearch", "more_thuente"}, {"ls_c1", "1e-5"}, {"ls_c2", "1e-4"}, {"gtol", "1e-10"},
                   {"memory", mem}, {"max_iter", "200"}, {NULL, NULL}};
  run r = run_kind(LOPT_LBFGS, P, NULL, o);
  ck_assert_msg(r.status == LOPT_OK, "%s", r.message);
  if (verbose()) fprintf(stderr, "lbfgs quadratic n = %lld: %lld iterations, %s\n", (long long)n,
                         (long long)r.r.iterations, lopt_stop_name(r.r.stop));
  ck_assert_msg(r.r.stop == LOPT_STOP_GTOL, "n = %lld: %s (%s)", (long long)n, lopt_stop_name(r.r.stop), r.message);
  ck_assert_msg(r.r.iterations <= n + 1, "n = %lld: %lld iterations", (long long)n, (long long)r.r.iterations);
  /* and the point is A^-1 b (LAPACK) */
  double *Ac = malloc((size_t)(n * n) * sizeof *Ac), *xs = malloc((size_t)n * sizeof *xs);
  memcpy(Ac, A, (size_t)(n * n) * sizeof *A);
  memcpy(xs, b, (size_t)n * sizeof *b);
  ck_assert_int_eq(LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)n, 1, Ac, (int)n, xs, (int)n), 0);
  /* ||x - x*||_inf <= ||A^-1||_2 ||g||_2 <= sqrt(n) ||g||_inf, eigenvalues of A >= 1 */
  ck_assert_double_le(amax_diff(r.x, xs, n), 1.01e-10 * sqrt((double)n));
  free(Ac), free(xs), free(r.x), free(A), free(b);
  lopt_problem_destroy(&P);
}
END_TEST

/* ---- logistic regression ------------------------------------------------------------------------- */

START_TEST(test_kinds_reach_logreg_optimum_to_1e8_and_agree)
{
  logreg *lr = logreg_create(400, 20, 1.0 / 400, 2024);
  const int64_t d = lr->d;
  lopt_problem *P = NULL, *Pfd = NULL;
  ck_assert_int_eq(lopt_problem_create_smooth(&P, d, logreg_fg, lr, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_problem_set_hvp(P, logreg_hvp), LOPT_OK);
  ck_assert_int_eq(lopt_problem_create_smooth(&Pfd, d, logreg_fg, lr, NULL), LOPT_OK); /* no HVP: differences */
  const opt base[] = {{"gtol", "1e-9"}, {"max_iter", "5000"}, {NULL, NULL}};
  const opt nls[] = {{"gtol", "1e-9"}, {"max_iter", "5000"}, {"method", "line_search"}, {NULL, NULL}};
  struct {
    const char *label;
    lopt_kind kind;
    const lopt_problem *P;
    const opt *o;
  } cases[] = {{"lbfgs", LOPT_LBFGS, P, base},
               {"nlcg", LOPT_NLCG, P, base},
               {"newton_cg trust region", LOPT_NEWTON_CG, P, base},
               {"newton_cg line search", LOPT_NEWTON_CG, P, nls},
               {"newton_cg finite-difference H v", LOPT_NEWTON_CG, Pfd, base}};
  double *w0 = NULL, *g = malloc((size_t)d * sizeof *g), f;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    run r = run_kind(cases[c].kind, cases[c].P, NULL, cases[c].o);
    ck_assert_msg(r.status == LOPT_OK, "%s: %s", cases[c].label, r.message);
    logreg_fg(lr, d, r.x, &f, g); /* the gradient at the answer, computed here */
    if (verbose())
      fprintf(stderr, "logreg %-32s %-8s it %4lld nfev %5.0f ngev %5.0f nhvp %5.0f |g| %.2e\n", cases[c].label,
              lopt_stop_name(r.r.stop), (long long)r.r.iterations, r.nfev, r.ngev, r.nhvp, amax(g, d));
    ck_assert_msg(r.r.stop == LOPT_STOP_GTOL, "%s: %s (%s)", cases[c].label, lopt_stop_name(r.r.stop), r.message);
    ck_assert_msg(amax(g, d) <= 1e-8, "%s: ||g||_inf = %g at the returned w", cases[c].label, amax(g, d));
    ck_assert_double_le(fabs(r.r.gradient_norm - amax(g, d)), 1e-12);
    if (!w0) {
      w0 = r.x;
      continue;
    }
    /* strong convexity (H >= lambda I): ||w - w*|| <= ||g|| / lambda = 1e-9 * 400 */
    ck_assert_msg(test_rel_diff(r.x, w0, d) <= 1e-6, "%s differs from lbfgs by %g", cases[c].label,
                  test_rel_diff(r.x, w0, d));
    free(r.x);
  }
  free(w0), free(g);
  lopt_problem_destroy(&P), lopt_problem_destroy(&Pfd);
  logreg_destroy(lr);
}
END_TEST

/* The counts the solver reports are the calls the callbacks saw. */
START_TEST(test_reported_counts_equal_the_callback_calls)
{
  logreg *lr = logreg_create(200, 10, 1.0 / 200, 7);
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, lr->d, logreg_fg, lr, NULL);
  lopt_problem_set_hvp(P, logreg_hvp);
  lr->fg_calls = lr->hvp_calls = 0;
  run r = run_kind(kinds[_i], P, NULL, NULL);
  ck_assert_int_eq(r.status, LOPT_OK);
  ck_assert_int_eq(r.r.stop, LOPT_STOP_GTOL);
  ck_assert_msg(r.nfev == (double)lr->fg_calls, "%s: nfev %g, callback calls %ld", lopt_kind_name(kinds[_i]), r.nfev,
                lr->fg_calls);
  ck_assert_msg(r.nhvp == (double)lr->hvp_calls, "%s: nhvp %g, hvp calls %ld", lopt_kind_name(kinds[_i]), r.nhvp,
                lr->hvp_calls);
  ck_assert_double_eq(r.r.evaluations, r.nfev);
  free(r.x);
  lopt_problem_destroy(&P);
  logreg_destroy(lr);
  /* gradients: an MGH problem counts calls with and without g separately */
  const mgh_problem *p = mgh_find("ext_rosenbrock10");
  mgh_eval *e = mgh_eval_create(p);
  lopt_problem_create_smooth(&P, p->n, mgh_fg, e, NULL);
  double x0[10];
  p->start(p, x0);
  run q = run_kind(kinds[_i], P, x0, NULL);
  ck_assert_int_eq(q.status, LOPT_OK);
  /* newton_cg's finite-difference H v makes gradient calls that are not f evaluations */
  int64_t fd = kinds[_i] == LOPT_NEWTON_CG ? (int64_t)q.nhvp : 0;
  ck_assert_msg(q.ngev == (double)e->gradient_calls, "%s: ngev %g, gradient calls %ld", lopt_kind_name(kinds[_i]),
                q.ngev, e->gradient_calls);
  ck_assert_msg(q.nfev + (double)fd == (double)e->calls, "%s: nfev %g + %lld H v differences, calls %ld",
                lopt_kind_name(kinds[_i]), q.nfev, (long long)fd, e->calls);
  free(q.x);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(e);
}
END_TEST

/* ---- bounds -------------------------------------------------------------------------------------- */

typedef struct sepq {
  double d[8], c[8];
} sepq;

/* f = sum d_i (x_i - c_i)^2 / 2 */
static int sepq_fg(void *ctx, int64_t n, const double *x, double *f, double *g)
{
  const sepq *q = ctx;
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    s += 0.5 * q->d[i] * (x[i] - q->c[i]) * (x[i] - q->c[i]);
    if (g) g[i] = q->d[i] * (x[i] - q->c[i]);
  }
  *f = s;
  return 0;
}

/* A run on a quadratic with |f| <= 2 and curvatures <= 100 has converged when it stopped with gtol or,
 * once the decrease a step can make falls below f's rounding, with `linesearch`: a step from a
 * gradient g gains about ||g||^2 / (2 lambda), invisible next to eps |f| once ||g|| is below
 * sqrt(2 lambda_max eps |f|) ~ 3e-7. Which of the two happens first depends on rounding (it
 * differs between the Debug and Release builds); the tests then bound x by the gradient reached. */
static void assert_converged_to_precision(const run *r, lopt_kind kind)
{
  int ok = r->r.stop == LOPT_STOP_GTOL || (r->r.stop == LOPT_STOP_LINESEARCH && r->r.gradient_norm <= 3e-7);
  ck_assert_msg(ok, "%s: %s with projected gradient %g (%s)", lopt_kind_name(kind), lopt_stop_name(r->r.stop),
                r->r.gradient_norm, r->message);
}

/* Setup with bounds either works or is refused as unsupported, saying so. Returns 1 when refused. */
static int bounds_refused(const run *r, lopt_kind kind)
{
  if (r->status != LOPT_EUNSUPPORTED) return 0;
  ck_assert_msg(strstr(r->message, "bound") != NULL, "%s refused bounds without saying so: %s", lopt_kind_name(kind),
                r->message);
  if (verbose()) fprintf(stderr, "%s: bounds refused: %s\n", lopt_kind_name(kind), r->message);
  return 1;
}

START_TEST(test_separable_quadratic_in_a_box_ends_at_the_projection)
{
  lopt_kind kind = kinds[_i];
  sepq q = {{1, 2, 3, 4, 5, 6, 7, 100}, {3, -3, 0.5, 2, -0.2, 5, -5, 0.1}};
  double lo[8] = {-1, -1, -1, -1, -1, -INFINITY, -1, -1}, hi[8] = {1, 1, 1, INFINITY, 1, 1, 1, 1};
  double xs[8], x0[8] = {0};
  int64_t active = 0;
  for (int i = 0; i < 8; i++) { /* the minimizer of a separable convex f over a box is the clamped c */
    xs[i] = fmin(fmax(q.c[i], lo[i]), hi[i]);
    active += xs[i] != q.c[i];
  }
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, 8, sepq_fg, &q, NULL);
  ck_assert_int_eq(lopt_problem_set_bounds(P, lo, hi, NULL), LOPT_OK);
  const opt o[] = {{"gtol", "1e-10"}, {"max_iter", "1000"}, {NULL, NULL}};
  run r = run_kind(kind, P, x0, o);
  if (!bounds_refused(&r, kind)) {
    ck_assert_msg(r.status == LOPT_OK, "%s", r.message);
    assert_converged_to_precision(&r, kind);
    for (int i = 0; i < 8; i++) {
      if (xs[i] != q.c[i]) /* active: exactly on the bound */
        ck_assert_msg(r.x[i] == xs[i], "%s: x[%d] = %.17g, bound %g", lopt_kind_name(kind), i, r.x[i], xs[i]);
      else /* free: g_i = d_i (x_i - c_i) */
        ck_assert_msg(fabs(r.x[i] - xs[i]) <= 1.01 * r.r.gradient_norm / q.d[i] + 1e-15, "%s: x[%d] = %.17g, c = %g",
                      lopt_kind_name(kind), i, r.x[i], xs[i]);
    }
    ck_assert_double_eq(r.active, (double)active);
  }
  free(r.x);
  lopt_problem_destroy(&P);
}
END_TEST

/* The KKT point of min x'Ax/2 - b'x over lo <= x <= hi, by enumeration: for each of the 3^n
 * assignments (free, at lower, at upper), solve A_FF x_F = b_F - A_FB x_B (LAPACK dposv) and keep
 * the one that is feasible with multipliers of the right sign (g_i >= 0 at lower, <= 0 at upper).
 * A is SPD, so exactly one assignment qualifies (up to degenerate ties, which the data avoid). */
static int kkt_by_enumeration(int64_t n, const double *A, const double *b, const double *lo, const double *hi,
                              double *x, int *state)
{
  int64_t total = 1;
  for (int64_t i = 0; i < n; i++) total *= 3;
  int found = 0;
  double *M = malloc((size_t)(n * n) * sizeof *M), *rhs = malloc((size_t)n * sizeof *rhs);
  double *xt = malloc((size_t)n * sizeof *xt);
  int *st = malloc((size_t)n * sizeof *st);
  int64_t *fi = malloc((size_t)n * sizeof *fi);
  for (int64_t code = 0; code < total; code++) {
    int64_t c = code, nf = 0, ok = 1;
    for (int64_t i = 0; i < n; i++, c /= 3) {
      st[i] = (int)(c % 3); /* 0 free, 1 lower, 2 upper */
      if ((st[i] == 1 && !isfinite(lo[i])) || (st[i] == 2 && !isfinite(hi[i]))) ok = 0;
      xt[i] = st[i] == 1 ? lo[i] : st[i] == 2 ? hi[i] : 0.0;
      if (st[i] == 0) fi[nf++] = i;
    }
    if (!ok) continue;
    for (int64_t a = 0; a < nf; a++) {
      double s = b[fi[a]];
      for (int64_t j = 0; j < n; j++)
        if (st[j]) s -= A[fi[a] + j * n] * xt[j];
      rhs[a] = s;
      for (int64_t bb = 0; bb < nf; bb++) M[a + bb * nf] = A[fi[a] + fi[bb] * n];
    }
    if (nf && LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)nf, 1, M, (int)nf, rhs, (int)nf) != 0) continue;
    for (int64_t a = 0; a < nf; a++) xt[fi[a]] = rhs[a];
    for (int64_t i = 0; i < n && ok; i++) {
      double g = -b[i];
      for (int64_t j = 0; j < n; j++) g += A[i + j * n] * xt[j];
      if (st[i] == 0) ok = xt[i] >= lo[i] && xt[i] <= hi[i];
      else if (st[i] == 1) ok = g >= 0;
      else ok = g <= 0;
    }
    if (!ok) continue;
    found++;
    memcpy(x, xt, (size_t)n * sizeof *x);
    memcpy(state, st, (size_t)n * sizeof *state);
  }
  free(M), free(rhs), free(xt), free(st), free(fi);
  return found;
}

START_TEST(test_coupled_quadratic_in_a_box_matches_kkt_point_by_enumeration)
{
  lopt_kind kind = kinds[_i];
  const int64_t n = 7;
  double *A = random_spd_dense(n, 50.0, 77), b[7], lo[7], hi[7], xs[7];
  int st[7];
  test_rng rng = {31};
  for (int64_t i = 0; i < n; i++) {
    b[i] = 3.0 * test_rng_normal(&rng);
    lo[i] = i == 2 ? -INFINITY : -0.3;
    hi[i] = i == 4 ? INFINITY : 0.3;
  }
  ck_assert_int_eq(kkt_by_enumeration(n, A, b, lo, hi, xs, st), 1);
  int64_t active = 0;
  for (int64_t i = 0; i < n; i++) active += st[i] != 0;
  if (verbose() && _i == 0)
    for (int64_t i = 0; i < n; i++) fprintf(stderr, "box qp KKT: x[%lld] = %+.6f (%s)\n", (long long)i, xs[i],
                                            st[i] == 0 ? "free" : st[i] == 1 ? "at lower" : "at upper");
  ck_assert_int_ge(active, 2); /* the data make the box matter */
  ck_assert_int_lt(active, n);
  quad q = {n, A, b};
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, n, quad_fg, &q, NULL);
  lopt_problem_set_hvp(P, quad_hvp);
  ck_assert_int_eq(lopt_problem_set_bounds(P, lo, hi, NULL), LOPT_OK);
  const opt o[] = {{"gtol", "1e-8"}, {"max_iter", "2000"}, {NULL, NULL}};
  run r = run_kind(kind, P, NULL, o);
  if (!bounds_refused(&r, kind)) {
    ck_assert_msg(r.status == LOPT_OK, "%s", r.message);
    if (verbose())
      fprintf(stderr,
              "box qp %s: %s after %lld iterations, active %g (KKT: %lld), projected |g| %.3e, |x - x_kkt| %.3e\n",
              lopt_kind_name(kind), lopt_stop_name(r.r.stop), (long long)r.r.iterations, r.active, (long long)active,
              r.r.gradient_norm, amax_diff(r.x, xs, n));
    assert_converged_to_precision(&r, kind);
    /* with the KKT active set fixed on its bounds, the free block satisfies A_FF (x_F - x*_F) = g_F, so
     * |x_F - x*_F| <= ||g_F||_2 / lambda_min(A_FF) <= sqrt(n) ||g||_inf (A's eigenvalues are >= 1) */
    ck_assert_msg(amax_diff(r.x, xs, n) <= 1.01 * sqrt((double)n) * r.r.gradient_norm + 1e-15,
                  "%s: |x - x_kkt| = %g with projected gradient %g", lopt_kind_name(kind), amax_diff(r.x, xs, n),
                  r.r.gradient_norm);
    for (int64_t i = 0; i < n; i++)
      if (st[i]) ck_assert_msg(r.x[i] == xs[i], "%s: x[%lld] = %.17g should be at its bound %g", lopt_kind_name(kind),
                               (long long)i, r.x[i], xs[i]);
    ck_assert_double_eq(r.active, (double)active);
  }
  free(r.x), free(A);
  lopt_problem_destroy(&P);
}
END_TEST

/* ---- failures ------------------------------------------------------------------------------------ */

/* An MGH problem through mgh_fg, with a fault from call `from` on: return `code`, or (code 0) give
 * f = NaN and g = NaN. */
typedef struct faulty {
  mgh_eval *e;
  long calls, from;
  int code;
} faulty;

static int faulty_fg(void *ctx, int64_t n, const double *x, double *f, double *g)
{
  faulty *c = ctx;
  int rc = mgh_fg(c->e, n, x, f, g);
  if (c->calls++ < c->from) return rc;
  if (c->code) return c->code;
  *f = NAN;
  if (g)
    for (int64_t i = 0; i < n; i++) g[i] = NAN;
  return 0;
}

static lopt_problem *faulty_problem(faulty *c, const char *name)
{
  c->e = mgh_eval_create(mgh_find(name));
  lopt_problem *P = NULL;
  ck_assert_int_eq(lopt_problem_create_smooth(&P, c->e->p->n, faulty_fg, c, NULL), LOPT_OK);
  return P;
}

START_TEST(test_callback_error_stops_with_callback_and_its_code)
{
  faulty c = {NULL, 0, 12, 42};
  lopt_problem *P = faulty_problem(&c, "ext_rosenbrock10");
  double x0[10];
  c.e->p->start(c.e->p, x0);
  run r = run_kind(kinds[_i], P, x0, NULL);
  ck_assert_int_eq(r.status, LOPT_OK); /* a failed callback ends the run; it is not a failed call */
  ck_assert_msg(r.r.stop == LOPT_STOP_CALLBACK, "%s: %s", lopt_kind_name(kinds[_i]), lopt_stop_name(r.r.stop));
  ck_assert_double_eq(r.callback_code, 42);
  ck_assert_int_eq(r.r.usable, 0);
  ck_assert_msg(strlen(r.message) > 0, "no sentence");
  for (int i = 0; i < 10; i++) ck_assert(isfinite(r.x[i]));
  free(r.x);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(c.e);
}
END_TEST

START_TEST(test_nan_objective_mid_run_stops_nonfinite_with_finite_x)
{
  faulty c = {NULL, 0, 12, 0};
  lopt_problem *P = faulty_problem(&c, "ext_rosenbrock10");
  double x0[10];
  c.e->p->start(c.e->p, x0);
  run r = run_kind(kinds[_i], P, x0, NULL);
  ck_assert_int_eq(r.status, LOPT_OK);
  ck_assert_msg(r.r.stop == LOPT_STOP_NONFINITE, "%s: %s (%s)", lopt_kind_name(kinds[_i]), lopt_stop_name(r.r.stop),
                r.message);
  for (int i = 0; i < 10; i++) ck_assert(isfinite(r.x[i]));
  double f = mgh_value(c.e->p, r.x), f0 = mgh_value(c.e->p, x0);
  ck_assert_msg(f <= f0, "x is not a point the run accepted: f(x) = %g > f(x0) = %g", f, f0);
  ck_assert(isfinite(r.r.objective));
  free(r.x);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(c.e);
}
END_TEST

/* f = ||x||^2 / 2 with the gradient's component 5 reported as -100 x_5 instead of x_5: along d = -g
 * the true slope is sum_{i != 5} -x_i^2 + 100 x_5^2 > 0 at x0 = ones, so f rises for every step > 0
 * while the reported g'd < 0 promises descent. */
static int wrong_gradient_fg(void *ctx, int64_t n, const double *x, double *f, double *g)
{
  (void)ctx;
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    s += 0.5 * x[i] * x[i];
    if (g) g[i] = i == 5 ? -100.0 * x[i] : x[i];
  }
  *f = s;
  return 0;
}

START_TEST(test_gradient_inconsistent_with_f_fails_the_line_search_and_the_checker_names_it)
{
  double x0[10];
  for (int i = 0; i < 10; i++) x0[i] = 1.0;
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, 10, wrong_gradient_fg, NULL, NULL);
  lopt_gradient_check rep;
  ck_assert_int_eq(lopt_problem_check_gradient(P, x0, &rep, NULL), LOPT_OK);
  ck_assert_int_eq(rep.worst_index, 5);
  ck_assert_double_eq_tol(rep.analytic, -100.0, 1e-12);
  ck_assert_double_eq_tol(rep.numeric, 1.0, 1e-6);
  ck_assert_double_gt(rep.max_rel_error, 0.5);
  const opt nls[] = {{"method", "line_search"}, {NULL, NULL}};
  lopt_kind kind = kinds[_i];
  run r = run_kind(kind, P, x0, kind == LOPT_NEWTON_CG ? nls : NULL);
  ck_assert_int_eq(r.status, LOPT_OK);
  ck_assert_msg(r.r.stop == LOPT_STOP_LINESEARCH, "%s: %s (%s)", lopt_kind_name(kind), lopt_stop_name(r.r.stop),
                r.message);
  ck_assert_msg(strlen(r.message) > 0, "no sentence");
  ck_assert_int_eq(memcmp(r.x, x0, sizeof x0), 0); /* no step was accepted */
  if (verbose()) fprintf(stderr, "%s: %s\n", lopt_kind_name(kind), r.message);
  free(r.x);
  lopt_problem_destroy(&P);
}
END_TEST

START_TEST(test_budgets_targets_and_tolerances_end_the_run_with_their_reason)
{
  lopt_kind kind = kinds[_i];
  const mgh_problem *p = mgh_find("rosenbrock");
  mgh_eval *e = mgh_eval_create(p);
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, 2, mgh_fg, e, NULL);
  double x0[2];
  p->start(p, x0);
  const opt it[] = {{"max_iter", "3"}, {NULL, NULL}}, ev[] = {{"max_eval", "5"}, {NULL, NULL}},
            tg[] = {{"f_target", "1.0"}, {NULL, NULL}}, gt[] = {{"gtol", "1e3"}, {NULL, NULL}};
  run r = run_kind(kind, P, x0, it);
  ck_assert_int_eq(r.r.stop, LOPT_STOP_MAX_ITER);
  ck_assert_int_eq(r.r.iterations, 3);
  ck_assert_int_eq(r.r.usable, 1);
  free(r.x);
  r = run_kind(kind, P, x0, ev);
  ck_assert_msg(r.r.stop == LOPT_STOP_MAX_EVAL, "%s: %s", lopt_kind_name(kind), lopt_stop_name(r.r.stop));
  ck_assert_double_le(r.nfev, 5);
  free(r.x);
  r = run_kind(kind, P, x0, tg);
  ck_assert_int_eq(r.r.stop, LOPT_STOP_TARGET);
  ck_assert_double_le(r.r.objective, 1.0);
  ck_assert_double_le(mgh_value(p, r.x), 1.0);
  free(r.x);
  r = run_kind(kind, P, x0, gt); /* ||g(x0)||_inf = 215.6 <= 1e3: converged at the start */
  ck_assert_int_eq(r.r.stop, LOPT_STOP_GTOL);
  ck_assert_int_eq(r.r.iterations, 0);
  ck_assert_int_eq(memcmp(r.x, x0, sizeof x0), 0);
  free(r.x);
  /* the relative tests, each alone (gtol off) */
  const opt gr[] = {{"gtol", "0"}, {"gtol_rel", "1e-3"}, {NULL, NULL}},
            ft[] = {{"gtol", "0"}, {"ftol", "1e-3"}, {NULL, NULL}},
            xt[] = {{"gtol", "0"}, {"xtol", "1e-3"}, {NULL, NULL}};
  r = run_kind(kind, P, x0, gr);
  ck_assert_msg(r.r.stop == LOPT_STOP_GTOL, "%s gtol_rel: %s", lopt_kind_name(kind), lopt_stop_name(r.r.stop));
  ck_assert_double_le(r.r.gradient_norm, 1e-3 * 215.6);
  free(r.x);
  r = run_kind(kind, P, x0, ft);
  ck_assert_msg(r.r.stop == LOPT_STOP_FTOL, "%s ftol: %s (%s)", lopt_kind_name(kind), lopt_stop_name(r.r.stop),
                r.message);
  free(r.x);
  r = run_kind(kind, P, x0, xt);
  ck_assert_msg(r.r.stop == LOPT_STOP_XTOL, "%s xtol: %s (%s)", lopt_kind_name(kind), lopt_stop_name(r.r.stop),
                r.message);
  free(r.x);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(e);
}
END_TEST

/* For k = 0, 1, 2, ...: fail allocation k of create + setup + solve on Rosenbrock. Every failure is
 * ENOMEM (with a sentence naming memory once a handle exists), leaks nothing and leaves the handle
 * usable; the run that fails nothing gives the reference x bit for bit. */
START_TEST(test_every_allocation_failure_is_enomem_and_leaks_nothing)
{
  lopt_kind kind = kinds[_i];
  const mgh_problem *p = mgh_find("rosenbrock");
  mgh_eval *e = mgh_eval_create(p);
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, 2, mgh_fg, e, NULL);
  double x0[2], xref[2], x[2];
  p->start(p, x0);
  run ref = run_kind(kind, P, x0, NULL);
  ck_assert_int_gt(ref.r.stop, 0);
  memcpy(xref, ref.x, sizeof xref);
  free(ref.x);
  test_alloc alloc;
  test_alloc_init(&alloc);
  long k;
  for (k = 0; k < 10000; k++) {
    test_alloc_fail_at(&alloc, k);
    lopt_solver *s = NULL;
    const char *stage = "create";
    lopt_result r = {.size = sizeof r};
    int rc = lopt_solver_create_ex(&s, kind, &alloc.base);
    if (rc == LOPT_OK) stage = "setup", rc = lopt_solver_setup(s, P, x0);
    if (rc == LOPT_OK) stage = "solve", rc = lopt_solver_solve(s, &r);
    if (!alloc.failure_injected) {
      ck_assert_msg(rc == LOPT_OK, "%s", lopt_solver_message(s));
      ck_assert_int_gt(r.stop, 0);
      ck_assert_int_eq(lopt_solver_get_x(s, x, 2), LOPT_OK);
      ck_assert_int_eq(memcmp(x, xref, sizeof x), 0);
      lopt_solver_destroy(&s);
      ck_assert_int_eq(alloc.live_blocks, 0);
      break;
    }
    ck_assert_msg(rc == LOPT_ENOMEM, "%s: allocation %ld failed; %s returned %s (%s)", lopt_kind_name(kind), k, stage,
                  lopt_status_name(rc), lopt_solver_message(s));
    if (s) {
      ck_assert_msg(strstr(lopt_solver_message(s), "memory") != NULL, "%s: allocation %ld in %s: \"%s\"",
                    lopt_kind_name(kind), k, stage, lopt_solver_message(s));
      test_alloc_fail_at(&alloc, -1); /* the handle is still usable */
      ck_assert_int_eq(lopt_solver_setup(s, P, x0), LOPT_OK);
      ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
      ck_assert_int_eq(lopt_solver_get_x(s, x, 2), LOPT_OK);
      ck_assert_int_eq(memcmp(x, xref, sizeof x), 0);
    }
    lopt_solver_destroy(&s);
    ck_assert_msg(alloc.live_blocks == 0, "%s: %ld blocks leaked after failing allocation %ld in %s",
                  lopt_kind_name(kind), alloc.live_blocks, k, stage);
  }
  ck_assert_int_gt(k, 2);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(e);
}
END_TEST

/* Save after 7 steps, load into a fresh handle, finish: the same iterates, counts and x as a run
 * that never stopped. _i = N_KINDS: lbfgs with bounds (L-BFGS-B keeps its S'Y, S'S, Y'Y tables). */
START_TEST(test_state_saved_mid_run_resumes_bit_identically)
{
  lopt_kind kind = _i < N_KINDS ? kinds[_i] : LOPT_LBFGS;
  const mgh_problem *p = mgh_find("ext_rosenbrock10");
  mgh_eval *e = mgh_eval_create(p);
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, p->n, mgh_fg, e, NULL);
  double x0[10], xa[10], xb[10];
  p->start(p, x0);
  if (_i == N_KINDS) { /* the box cuts off (1, 1): x_{2i-1} <= 0.9 is active at the solution */
    double lo[10], hi[10];
    for (int j = 0; j < 10; j++) lo[j] = -2.0, hi[j] = j % 2 ? 2.0 : 0.9;
    ck_assert_int_eq(lopt_problem_set_bounds(P, lo, hi, NULL), LOPT_OK);
  }
  lopt_solver *a = NULL, *b = NULL;
  lopt_solver_create(&a, kind);
  ck_assert_int_eq(lopt_solver_setup(a, P, x0), LOPT_OK);
  lopt_result ra = {.size = sizeof ra}, rb = {.size = sizeof rb};
  ck_assert_int_eq(lopt_solver_solve(a, &ra), LOPT_OK);
  ck_assert_int_gt(ra.stop, 0);
  ck_assert_int_gt(ra.iterations, 10);
  lopt_solver_get_x(a, xa, 10);
  /* again, stopping after 7 steps to save */
  ck_assert_int_eq(lopt_solver_setup(a, P, x0), LOPT_OK);
  for (int k = 0; k < 7; k++) ck_assert_int_eq(lopt_solver_step(a), LOPT_OK);
  size_t len = 0;
  ck_assert_msg(lopt_solver_state_save(a, NULL, 0, &len) == LOPT_OK, "%s", lopt_solver_message(a));
  unsigned char *blob = malloc(len);
  ck_assert_int_eq(lopt_solver_state_save(a, blob, len, &len), LOPT_OK);
  lopt_solver_destroy(&a);
  lopt_solver_create(&b, kind);
  ck_assert_int_eq(lopt_solver_setup(b, P, NULL), LOPT_OK); /* a different start: the blob must override it */
  ck_assert_msg(lopt_solver_state_load(b, blob, len) == LOPT_OK, "%s", lopt_solver_message(b));
  ck_assert_int_eq(lopt_solver_solve(b, &rb), LOPT_OK);
  lopt_solver_get_x(b, xb, 10);
  ck_assert_int_eq(rb.stop, ra.stop);
  ck_assert_int_eq(rb.iterations, ra.iterations);
  ck_assert_int_eq(rb.evaluations, ra.evaluations);
  ck_assert_int_eq(rb.gradient_evaluations, ra.gradient_evaluations);
  ck_assert_msg(memcmp(xa, xb, sizeof xa) == 0, "%s: resumed x differs by %g", lopt_kind_name(kind),
                amax_diff(xa, xb, 10));
  ck_assert(ra.objective == rb.objective);
  lopt_solver_destroy(&b);
  free(blob);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(e);
}
END_TEST

static const char *const line_searches[] = {"more_thuente", "hager_zhang", "armijo"};

START_TEST(test_lbfgs_with_each_line_search_reaches_the_rosenbrock_minimum)
{
  const mgh_problem *p = mgh_find("rosenbrock");
  mgh_eval *e = mgh_eval_create(p);
  lopt_problem *P = NULL;
  lopt_problem_create_smooth(&P, 2, mgh_fg, e, NULL);
  double x0[2];
  p->start(p, x0);
  const opt o[] = {{"linesearch", line_searches[_i]}, {"gtol", "1e-9"}, {NULL, NULL}};
  run r = run_kind(LOPT_LBFGS, P, x0, o);
  ck_assert_int_eq(r.status, LOPT_OK);
  if (verbose())
    fprintf(stderr, "lbfgs + %s on rosenbrock: %s, %lld iterations, %g evaluations, f = %.3e\n", line_searches[_i],
            lopt_stop_name(r.r.stop), (long long)r.r.iterations, r.nfev, mgh_value(p, r.x));
  ck_assert_msg(r.r.stop == LOPT_STOP_GTOL, "%s: %s (%s)", line_searches[_i], lopt_stop_name(r.r.stop), r.message);
  ck_assert_double_le(mgh_value(p, r.x), 1e-15);
  ck_assert_double_le(amax_diff(r.x, p->xstar, 2), 1e-7);
  free(r.x);
  lopt_problem_destroy(&P);
  mgh_eval_destroy(e);
}
END_TEST

int main(void)
{
  Suite *su = suite_create("smooth");
  TCase *tc = tcase_create("mgh");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_kind_from_mgh_standard_start_reaches_the_published_minimum, 0, N_KINDS * mgh_count);
  suite_add_tcase(su, tc);
  tc = tcase_create("quadratic");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_nlcg_with_exact_line_search_takes_linear_cg_iterates, 0,
                      (int)(sizeof betas / sizeof betas[0]));
  tcase_add_loop_test(tc, test_lbfgs_with_exact_line_search_ends_in_n_plus_1_iterations_on_spd_quadratic, 0,
                      (int)(sizeof lbfgs_sizes / sizeof lbfgs_sizes[0]));
  suite_add_tcase(su, tc);
  tc = tcase_create("logreg");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_kinds_reach_logreg_optimum_to_1e8_and_agree);
  tcase_add_loop_test(tc, test_reported_counts_equal_the_callback_calls, 0, N_KINDS);
  suite_add_tcase(su, tc);
  tc = tcase_create("bounds");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_separable_quadratic_in_a_box_ends_at_the_projection, 0, N_KINDS);
  tcase_add_loop_test(tc, test_coupled_quadratic_in_a_box_matches_kkt_point_by_enumeration, 0, N_KINDS);
  suite_add_tcase(su, tc);
  tc = tcase_create("failures");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_callback_error_stops_with_callback_and_its_code, 0, N_KINDS);
  tcase_add_loop_test(tc, test_nan_objective_mid_run_stops_nonfinite_with_finite_x, 0, N_KINDS);
  tcase_add_loop_test(tc, test_gradient_inconsistent_with_f_fails_the_line_search_and_the_checker_names_it, 0,
                      N_KINDS);
  tcase_add_loop_test(tc, test_budgets_targets_and_tolerances_end_the_run_with_their_reason, 0, N_KINDS);
  tcase_add_loop_test(tc, test_every_allocation_failure_is_enomem_and_leaks_nothing, 0, N_KINDS);
  tcase_add_loop_test(tc, test_state_saved_mid_run_resumes_bit_identically, 0, N_KINDS + 1);
  tcase_add_loop_test(tc, test_lbfgs_with_each_line_search_reaches_the_rosenbrock_minimum, 0,
                      (int)(sizeof line_searches / sizeof line_searches[0]));
  suite_add_tcase(su, tc);
  SRunner *sr = srunner_create(su);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
