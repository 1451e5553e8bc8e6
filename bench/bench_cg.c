/* bench/bench_cg.c: the `cg` suite: sparse SPD A x = b with b = ones, x0 = 0, rtol = 1e-8 on the
 * true 2-norm (reference/solvers.md §2).
 *
 * Cases: 2D Poisson (5-point, N x N grid) and 3D Poisson (7-point, N^3 grid), stored general
 * (both triangles), and one case per Matrix Market file in <shared>/data/matrices/ (named by file
 * stem) that is square and symmetric. Full mode: poisson2d_1000 (1 M unknowns), poisson3d_100
 * (1 M); quick mode: poisson2d_300, poisson3d_40, and the shared matrices with fewer solvers.
 *
 * Solvers (all the `pcg` kind): cg (precond none), pcg_jacobi, pcg_ssor, pcg_ic0, cholmod
 * (precond cholmod: the exact factorization, converging in one iteration).
 *
 * Timing: per solver one warm-up run (setup + 2 iterations; none for cholmod, whose warm-up would
 * be a whole factorization), then `repeat` runs (default 3, quick 1) of setup + solve on a fresh
 * handle; medians are reported. `seconds` is the solve alone (setup excluded) for the iterative
 * solvers and setup + solve for cholmod (the factorization is its work); `setup_seconds` and
 * `total_seconds` are reported for every solver. The accuracy figure is the true relative
 * residual ||b - A x|| / ||b|| at exit (figure "rel_residual"), beside the iteration count and
 * the stop reason.
 *
 * Bandwidth: bytes the iteration must stream (formulas below, no write-allocate) x iterations /
 * solve seconds, beside a STREAM triad over a working set of the same size as CG's (matrix + the
 * four CG vectors), measured in this run with the same thread count. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libopt.h>

#include "bench_common.h"

/* Rows below this run on one thread inside the library (LOPT_PAR_MIN in
 * src/linalg/matrix_internal.h); the triad of such a case runs on one thread too. */
enum { CG_PAR_MIN = 20000 };

enum { SOLVER_CG, SOLVER_JACOBI, SOLVER_SSOR, SOLVER_IC0, SOLVER_CHOLMOD, N_SOLVERS };

static const struct {
  const char *name;    /* the `solver` field */
  const char *precond; /* the pcg option */
} solvers[N_SOLVERS] = {
  [SOLVER_CG] = {"cg", "none"},
  [SOLVER_JACOBI] = {"pcg_jacobi", "jacobi"},
  [SOLVER_SSOR] = {"pcg_ssor", "ssor"},
  [SOLVER_IC0] = {"pcg_ic0", "ic0"},
  [SOLVER_CHOLMOD] = {"cholmod", "cholmod"},
};

#define ALL_SOLVERS ((1u << N_SOLVERS) - 1)
/* Quick mode on the shared (badly conditioned, small) matrices: plain CG (the headline), the
 * cheapest preconditioner that fixes the scaling, IC0, and the direct comparator. */
#define QUICK_SHARED_SOLVERS ((1u << SOLVER_CG) | (1u << SOLVER_JACOBI) | (1u << SOLVER_IC0) | (1u << SOLVER_CHOLMOD))

/* Stop repeating a solver once its timed runs have used this much wall time. */
#define RUN_BUDGET_SECONDS 10.0
enum { MAX_RUNS = 64 };

/* ---- bytes per iteration --------------------------------------------------------------------
 *
 * The unpreconditioned loop of src/linear/pcg.c streams per iteration (n rows, nnz entries of
 * the full CSR with 32-bit column indices; each array entry counted once, the gathers p[col[k]]
 * assumed to hit cache; writes counted once, write-allocate not counted, as in the triad):
 *   q = A p and p'q (lopt_csr_apply_dot): val 8 nnz + col 4 nnz + row ptr 8 (n + 1)
 *                                         + p read 8 n + q write 8 n
 *   x += alpha p; r -= alpha q; r'r     : reads x, p, r, q; writes x, r          6 x 8 n
 *   p = r + beta p                      : reads r, p; writes p                    3 x 8 n
 *   bytes/iter = 12 nnz + 8 (n + 1) + 8 n (1 + 1 + 6 + 3) = 12 nnz + 8 (n + 1) + 88 n
 * The preconditioned loop is the same (z in place of r in the p update) plus z = M^{-1} r: */
