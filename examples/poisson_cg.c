/* examples/poisson_cg.c: the 2D Poisson equation solved by pcg with each built-in preconditioner.
 *
 *   poisson_cg [N]        N x N interior grid, n = N^2 unknowns (default N = 200)
 *
 * A = I (x) T + T (x) I with T = tridiag(-1, 2, -1): the 5-point stencil with Dirichlet boundary,
 * SPD with condition number cot^2(pi / (2 (N + 1))), about 0.4 (N + 1)^2. b = ones, x0 = 0,
 * rtol = 1e-8 (the default). Unpreconditioned CG needs about 1.84 N iterations (470 for N = 256,
 * as scipy's cg). The matrix is given as COO triplets of its lower triangle (LOPT_LOWER).
 *
 * One solver handle runs all five preconditioners: `precond` is fixed at setup, so it is set
 * before each lopt_solver_setup. The first run has a monitor that prints every 50th iteration.
 * Exit status 0 when every run converged, 1 otherwise. */
#include <libopt.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The lower triangle of the 2D Poisson matrix as a CSR handle built from COO triplets. */
static lopt_matrix *poisson2d_lower(int64_t N, lopt_error *err)
{
  int64_t n = N * N, cap = 3 * n, k = 0;
  int64_t *rows = malloc((size_t)cap * sizeof *rows), *cols = malloc((size_t)cap * sizeof *cols);
  double *vals = malloc((size_t)cap * sizeof *vals);
  lopt_matrix *A = NULL;
  if (rows && cols && vals) {
    for (int64_t i = 0; i < N; i++)
      for (int64_t j = 0; j < N; j++) {
        int64_t row = i * N + j; /* unknown (i, j) of the grid */
        rows[k] = row, cols[k] = row, vals[k++] = 4.0;
        if (j > 0) rows[k] = row, cols[k] = row - 1, vals[k++] = -1.0; /* west neighbour */
        if (i > 0) rows[k] = row, cols[k] = row - N, vals[k++] = -1.0; /* south neighbour */
      }
    lopt_matrix_create_coo(&A, n, n, k, rows, cols, vals, LOPT_LOWER, err);
  } else {
    snprintf(err->message, sizeof err->message, "no memory for %lld triplets", (long long)cap);
  }
  free(rows), free(cols), free(vals);
  return A;
}

/* Monitor: print the relative (recursive) residual; ctx points to ||b||. */
static int print_progress(const lopt_monitor_info *info, void *ctx)
{
  const double bnorm = *(const double *)ctx;
  printf("    iteration %5lld  ||r|| / ||b|| = %.3e  (%.3f s)\n", (long long)info->iteration,
         info->residual / bnorm, info->seconds);
  return LOPT_MONITOR_CONTINUE;
}

/* Set up `s` on `p` with the preconditioner `precond`, solve, print one table row.
 * Returns 1 when the run converged, 0 otherwise. */
static int run(lopt_solver *s, const lopt_problem *p, const char *precond)
{
  lopt_result r = {.size = sizeof r};
  double rel = 0.0;
  int rc = lopt_solver_set_choice(s, "precond", precond);
  if (rc == LOPT_OK) rc = lopt_solver_setup(s, p, NULL);
  if (rc == LOPT_OK) rc = lopt_solver_solve(s, &r);
  if (rc == LOPT_OK) rc = lopt_solver_figure(s, "rel_residual", &rel);
  if (rc != LOPT_OK) {
    printf("%-8s  failed: %s: %s\n", precond, lopt_status_name(rc), lopt_solver_message(s));
    return 0;
  }
  printf("%-8s %6lld %10.4f %12.3e  %s\n", precond, (long long)r.iterations, r.seconds, rel, lopt_stop_name(r.stop));
  if (r.stop <= 0) { /* not converged: the message says why (budget, not SPD, NaN, ...) */
    printf("          %s: %s\n", lopt_stop_description(r.stop), lopt_solver_message(s));
    return 0;
  }
  return 1;
}

int main(int argc, char **argv)
{
  int64_t N = 200;
  if (argc > 2) {
    fprintf(stderr, "usage: %s [N]   (N x N grid, default 200)\n", argv[0]);
    return 2;
  }
  if (argc == 2) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(argv[1], &end, 10);
    if (errno || end == argv[1] || *end || v < 1 || v > 20000) {
      fprintf(stderr, "%s: N must be an integer in 1..20000; got '%s'\n", argv[0], argv[1]);
      return 2;
    }
    N = (int64_t)v;
  }
  const int64_t n = N * N;

  lopt_error err = {0};
  lopt_matrix *A = poisson2d_lower(N, &err);
  double *b = malloc((size_t)n * sizeof *b);
  lopt_problem *p = NULL;
  lopt_solver *s = NULL;
  int converged = 0, runs = 0;
  if (!A || !b) {
    fprintf(stderr, "poisson_cg: building the matrix failed: %s\n", err.message);
    goto done;
  }
  for (int64_t i = 0; i < n; i++) b[i] = 1.0;
  double bnorm = (double)N; /* ||ones(N^2)|| */
  if (lopt_problem_create_linear(&p, A, b, &err) != LOPT_OK) {
    fprintf(stderr, "poisson_cg: %s\n", err.message);
    goto done;
  }
  if (lopt_solver_create(&s, LOPT_PCG) != LOPT_OK) {
    fprintf(stderr, "poisson_cg: could not create a pcg solver\n");
    goto done;
  }

  printf("2D Poisson, N = %lld: n = %lld unknowns, %lld stored entries (lower triangle)\n", (long long)N,
         (long long)n, (long long)lopt_matrix_nnz(A));
  printf("seconds = setup (assembly, preconditioner, factorization) + iterations\n\n");
  printf("%-8s %6s %10s %12s  %s\n", "precond", "iters", "seconds", "rel_residual", "stop");

  /* The first run reports its progress every 50 iterations. */
  lopt_solver_set_monitor(s, print_progress, &bnorm);
  lopt_solver_set_int(s, "monitor_every", 50);
  static const char *const preconds[] = {"none", "jacobi", "ssor", "ic0", "cholmod"};
  for (size_t k = 0; k < sizeof preconds / sizeof preconds[0]; k++) {
    converged += run(s, p, preconds[k]);
    runs++;
    lopt_solver_set_monitor(s, NULL, NULL);
  }

done:
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p); /* after the solver: the solver borrows the problem */
  lopt_matrix_destroy(&A);  /* after the problem: the problem borrows A */
  free(b);
  return runs > 0 && converged == runs ? 0 : 1;
}
