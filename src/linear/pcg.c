/* src/linear/pcg.c: preconditioned conjugate gradient for A x = b, A symmetric positive definite.
 *
 * Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., Algorithm 9.1 (Hestenes & Stiefel 1952):
 *   r = b - A x, z = M^{-1} r, p = z, rho = r'z
 *   loop: q = A p; alpha = rho / p'q; x += alpha p; r -= alpha q;
 *         stop if ||r|| <= max(rtol ||b||, atol); z = M^{-1} r; rho' = r'z; p = z + (rho'/rho) p
 * A may be dense, sparse (any storage: copied once into a full CSR with 32-bit column indices,
 * the form streamed every iteration) or a matrix-free operator.
 *
 * Passes over memory per iteration, unpreconditioned: one SpMV that also returns p'q, one fused
 * update of x and r that returns ||r||^2, and one update of p. Nothing is allocated after setup.
 * Breakdowns: p'q <= 0 proves A is not SPD (not_spd); r'z <= 0 with r != 0 proves M is not SPD
 * (not_spd); a non-finite p'q ends the run with `nonfinite` before x changes (a non-finite ||r||
 * after the update also ends it, with x already updated by a finite step).
 * When the recursive residual passes, b - A x is computed and must pass too; if it does not, CG
 * restarts from it (residual replacement, van der Vorst & Ye, SIAM J. Sci. Comput. 22, 2000) at
 * most max_replacements times, then ends with `stagnation`. The true residual is reported
 * (rel_residual). */
#include <math.h>
#include <string.h>

#include "linop.h"
#include "precond.h"

enum { O_RTOL, O_ATOL, O_MAX_ITER, O_MAX_TIME, O_MONITOR_EVERY, O_PRECOND, O_SSOR_OMEGA, O_IC_SHIFT, O_PRECOND_FN,
       O_CHECK_SYMMETRY, O_MAX_REPLACEMENTS };

static const char *const precond_names[] = {"none", "jacobi", "ssor", "ic0", "cholmod", "user", NULL};

static const lopt_option_info pcg_options[] = {
  [O_RTOL] = {"rtol", LOPT_OPT_DOUBLE, "stop when ||b - Ax|| <= max(rtol ||b||, atol)", 1e-8, 0, 1, 0, 0, NULL, 1},
  [O_ATOL] = {"atol", LOPT_OPT_DOUBLE, "absolute residual tolerance (see rtol)", 0, 0, INFINITY, 0, 1, NULL, 1},
  [O_MAX_ITER] = {"max_iter", LOPT_OPT_INT, "iteration budget; 0 means 10 n", 0, 0, 9.2e18, 0, 0, NULL, 1},
  [O_MAX_TIME] = {"max_time", LOPT_OPT_DOUBLE, "wall-time budget in seconds", INFINITY, 0, INFINITY, 1, 0, NULL, 1},
  [O_MONITOR_EVERY] = {"monitor_every", LOPT_OPT_INT, "call the monitor every k iterations (0: never)", 1, 0, 9.2e18,
                       0, 0, NULL, 1},
  [O_PRECOND] = {"precond", LOPT_OPT_CHOICE, "preconditioner: none, jacobi, ssor, ic0, cholmod (exact) or user", 0,
                 0, 0, 0, 0, precond_names, 0},
  [O_SSOR_OMEGA] = {"ssor_omega", LOPT_OPT_DOUBLE, "SSOR relaxation factor omega (1: symmetric Gauss-Seidel)", 1.0, 0,
                    2, 1, 1, NULL, 0},
  [O_IC_SHIFT] = {"ic_shift", LOPT_OPT_DOUBLE, "first diagonal shift alpha tried when IC(0) breaks down (doubles)",
                  1e-3, 0, INFINITY, 1, 1, NULL, 0},
  [O_PRECOND_FN] = {"precond_fn", LOPT_OPT_CALLBACK, "user preconditioner z = M^{-1} r (precond = user); M SPD", 0, 0,
                    0, 0, 0, NULL, 0},
  [O_CHECK_SYMMETRY] = {"check_symmetry", LOPT_OPT_BOOL, "refuse a general-stored A that is not symmetric", 1, 0, 1, 0,
                        0, NULL, 0},
  [O_MAX_REPLACEMENTS] = {"max_replacements", LOPT_OPT_INT,
                          "when the recursive residual passes but b - Ax does not, restart from b - Ax this often", 2,
                          0, 100, 0, 0, NULL, 1},
};