static double cg_bytes_per_iter(int64_t n, int64_t nnz)
{
  return 12.0 * (double)nnz + 8.0 * (double)(n + 1) + 88.0 * (double)n;
}

/* Bytes z = M^{-1} r (with r'z) adds per iteration; NaN when not modelled (cholmod: the traffic
 * is the factor's, which the public API does not expose).
 *   jacobi: z = dinv .* r and r'z in one pass: reads dinv, r; writes z                 24 n
 *   ssor (precond.c ssor_apply, serial): forward sweep reads row ptr, diag_pos, the strictly lower
 *     entries (12 B), the diagonal value, r, writes z; backward sweep reads row ptr, diag_pos,
 *     the strictly upper entries, the diagonal value again, reads and writes z; the scale pass
 *     reads z, r and writes z:  12 (nnz - n) + 2 x (8 + 8 + 8) n + 16 n + 16 n + 24 n
 *     = 12 nnz + 92 n
 *   ic0 (precond.c ic0_apply, serial): L = tril(A) pattern, (nnz - n) / 2 strict entries of 12 B
 *     plus n diagonal values, int64 row ptr; L y = r reads L, lptr, r and writes z; L' z = y
 *     reads L, lptr again and reads and writes z (the scatter into earlier z assumed cached);
 *     r'z reads r, z:  12 (nnz - n) + 2 x (8 + 8) n + 16 n + 16 n + 16 n = 12 nnz + 68 n */
static double precond_bytes_per_iter(int solver, int64_t n, int64_t nnz)
{
  double dn = (double)n, dnnz = (double)nnz;
  switch (solver) {
  case SOLVER_CG: return 0;
  case SOLVER_JACOBI: return 24.0 * dn;
  case SOLVER_SSOR: return 12.0 * dnnz + 92.0 * dn;
  case SOLVER_IC0: return 12.0 * dnnz + 68.0 * dn;
  default: return NAN;
  }
}

/* CG's working set: the CSR (val, col32, row ptr) and the four vectors x, r, p, q. */
static double cg_working_set_bytes(int64_t n, int64_t nnz)
{
  return 12.0 * (double)nnz + 8.0 * (double)(n + 1) + 4.0 * 8.0 * (double)n;
}

/* ---- matrices ------------------------------------------------------------------------------ */

/* Poisson on an N^dim interior grid with Dirichlet boundary: 2 dim on the diagonal, -1 for each
 * grid neighbour; all entries stored (general). Row i = x + N y + N^2 z. */
static int poisson(lopt_matrix **A, int dim, int64_t N, lopt_error *err)
{
  int64_t n = 1, stride[3] = {1, N, N * N};
  for (int d = 0; d < dim; d++) n *= N;
  size_t cap = (size_t)n * (size_t)(2 * dim + 1);
  int64_t *ri = malloc(cap * sizeof *ri), *ci = malloc(cap * sizeof *ci);
  double *v = malloc(cap * sizeof *v);
  if (!ri || !ci || !v) {
    free(ri), free(ci), free(v);
    if (err) snprintf(err->message, sizeof err->message, "no memory for %zu triplets", cap);
    return LOPT_ENOMEM;
  }
  int64_t k = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t coord[3] = {0, 0, 0}, rem = i;
    for (int d = 0; d < dim; d++) coord[d] = rem % N, rem /= N;
    for (int d = dim - 1; d >= 0; d--) /* columns in increasing order: -z, -y, -x, diag, +x, +y, +z */
      if (coord[d] > 0) ri[k] = i, ci[k] = i - stride[d], v[k++] = -1.0;
    ri[k] = i, ci[k] = i, v[k++] = 2.0 * dim;
    for (int d = 0; d < dim; d++)
      if (coord[d] < N - 1) ri[k] = i, ci[k] = i + stride[d], v[k++] = -1.0;
  }
  int rc = lopt_matrix_create_coo(A, n, n, k, ri, ci, v, LOPT_GENERAL, err);
  free(ri), free(ci), free(v);
  return rc;
}

/* Entries of the full matrix (what CG streams): a stored triangle counts its mirror too. */
static int64_t full_nnz(const lopt_matrix *A)
{
  int64_t nnz = lopt_matrix_nnz(A);
  if (lopt_matrix_stype(A) == LOPT_GENERAL) return nnz;
  const int64_t *ptr, *idx;
  const double *val;
  if (lopt_matrix_sparse_arrays(A, &ptr, &idx, &val)) return nnz; /* dense: all stored already */
  int64_t outer = lopt_matrix_storage(A) == LOPT_CSR ? lopt_matrix_nrows(A) : lopt_matrix_ncols(A), diag = 0;
  for (int64_t j = 0; j < outer; j++)
    for (int64_t p = ptr[j]; p < ptr[j + 1]; p++) diag += idx[p] == j;
  return 2 * nnz - diag;
}

/* ---- one solver on one case ------------------------------------------------------------------ */

typedef struct cg_run {
  int status;        /* lopt_status of create/setup/solve */
  char message[256]; /* the solver's sentence when status != 0 */
  double setup, solve;
  int64_t iters;
  double rel_residual;
  int stop;
} cg_run;

static void run_once(const lopt_problem *P, int solver, int64_t max_iter, cg_run *out)
{
  memset(out, 0, sizeof *out);
  out->rel_residual = NAN;
  lopt_solver *s = NULL;
  int rc = lopt_solver_create(&s, LOPT_PCG);
  if (!rc) rc = lopt_solver_set_double(s, "rtol", 1e-8);
  if (!rc) rc = lopt_solver_set_choice(s, "precond", solvers[solver].precond);
  if (!rc && max_iter > 0) rc = lopt_solver_set_int(s, "max_iter", max_iter);
  double t0 = bench_now();
  if (!rc) rc = lopt_solver_setup(s, P, NULL);
  double t1 = bench_now();
  lopt_result res = {.size = sizeof res};
  if (!rc) rc = lopt_solver_solve(s, &res);
  double t2 = bench_now();
  out->status = rc;
  out->setup = t1 - t0;
  out->solve = t2 - t1;
  if (rc) {
    snprintf(out->message, sizeof out->message, "%s", s ? lopt_solver_message(s) : "no memory for the solver");
  } else {
    out->iters = res.iterations;
    out->stop = res.stop;
    if (lopt_solver_figure(s, "rel_residual", &out->rel_residual)) out->rel_residual = NAN;
  }
  lopt_solver_destroy(&s);
}

typedef struct cg_case {
  char name[64];
  const lopt_matrix *A;
  const lopt_problem *P;
  int64_t n, nnz;     /* rows, entries of the full matrix */
  int bound_threads;  /* threads the library's loops use on this n */
} cg_case;

static const bench_column cg_columns[] = {
  {"case", "case", 15, NULL, 0},          {"solver", "solver", 10, NULL, 0},
  {"n", "n", 8, NULL, 0},                 {"nnz", "nnz", 9, NULL, 0},
  {"iters", "iters", 6, NULL, 0},         {"seconds", "seconds", 8, "%.3f", 0},
  {"setup_seconds", "setup_s", 7, "%.3f", 0}, {"seconds_per_iter", "ms/iter", 8, "%.3f", 1e3},
  {"rel_residual", "rel_res", 8, "%.1e", 0},  {"gbytes_per_s", "GB/s", 6, "%.1f", 0},
  {"bound_gbytes_per_s", "bound", 6, "%.1f", 0}, {"fraction_of_bound", "frac", 5, "%.2f", 0},
  {"stop", "stop", 8, NULL, 0},
};

static bench_table cg_table = {
  "suite cg: A x = b, b = ones, rtol 1e-8 (seconds: solve only, cholmod: setup + solve; GB/s vs a triad of CG's "
  "working set)",
  cg_columns, (int)(sizeof cg_columns / sizeof cg_columns[0]), 0};