typedef struct pcg_work {
  linop A;
  const double *b;
  precond M;
  double *r, *z, *p, *q; /* z aliases r when there is no preconditioner */
  double rho, rr, bnorm;
  double true_residual;
  int true_known;        /* true_residual is that of the current x */
  int64_t replacements;  /* restarts from the true residual */
  int callback_code;     /* from the preconditioner callback */
} pcg_work;

static void pcg_release(lopt_solver *s)
{
  pcg_work *w = s->impl;
  if (!w) return;
  linop_free(s, &w->A);
  precond_free(s, &w->M);
  if (w->z != w->r) lopt_free(s, w->z);
  lopt_free(s, w->r);
  lopt_free(s, w->p);
  lopt_free(s, w->q);
  lopt_free(s, w);
  s->impl = NULL;
}

/* Set the stop reason when the (recursive) residual passes the test. The tolerances are read at
 * each test: rtol and atol may change between steps. */
static int converged(lopt_solver *s, pcg_work *w)
{
  const double rtol = lopt_opt_d(s, O_RTOL), atol = lopt_opt_d(s, O_ATOL);
  if (sqrt(w->rr) > fmax(rtol * w->bnorm, atol)) return 0;
  s->stop = rtol * w->bnorm >= atol ? LOPT_STOP_RTOL : LOPT_STOP_ATOL;
  return 1;
}

/* The recursive residual passed: confirm with b - A x (the recursion drifts from it in finite
 * precision). If the true residual fails, restart CG from it (residual replacement) while
 * max_replacements allows; otherwise end with `stagnation`. Returns 1 when the run ended. */
static int confirm_true_residual(lopt_solver *s, pcg_work *w)
{
  const lopt_stop passed = s->stop;
  if (isnan(linop_apply_dot(&w->A, s->x, w->q, s->n)) && w->A.callback_code) {
    s->stop = LOPT_STOP_CALLBACK;
    lopt_fail(s, LOPT_OK, "pcg: the operator callback returned %d at iteration %lld", w->A.callback_code,
              (long long)s->iter + 1);
    return 1;
  }
  for (int64_t i = 0; i < s->n; i++) w->q[i] = w->b[i] - w->q[i];
  w->true_residual = lopt_norm2(w->q, s->n);
  w->true_known = 1;
  s->nfev = w->A.matvecs;
  s->stop = LOPT_STOP_RUNNING;
  const double tol = fmax(lopt_opt_d(s, O_RTOL) * w->bnorm, lopt_opt_d(s, O_ATOL));
  if (w->true_residual <= tol) {
    s->stop = passed;
    s->residual = w->true_residual;
    return 1;
  }
  if (w->replacements >= lopt_opt_i(s, O_MAX_REPLACEMENTS)) {
    s->stop = LOPT_STOP_STAGNATION;
    s->residual = w->true_residual;
    lopt_fail(s, LOPT_OK, "pcg: the recursive residual met the tolerance %.3g but ||b - Ax|| = %.3g after %lld "
              "restarts from the true residual: this accuracy is out of reach in double precision", tol,
              w->true_residual, (long long)w->replacements);
    return 1;
  }
  memcpy(w->r, w->q, (size_t)s->n * sizeof *w->r);
  w->rr = w->true_residual * w->true_residual;
  s->residual = w->true_residual;
  w->true_known = 0;
  w->replacements++;
  return 0;
}