/* Warm up, time `runs` runs, emit the record. Returns 0, or 1 when the solver failed to run. */
static int bench_solver(const bench_config *cfg, const cg_case *c, int solver)
{
  int runs = cfg->repeat ? cfg->repeat : (cfg->quick ? 1 : 3);
  if (runs > MAX_RUNS) runs = MAX_RUNS;
  cg_run r;
  if (solver != SOLVER_CHOLMOD) run_once(c->P, solver, 2, &r); /* warm-up: pages, threads, caches */
  /* The bound right before the timed runs, so that both see the same machine (other load on a
   * shared host moves both); over CG's working set, with the threads CG's loops use. */
  double bound = bench_triad_gbytes_per_s((size_t)cg_working_set_bytes(c->n, c->nnz), c->bound_threads);
  double setup[MAX_RUNS], solve[MAX_RUNS], total[MAX_RUNS], spent = 0;
  int done = 0;
  for (int k = 0; k < runs; k++) {
    run_once(c->P, solver, 0, &r);
    if (r.status) break;
    setup[done] = r.setup, solve[done] = r.solve, total[done] = r.setup + r.solve;
    spent += total[done++];
    if (spent > RUN_BUDGET_SECONDS && k + 1 < runs) {
      bench_note("cg: %s %s: %d of %d runs (%.0f s spent; budget %.0f s)", c->name, solvers[solver].name, done, runs,
                 spent, RUN_BUDGET_SECONDS);
      break;
    }
  }

  bench_record rec;
  bench_record_init(&rec);
  bench_put_str(&rec, "suite", "cg");
  bench_put_str(&rec, "case", c->name);
  bench_put_str(&rec, "solver", solvers[solver].name);
  bench_put_int(&rec, "n", c->n);
  bench_put_int(&rec, "nnz", c->nnz);
  if (r.status) {
    bench_note("cg: %s %s failed (%s): %s", c->name, solvers[solver].name, lopt_status_name(r.status), r.message);
    bench_put_str(&rec, "stop", "error");
    bench_put_str(&rec, "error", r.message);
    bench_emit(cfg, &cg_table, &rec);
    return 1;
  }
  double t_setup = bench_median(setup, done), t_solve = bench_median(solve, done), t_total = bench_median(total, done);
  double seconds = solver == SOLVER_CHOLMOD ? t_total : t_solve;
  double bytes = cg_bytes_per_iter(c->n, c->nnz) + precond_bytes_per_iter(solver, c->n, c->nnz);
  double per_iter = r.iters > 0 ? t_solve / (double)r.iters : NAN;
  double gbs = r.iters > 0 ? 1e-9 * bytes * (double)r.iters / t_solve : NAN;
  bench_put_int(&rec, "iters", r.iters);
  bench_put_num(&rec, "seconds", seconds);
  bench_put_num(&rec, "setup_seconds", t_setup);
  bench_put_num(&rec, "total_seconds", t_total);
  bench_put_num(&rec, "seconds_per_iter", per_iter);
  bench_put_num(&rec, "rel_residual", r.rel_residual);
  bench_put_num(&rec, "bytes_per_iter", bytes);
  bench_put_num(&rec, "gbytes_per_s", gbs);
  bench_put_num(&rec, "bound_gbytes_per_s", bound);
  bench_put_str(&rec, "bound_kind", "triad");
  bench_put_num(&rec, "fraction_of_bound", gbs / bound);
  bench_put_num(&rec, "working_set_bytes", cg_working_set_bytes(c->n, c->nnz));
  bench_put_int(&rec, "threads", cfg->threads);
  bench_put_int(&rec, "bound_threads", c->bound_threads);
  bench_put_str(&rec, "omp_proc_bind", cfg->proc_bind);
  bench_put_int(&rec, "runs", done);
  bench_put_str(&rec, "stop", lopt_stop_name(r.stop));
  bench_emit(cfg, &cg_table, &rec);
  return 0;
}

/* Problem b = ones, the triad bound, then each selected solver. A is borrowed. */
static int bench_case(const bench_config *cfg, const char *name, const lopt_matrix *A, unsigned solver_mask)
{
  cg_case c;
  memset(&c, 0, sizeof c);
  snprintf(c.name, sizeof c.name, "%s", name);
  c.A = A;
  c.n = lopt_matrix_nrows(A);
  c.nnz = full_nnz(A);
  double *b = malloc((size_t)(c.n > 0 ? c.n : 1) * sizeof *b);
  if (!b) {
    bench_note("cg: %s: no memory for b", name);
    return 1;
  }
  for (int64_t i = 0; i < c.n; i++) b[i] = 1.0;
  lopt_problem *P = NULL;
  lopt_error err = {0};
  int rc = lopt_problem_create_linear(&P, A, b, &err);
  free(b);
  if (rc) {
    bench_note("cg: %s: lopt_problem_create_linear failed: %s", name, err.message);
    return 1;
  }
  c.P = P;
  c.bound_threads = c.n >= CG_PAR_MIN ? cfg->threads : 1;
  bench_note("cg: %s: n = %lld, nnz = %lld, CG working set %.1f MB", name, (long long)c.n, (long long)c.nnz,
             1e-6 * cg_working_set_bytes(c.n, c.nnz));
  int failed = 0;
  for (int s = 0; s < N_SOLVERS; s++)
    if (solver_mask & (1u << s)) failed |= bench_solver(cfg, &c, s);
  lopt_problem_destroy(&P);
  return failed;
}

/* CHOLMOD's fill on 3D grids grows as n^{4/3} and its flops as n^2: poisson3d_100 (1 M unknowns)
 * took 460 s to factorize on 2 cores, more than the rest of the suite together, so 3D grids above
 * this many unknowns skip the direct solver (with a note). 2D fill is n log n: 1 M takes ~6 s. */
#define CHOLMOD_MAX_N_3D 300000

static int bench_poisson(const bench_config *cfg, int dim, int64_t N)
{
  char name[64];
  snprintf(name, sizeof name, "poisson%dd_%lld", dim, (long long)N);
  lopt_matrix *A = NULL;
  lopt_error err = {0};
  double t0 = bench_now();
  if (poisson(&A, dim, N, &err)) {
    bench_note("cg: %s: building the matrix failed: %s", name, err.message);
    return 1;
  }
  bench_note("cg: %s: matrix built in %.2f s", name, bench_now() - t0);
  unsigned mask = ALL_SOLVERS;
  if (dim == 3 && lopt_matrix_nrows(A) > CHOLMOD_MAX_N_3D) {
    mask &= ~(1u << SOLVER_CHOLMOD);
    bench_note("cg: %s: cholmod skipped: a 3D factorization of %lld unknowns takes minutes (limit %d)", name,
               (long long)lopt_matrix_nrows(A), CHOLMOD_MAX_N_3D);
  }
  int failed = bench_case(cfg, name, A, mask);
  lopt_matrix_destroy(&A);
  return failed;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One case per <shared>/data/matrices/<stem>.mtx that is square and symmetric with a positive
 * diagonal (necessary for SPD; the solvers report not_spd if it is still not SPD). */
static int bench_shared(const bench_config *cfg)
{
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/data/matrices", cfg->shared_dir);
  DIR *d = opendir(dir);
  if (!d) {
    bench_note("cg: no shared matrices: cannot open %s (set LOPT_SHARED_DIR); skipped", dir);
    return 0;
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len <= 4 || strcmp(e->d_name + len - 4, ".mtx")) continue;
    if (count == cap) {
      cap = cap ? 2 * cap : 16;
      char **grown = realloc(names, cap * sizeof *names);
      if (!grown) break;
      names = grown;
    }
    if (!(names[count] = malloc(len + 1))) break;
    memcpy(names[count++], e->d_name, len + 1);
  }
  closedir(d);
  if (count == 0) bench_note("cg: no .mtx files in %s; skipped", dir);
  if (count) qsort(names, count, sizeof *names, cmp_str);

  int failed = 0;
  for (size_t k = 0; k < count; k++) {
    char path[8192], stem[64];
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    size_t len = strlen(names[k]) - 4;
    snprintf(stem, sizeof stem, "%.*s", (int)(len < sizeof stem ? len : sizeof stem - 1), names[k]);
    lopt_matrix *A = NULL;
    lopt_error err = {0};
    if (lopt_matrix_read_mm(&A, path, &err)) {
      bench_note("cg: %s: skipped: %s", names[k], err.message);
      continue;
    }
    int64_t n = lopt_matrix_nrows(A);
    int ok = n == lopt_matrix_ncols(A) && lopt_matrix_stype(A) != LOPT_GENERAL && n > 0;
    double *diag = ok ? malloc((size_t)n * sizeof *diag) : NULL;
    if (ok && (!diag || lopt_matrix_diagonal(A, diag))) ok = 0;
    for (int64_t i = 0; ok && i < n; i++) ok = diag[i] > 0;
    free(diag);
    if (!ok) bench_note("cg: %s: skipped: not a square symmetric matrix with a positive diagonal", names[k]);
    else failed |= bench_case(cfg, stem, A, cfg->quick ? QUICK_SHARED_SOLVERS : ALL_SOLVERS);
    lopt_matrix_destroy(&A);
  }
  for (size_t k = 0; k < count; k++) free(names[k]);
  free(names);
  return failed;
}

int bench_cg_run(const bench_config *cfg)
{
  cg_table.header_done = 0;
  int failed = 0;
  failed |= bench_poisson(cfg, 2, cfg->quick ? 300 : 1000);
  failed |= bench_poisson(cfg, 3, cfg->quick ? 40 : 100);
  failed |= bench_shared(cfg);
  return failed;
}