/* z = M^{-1} r and rho = r'z, with the breakdown checks shared by setup and step. */
static void precondition(lopt_solver *s, pcg_work *w)
{
  if (w->M.type == PRECOND_NONE) {
    w->rho = w->rr;
    return;
  }
  int code = precond_apply(&w->M, w->r, w->z, &w->rho);
  if (code && w->M.type == PRECOND_CHOLMOD) {
    s->stop = LOPT_STOP_BREAKDOWN;
    lopt_fail(s, LOPT_OK, "pcg: the CHOLMOD solve failed (status %d) at iteration %lld", w->M.cc.status,
              (long long)s->iter + 1);
  } else if (code) {
    w->callback_code = code;
    s->stop = LOPT_STOP_CALLBACK;
    lopt_fail(s, LOPT_OK, "pcg: the preconditioner failed (code %d) at iteration %lld", code, (long long)s->iter);
  } else if (!isfinite(w->rho)) {
    s->stop = LOPT_STOP_NONFINITE;
    lopt_fail(s, LOPT_OK, "pcg: the preconditioned residual r'z is %g at iteration %lld", w->rho, (long long)s->iter);
  } else if (!(w->rho > 0)) {
    s->stop = LOPT_STOP_NOT_SPD;
    lopt_fail(s, LOPT_OK, "pcg: r'M^{-1}r = %g <= 0 at iteration %lld: the preconditioner is not SPD", w->rho,
              (long long)s->iter);
  }
}

static int pcg_setup(lopt_solver *s, const lopt_problem *prob, const double *x0)
{
  (void)x0; /* the core has copied it into s->x */
  int rc = lopt_require_problem(s, prob, LOPT_PROBLEM_LINEAR);
  if (rc) return rc;
  const lopt_matrix *A = prob->u.linear.A;
  int64_t n = prob->dim;
  precond_type pt = (precond_type)lopt_opt_choice(s, O_PRECOND);
  lopt_opt_value user = lopt_opt_raw(s, O_PRECOND_FN);
  int assembled_precond = pt == PRECOND_SSOR || pt == PRECOND_IC0 || pt == PRECOND_CHOLMOD;
  if (A->storage == LOPT_OPERATOR && pt != PRECOND_NONE && pt != PRECOND_USER)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "pcg: precond '%s' needs an assembled matrix; A is a matrix-free operator "
                     "(use none or user)", precond_names[pt]);
  if (pt == PRECOND_USER && !user.cb.fn)
    return lopt_fail(s, LOPT_EINVAL, "pcg: precond is 'user' but no 'precond_fn' callback was set "
                     "(lopt_solver_set_callback(s, \"precond_fn\", fn, ctx))");

  pcg_work *w = lopt_calloc(s, 1, sizeof *w);
  if (!w) return lopt_fail(s, LOPT_ENOMEM, "pcg: no memory for the work space");
  s->impl = w;
  w->b = prob->u.linear.b;
  if ((rc = linop_init(s, &w->A, A, assembled_precond, lopt_opt_b(s, O_CHECK_SYMMETRY)))) return rc;
  w->r = lopt_alloc_f64(s, n);
  w->p = lopt_alloc_f64(s, n);
  w->q = lopt_alloc_f64(s, n);
  w->z = pt == PRECOND_NONE ? w->r : lopt_alloc_f64(s, n);
  if (!w->r || !w->p || !w->q || !w->z)
    return lopt_fail(s, LOPT_ENOMEM, "pcg: no memory for the CG vectors (4 x %lld doubles)", (long long)n);

  int not_spd = 0;
  if ((rc = precond_build(s, &w->M, pt, A, &w->A.csr, lopt_opt_d(s, O_SSOR_OMEGA), lopt_opt_d(s, O_IC_SHIFT),
                          &not_spd)))
    return rc;
  w->M.fn = user.cb.fn;
  w->M.ctx = user.cb.ctx;
  s->max_iter_default = 10 * (n > 0 ? n : 1);

  /* Dense A multiplies through gemv: drop the CSR unless SSOR sweeps over it. */
  if (!w->A.use_csr && pt != PRECOND_SSOR) lopt_csr_free(s, &w->A.csr);

  w->bnorm = lopt_norm2(w->b, n);
  w->true_residual = NAN;
  if (not_spd) {
    s->stop = LOPT_STOP_NOT_SPD;
    return LOPT_OK;
  }
  if (w->bnorm == 0) { /* A x = 0 with A SPD: x = 0, exactly, in no iterations */
    memset(s->x, 0, (size_t)n * sizeof *s->x);
    memset(w->r, 0, (size_t)n * sizeof *w->r);
    w->rr = 0;
    s->residual = 0;
    s->stop = LOPT_STOP_EXACT;
    return LOPT_OK;
  }
  /* r = b - A x0 */
  if (isnan(linop_apply_dot(&w->A, s->x, w->q, n)) && w->A.callback_code) {
    s->stop = LOPT_STOP_CALLBACK;
    lopt_fail(s, LOPT_OK, "pcg: the operator callback returned %d on x0", w->A.callback_code);
    return LOPT_OK;
  }
  for (int64_t i = 0; i < n; i++) w->r[i] = w->b[i] - w->q[i];
  w->rr = lopt_dot(w->r, w->r, n);
  s->residual = sqrt(w->rr);
  if (!isfinite(w->rr)) {
    s->stop = LOPT_STOP_NONFINITE;
    lopt_fail(s, LOPT_OK, "pcg: the initial residual b - A x0 is not finite");
    return LOPT_OK;
  }
  if (converged(s, w)) return LOPT_OK;
  precondition(s, w);
  if (s->stop == LOPT_STOP_RUNNING) memcpy(w->p, w->z, (size_t)n * sizeof *w->p);
  return LOPT_OK;
}

static int pcg_step(lopt_solver *s)
{
  pcg_work *w = s->impl;
  const int64_t n = s->n;
  double *restrict x = s->x, *restrict r = w->r, *restrict p = w->p, *restrict q = w->q;
  const double *restrict z = w->z;

  double pq = linop_apply_dot(&w->A, p, q, n); /* q = A p */
  if (!(pq > 0) || !isfinite(pq)) {
    if (isnan(pq) && w->A.callback_code) {
      s->stop = LOPT_STOP_CALLBACK;
      lopt_fail(s, LOPT_OK, "pcg: the operator callback returned %d at iteration %lld", w->A.callback_code,
                (long long)s->iter + 1);
    } else if (!isfinite(pq)) {
      s->stop = LOPT_STOP_NONFINITE;
      lopt_fail(s, LOPT_OK, "pcg: p'Ap is %g at iteration %lld", pq, (long long)s->iter);
    } else {
      s->stop = LOPT_STOP_NOT_SPD;
      lopt_fail(s, LOPT_OK, "pcg: p'Ap = %.3g <= 0 at iteration %lld: A is not positive definite", pq,
                (long long)s->iter);
    }
    return LOPT_OK;
  }
  const double alpha = w->rho / pq;
  double rr = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : rr) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    x[i] += alpha * p[i]; /* x <- x + alpha p */
    r[i] -= alpha * q[i]; /* r <- r - alpha A p */
    rr += r[i] * r[i];
  }
  w->rr = rr;
  s->residual = sqrt(rr);
  s->nfev = w->A.matvecs;
  if (!isfinite(rr)) {
    s->stop = LOPT_STOP_NONFINITE;
    return lopt_fail(s, LOPT_OK, "pcg: the residual norm is %g at iteration %lld", rr, (long long)s->iter);
  }
  double beta_scale = 1.0;
  if (converged(s, w)) {
    if (confirm_true_residual(s, w)) return LOPT_OK;
    beta_scale = 0.0; /* restarted from b - A x: the next direction is z itself */
  }
  const double rho_old = w->rho;
  precondition(s, w);
  if (s->stop != LOPT_STOP_RUNNING) return LOPT_OK;
  const double beta = beta_scale * w->rho / rho_old;
#pragma omp parallel for simd schedule(static) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) p[i] = z[i] + beta * p[i]; /* p <- z + beta p */
  return LOPT_OK;
}

/* The true residual ||b - A x|| at the end, unless the last step already computed it. */
static void pcg_finish(lopt_solver *s)
{
  pcg_work *w = s->impl;
  if (!w || s->stop == LOPT_STOP_CALLBACK || w->true_known) return;
  if (isnan(linop_apply_dot(&w->A, s->x, w->q, s->n)) && w->A.callback_code) return;
  for (int64_t i = 0; i < s->n; i++) w->q[i] = w->b[i] - w->q[i];
  w->true_residual = lopt_norm2(w->q, s->n);
  s->residual = w->true_residual;
  s->nfev = w->A.matvecs;
}

static const char *const pcg_figures[] = {"rel_residual", "true_residual", "recursive_residual", "cg_iters",
                                          "matvecs", "ic_shift", "bnorm", "callback_code", "replacements", NULL};

static int pcg_figure(const lopt_solver *s, const char *name, double *v)
{
  const pcg_work *w = s->impl;
  if (!w) return lopt_fail(s, LOPT_ESTATE, "pcg: no figures before setup");
  if (!strcmp(name, "rel_residual")) *v = w->bnorm > 0 ? w->true_residual / w->bnorm : w->true_residual;
  else if (!strcmp(name, "true_residual")) *v = w->true_residual;
  else if (!strcmp(name, "recursive_residual")) *v = sqrt(w->rr);
  else if (!strcmp(name, "cg_iters")) *v = (double)s->iter;
  else if (!strcmp(name, "matvecs")) *v = (double)w->A.matvecs;
  else if (!strcmp(name, "ic_shift")) *v = w->M.shift;
  else if (!strcmp(name, "bnorm")) *v = w->bnorm;
  else if (!strcmp(name, "replacements")) *v = (double)w->replacements;
  else *v = (double)(w->A.callback_code ? w->A.callback_code : w->callback_code);
  return LOPT_OK;
}

/* State: x, r, p (z is recomputed from r), rho, rr, matvecs. */
static size_t pcg_state_size(const lopt_solver *s)
{
  return 3 * (size_t)s->n * sizeof(double) + 2 * sizeof(double) + sizeof(int64_t);
}

static void pcg_state_write(const lopt_solver *s, unsigned char *buf)
{
  const pcg_work *w = s->impl;
  size_t bytes = (size_t)s->n * sizeof(double);
  buf = lopt_put(buf, s->x, bytes);
  buf = lopt_put(buf, w->r, bytes);
  buf = lopt_put(buf, w->p, bytes);
  buf = lopt_put(buf, &w->rho, sizeof w->rho);
  buf = lopt_put(buf, &w->rr, sizeof w->rr);
  lopt_put(buf, &w->A.matvecs, sizeof w->A.matvecs);
}

static int pcg_state_read(lopt_solver *s, const unsigned char *buf, size_t len)
{
  pcg_work *w = s->impl;
  if (len != pcg_state_size(s))
    return lopt_fail(s, LOPT_EFORMAT, "pcg: state payload has %zu bytes; expected %zu", len, pcg_state_size(s));
  size_t bytes = (size_t)s->n * sizeof(double);
  buf = lopt_get(buf, s->x, bytes);
  buf = lopt_get(buf, w->r, bytes);
  buf = lopt_get(buf, w->p, bytes);
  buf = lopt_get(buf, &w->rho, sizeof w->rho);
  buf = lopt_get(buf, &w->rr, sizeof w->rr);
  lopt_get(buf, &w->A.matvecs, sizeof w->A.matvecs);
  /* z = M^{-1} r is a function of r (deterministic preconditioners), so recompute it. */
  if (w->M.type != PRECOND_NONE) {
    double rho;
    if (precond_apply(&w->M, w->r, w->z, &rho))
      return lopt_fail(s, LOPT_ECALLBACK, "pcg: the preconditioner failed while restoring state");
  }
  w->true_residual = NAN;
  return LOPT_OK;
}

const lopt_kind_vtable lopt_pcg_vtable = {
  .kind = LOPT_PCG,
  .name = "pcg",
  .summary = "preconditioned conjugate gradient for symmetric positive definite A x = b",
  .options = pcg_options,
  .n_options = sizeof pcg_options / sizeof pcg_options[0],
  .setup = pcg_setup,
  .step = pcg_step,
  .finish = pcg_finish,
  .release = pcg_release,
  .figure_names = pcg_figures,
  .figure = pcg_figure,
  .state_size = pcg_state_size,
  .state_write = pcg_state_write,
  .state_read = pcg_state_read,
};
