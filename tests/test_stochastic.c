/* tests/test_stochastic.c: the stochastic family (sgd, adam, adamw, lion, sophia, adahessian, adan,
 * diffgrad, adagrad, rmsprop) against independent truths:
 *   - reference vectors: the first three iterates of every configuration of
 *     ../shared/reference/stochastic_optimizers.md §12, printed by
 *     `python3 ../shared/reference/optimizer_vectors.py --full` (a transcription verified against the
 *     reference implementations to ~1e-14, §12.1), in push mode, float64 and float32;
 *   - convergence in pull mode to optima computed here by direct methods (LAPACKE_dposv on the normal
 *     equations; Newton's method for L2-regularised logistic regression), tests/problems/stoch_problems.c;
 *   - the Hessian-diagonal estimators of sophia and adahessian against the exact diagonal, with the
 *     probes the solver hands out;
 *   - the framework's pinned semantics (§13.1: schedules, global-norm clipping), parameter groups,
 *     maximize, non-finite input, bad input, stopping rules, the monitor, checkpoints (bit-identical
 *     resume), allocation failure and thread-count independence.
 * Public API only. Kinds the build does not register fail (they are part of the issue), they are not
 * skipped. Problems are small so the suite stays fast under the sanitizers. */
#define _GNU_SOURCE /* dlsym(RTLD_DEFAULT, ...) for the optional OpenMP thread-count calls */
#include <check.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libopt.h"
#include "problems/stoch_problems.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------------------- */

static const char *const kinds[] = {"sgd", "adam", "adamw", "lion", "sophia", "adahessian", "adan", "diffgrad",
                                    "adagrad", "rmsprop"};
enum { N_KINDS = sizeof kinds / sizeof kinds[0] };

typedef struct opt_pair {
  const char *name, *value;
} opt_pair;

/* The kind by name; a kind the build does not register fails the test (it must exist). */
static lopt_kind kind_or_fail(const char *name)
{
  lopt_kind k = lopt_kind_from_name(name);
  ck_assert_msg(k != LOPT_KIND_NONE, "kind '%s' is not registered: lopt_kind_from_name returned LOPT_KIND_NONE",
                name);
  return k;
}

static lopt_solver *new_solver(const char *name)
{
  lopt_solver *s = NULL;
  int rc = lopt_solver_create(&s, kind_or_fail(name));
  ck_assert_msg(rc == LOPT_OK && s, "lopt_solver_create(%s) returned %s", name, lopt_status_name(rc));
  return s;
}

/* Apply name/value text pairs (a {NULL} entry or the array's end stops). */
static void apply_opts(lopt_solver *s, const char *where, const opt_pair *o, size_t cap)
{
  for (size_t i = 0; i < cap && o[i].name; i++) {
    int rc = lopt_solver_set(s, o[i].name, o[i].value);
    ck_assert_msg(rc == LOPT_OK, "%s: option %s = %s refused (%s): %s", where, o[i].name, o[i].value,
                  lopt_status_name(rc), lopt_solver_message(s));
  }
}

static void set_int(lopt_solver *s, const char *name, int64_t v)
{
  int rc = lopt_solver_set_int(s, name, v);
  ck_assert_msg(rc == LOPT_OK, "%s = %lld refused: %s", name, (long long)v, lopt_solver_message(s));
}

static void set_double(lopt_solver *s, const char *name, double v)
{
  int rc = lopt_solver_set_double(s, name, v);
  ck_assert_msg(rc == LOPT_OK, "%s = %g refused: %s", name, v, lopt_solver_message(s));
}

/* k pull-mode steps, each must work and leave the run going. */
static void steps(lopt_solver *s, int k)
{
  for (int i = 0; i < k; i++) {
    int rc = lopt_solver_step(s);
    ck_assert_msg(rc == LOPT_OK && lopt_solver_stop_reason(s) == LOPT_STOP_RUNNING, "step: %s (%s)",
                  lopt_status_name(rc), lopt_solver_message(s));
  }
}

static double figure(const lopt_solver *s, const char *name)
{
  double v = NAN;
  int rc = lopt_solver_figure(s, name, &v);
  ck_assert_msg(rc == LOPT_OK, "figure '%s': %s", name, lopt_solver_message(s));
  return v;
}

static int kind_is(const char *kind, const char *name) { return strcmp(kind, name) == 0; }
static int takes_curvature(const char *kind) { return kind_is(kind, "sophia") || kind_is(kind, "adahessian"); }

static size_t dsize(lopt_dtype dt) { return dt == LOPT_F32 ? sizeof(float) : sizeof(double); }
static double getv(const void *a, lopt_dtype dt, int64_t i)
{
  return dt == LOPT_F32 ? (double)((const float *)a)[i] : ((const double *)a)[i];
}
static void setv(void *a, lopt_dtype dt, int64_t i, double v)
{
  if (dt == LOPT_F32) ((float *)a)[i] = (float)v;
  else ((double *)a)[i] = v;
}

/* ---- push-mode groups with a deterministic gradient ------------------------------------------- */

/* A parameter group whose gradient is g_i = h_i x_i + c_i (a separable quadratic), with h, c and the
 * start depending on the group's formula number k, so a group gives the same numbers whether it is
 * pushed alone or next to others. The curvature pushed for it is diag(H) = h, or H z = h (.) z when
 * the solver hands out a probe z. */
typedef struct grp {
  int64_t n;
  lopt_dtype dt;
  int k;
  void *x, *g, *c;
} grp;

static double grp_h(const grp *G, int64_t i) { return 1.0 + 0.25 * (double)((i + G->k) % 5); }
static double grp_c(const grp *G, int64_t i) { return 0.1 * (double)(i + 1) * (G->k % 2 ? -1.0 : 1.0); }

static grp grp_new(int64_t n, lopt_dtype dt, int k)
{
  grp G = {n, dt, k, malloc((size_t)n * dsize(dt)), malloc((size_t)n * dsize(dt)), malloc((size_t)n * dsize(dt))};
  for (int64_t i = 0; i < n; i++) setv(G.x, dt, i, 0.5 + 0.1 * (double)i - 0.3 * (double)k);
  return G;
}

static void grp_free(grp *G)
{
  free(G->x), free(G->g), free(G->c);
  G->x = G->g = G->c = NULL;
}

static void add_groups(lopt_solver *s, grp *G, int ng)
{
  for (int k = 0; k < ng; k++) {
    int id = -1, rc = lopt_solver_add_params(s, G[k].x, G[k].n, G[k].dt, &id);
    ck_assert_msg(rc == LOPT_OK && id == k, "add_params(group %d): %s", k, lopt_solver_message(s));
  }
}

/* Push-mode set-up every kind accepts: sophia as Sophia-H (h_clip 1) and adahessian both take
 * their curvature as a diagonal estimate unless the caller set curvature_input itself. */
static void push_config(lopt_solver *s, const char *kind)
{
  if (kind_is(kind, "sophia")) {
    ck_assert_int_eq(lopt_solver_set(s, "estimator", "hutchinson"), LOPT_OK);
    ck_assert_int_eq(lopt_solver_set(s, "curvature_input", "diagonal"), LOPT_OK);
  }
  if (kind_is(kind, "adahessian")) ck_assert_int_eq(lopt_solver_set(s, "curvature_input", "diagonal"), LOPT_OK);
}

/* One step: curvature first when the kind takes it (times csign), then the gradient (times gsign).
 * Returns the status of the gradient push. */
static int push_groups(lopt_solver *s, const char *kind, grp *G, int ng, double gsign, double csign)
{
  const void *arr[8];
  if (takes_curvature(kind)) {
    for (int k = 0; k < ng; k++) {
      const void *z = lopt_solver_probe(s, k);
      for (int64_t i = 0; i < G[k].n; i++)
        setv(G[k].c, G[k].dt, i, csign * grp_h(&G[k], i) * (z ? getv(z, G[k].dt, i) : 1.0));
      arr[k] = G[k].c;
    }
    int rc = lopt_solver_push_curvature(s, arr);
    ck_assert_msg(rc == LOPT_OK, "%s: push_curvature: %s", kind, lopt_solver_message(s));
  }
  double loss = 0;
  for (int k = 0; k < ng; k++) {
    for (int64_t i = 0; i < G[k].n; i++) {
      double x = getv(G[k].x, G[k].dt, i), h = grp_h(&G[k], i), c = grp_c(&G[k], i);
      setv(G[k].g, G[k].dt, i, gsign * (h * x + c));
      loss += 0.5 * h * x * x + c * x;
    }
    arr[k] = G[k].g;
  }
  return lopt_solver_push(s, arr, gsign * loss);
}

static void push_ok(lopt_solver *s, const char *kind, grp *G, int ng, double gsign, double csign)
{
  int rc = push_groups(s, kind, G, ng, gsign, csign);
  ck_assert_msg(rc == LOPT_OK, "%s: push: %s (%s)", kind, lopt_status_name(rc), lopt_solver_message(s));
  ck_assert_msg(lopt_solver_stop_reason(s) == LOPT_STOP_RUNNING, "%s: push ended the run (%s): %s", kind,
                lopt_stop_name(lopt_solver_stop_reason(s)), lopt_solver_message(s));
}

static void setup_push_ok(lopt_solver *s, const char *kind)
{
  int rc = lopt_solver_setup_push(s);
  ck_assert_msg(rc == LOPT_OK, "%s: setup_push: %s (%s)", kind, lopt_status_name(rc), lopt_solver_message(s));
}

static int same_bytes(const grp *a, const grp *b)
{
  return a->n == b->n && a->dt == b->dt && memcmp(a->x, b->x, (size_t)a->n * dsize(a->dt)) == 0;
}

/* ---- the catalogue's own claims --------------------------------------------------------------- */

static double norm2(const double *v, int64_t n)
{
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += v[i] * v[i];
  return sqrt(s);
}

START_TEST(test_catalogue_optima_are_stationary)
{
  stoch_problem *P[3] = {stoch_quadratic(8, 32, 4, 1), stoch_logistic(6, 256, 1e-2, 2), stoch_separable(10, 8, 3)};
  for (int k = 0; k < 3; k++) {
    int64_t n = P[k]->n;
    double *g = malloc((size_t)n * sizeof *g), *g0 = malloc((size_t)n * sizeof *g0);
    double *zero = calloc((size_t)n, sizeof *zero);
    double f, f0;
    stoch_full(P[k], P[k]->xstar, &f, g);
    stoch_full(P[k], zero, &f0, g0);
    ck_assert_msg(norm2(g, n) <= 1e-12 * norm2(g0, n), "problem %d: ||grad f(x*)|| = %g, ||grad f(0)|| = %g", k,
                  norm2(g, n), norm2(g0, n));
    ck_assert_double_eq_tol(f, P[k]->fstar, 1e-15 * fabs(f));
    ck_assert(f < f0);
    free(g), free(g0), free(zero);
    stoch_problem_free(P[k]);
  }
}
END_TEST

/* Mini-batch gradient and HVP oracles against central differences; the GNB oracle's B ghat^2 against
 * the Gauss-Newton diagonal (logistic: (1/B) sum s(1-s) a_j^2) within 5 standard errors. */
START_TEST(test_catalogue_oracles_match_central_differences)
{
  stoch_problem *P[3] = {stoch_quadratic(8, 32, 4, 1), stoch_logistic(6, 256, 1e-2, 2), stoch_separable(10, 8, 3)};
  const int64_t idx[3] = {0, 3, 5};
  for (int k = 0; k < 3; k++) {
    int64_t n = P[k]->n;
    const size_t bytes = (size_t)n * sizeof(double);
    double *x = malloc(bytes), *g = malloc(bytes), *gp = malloc(bytes), *gm = malloc(bytes), *v = malloc(bytes);
    double *hv = malloc(bytes), *xt = malloc(bytes), *fd = malloc(bytes);
    test_rng r = {77 + (uint64_t)k};
    for (int64_t j = 0; j < n; j++) x[j] = test_rng_normal(&r), v[j] = test_rng_normal(&r);
    double f, fp, fm, h = 1e-5;
    ck_assert_int_eq(stoch_batch(P[k], n, x, idx, 3, &f, g), 0);
    for (int64_t j = 0; j < n; j++) {
      memcpy(xt, x, (size_t)n * sizeof *x);
      xt[j] = x[j] + h;
      stoch_batch(P[k], n, xt, idx, 3, &fp, gp);
      xt[j] = x[j] - h;
      stoch_batch(P[k], n, xt, idx, 3, &fm, gm);
      fd[j] = (fp - fm) / (2 * h);
    }
    ck_assert_msg(test_rel_diff(g, fd, n) < 1e-7, "problem %d: gradient vs central differences %g", k,
                  test_rel_diff(g, fd, n));
    ck_assert_int_eq(stoch_batch_hvp(P[k], n, x, idx, 3, v, hv), 0);
    for (int64_t j = 0; j < n; j++) xt[j] = x[j] + h * v[j];
    stoch_batch(P[k], n, xt, idx, 3, &fp, gp);
    for (int64_t j = 0; j < n; j++) xt[j] = x[j] - h * v[j];
    stoch_batch(P[k], n, xt, idx, 3, &fm, gm);
    for (int64_t j = 0; j < n; j++) fd[j] = (gp[j] - gm[j]) / (2 * h);
    ck_assert_msg(test_rel_diff(hv, fd, n) < 1e-7, "problem %d: HVP vs central differences %g", k,
                  test_rel_diff(hv, fd, n));
    if (P[k]->shape == STOCH_LOGISTIC) {
      const int K = 4000;
      double *mean = calloc((size_t)n, sizeof *mean), *sq = calloc((size_t)n, sizeof *sq);
      for (int it = 0; it < K; it++) {
        stoch_batch_gnb(P[k], n, x, idx, 3, &f, g);
        for (int64_t j = 0; j < n; j++) mean[j] += 3 * g[j] * g[j] / K, sq[j] += 9 * pow(g[j], 4) / K;
      }
      for (int64_t j = 0; j < n; j++) {
        double gn = 0;
        for (int b = 0; b < 3; b++) {
          const double *a = P[k]->X + idx[b] * n;
          double t = 0;
          for (int64_t l = 0; l < n; l++) t += a[l] * x[l];
          double s = 1 / (1 + exp(-t));
          gn += s * (1 - s) * a[j] * a[j] / 3;
        }
        double se = sqrt((sq[j] - mean[j] * mean[j]) / K);
        ck_assert_msg(fabs(mean[j] - gn) <= 5 * se + 1e-12, "GNB: B ghat_%lld^2 averages %g; Gauss-Newton %g (se %g)",
                      (long long)j, mean[j], gn, se);
      }
      free(mean), free(sq);
    }
    free(x), free(g), free(gp), free(gm), free(v), free(hv), free(xt), free(fd);
    stoch_problem_free(P[k]);
  }
}
END_TEST

/* ---- 1. reference vectors --------------------------------------------------------------------- */

/* Problem of §12: f(x) = 1/2 sum a_i x_i^2, a = (1, 3, 0.01), x0 = (0.15, -1, 2), g = a (.) x. */
static const double vec_a[3] = {1.0, 3.0, 0.01};
static const double vec_x0[3] = {0.15, -1.0, 2.0};

/* How curvature reaches sophia/adahessian, as the reference loops feed it (§12 table):
 *   GNB_AFTER    after step t with t % every == 0: the sampled-label gradient ghat = sqrt(10 a / 100),
 *                so bs ghat^2 = 10 a with bs = 100 (SophiaG's update_hessian after step(bs));
 *   DIAG_AFTER   after step t with t % every == 0: z (.) H z = a for the probe z = (1, -1, 1)
 *                (levanter Sophia-H; curvature_input = diagonal, since the solver draws its own z);
 *   HVP_BEFORE   before every step: H z = a (.) z for the Rademacher z = lopt_solver_probe (AdaHessian,
 *                curvature_input = probe_hvp; |z (.) H z| = a exactly);
 *   DIAG_BEFORE  before every step: the diagonal a itself (AdaHessian, curvature_input = diagonal). */
typedef enum feed { FEED_NONE, FEED_GNB_AFTER, FEED_DIAG_AFTER, FEED_HVP_BEFORE, FEED_DIAG_BEFORE } feed;

typedef struct ref_vector {
  const char *id, *kind;
  opt_pair opts[10]; /* applied with lopt_solver_set; anything not listed is the kind's default */
  feed feed;
  int every;
  double x[3][3];    /* x after steps 1, 2, 3 */
} ref_vector;

/* Copied from `python3 ../shared/reference/optimizer_vectors.py --full` (16 digits), case names as
 * there; "AdaHess-k/diagonal" run the AdaHess-k configuration with the diagonal pushed directly.
 * diffGrad-3 (the v1 aliasing bug) is not a libopt configuration. Adan-4 is held to 1e-12 too: libopt
 * forms Adan's max_grad_norm factor in float32 like the reference (§9), which the script emulates. */
static const ref_vector vectors[] = {
  {"SGD-1", "sgd",
   {{"lr", "0.1"}},
   FEED_NONE, 0,
   {{1.350000000000000e-01, -7.000000000000000e-01, 1.998000000000000e+00},
    {1.215000000000000e-01, -4.900000000000000e-01, 1.996002000000000e+00},
    {1.093500000000000e-01, -3.430000000000000e-01, 1.994005998000000e+00}}},
  {"SGD-2", "sgd",
   {{"lr", "0.1"}, {"momentum", "0.9"}},
   FEED_NONE, 0,
   {{1.350000000000000e-01, -7.000000000000000e-01, 1.998000000000000e+00},
    {1.080000000000000e-01, -2.200000000000000e-01, 1.994202000000000e+00},
    {7.290000000000001e-02, 2.780000000000001e-01, 1.988789598000000e+00}}},
  {"SGD-3", "sgd",
   {{"lr", "0.1"}, {"momentum", "0.9"}, {"dampening", "0.5"}},
   FEED_NONE, 0,
   {{1.350000000000000e-01, -7.000000000000000e-01, 1.998000000000000e+00},
    {1.147500000000000e-01, -3.250000000000000e-01, 1.995201000000000e+00},
    {9.078749999999999e-02, 6.125000000000003e-02, 1.991684299500000e+00}}},
  {"SGD-4", "sgd",
   {{"lr", "0.1"}, {"momentum", "0.9"}, {"nesterov", "true"}, {"weight_decay", "0.1"}},
   FEED_NONE, 0,
   {{1.186500000000000e-01, -4.109999999999999e-01, 1.958200000000000e+00},
    {8.048714999999998e-02, 8.217900000000006e-02, 1.899453620000000e+00},
    {4.106512064999997e-02, 3.629676690000001e-01, 1.826269477342000e+00}}},
  {"SGD-5", "sgd",
   {{"lr", "0.1"}, {"momentum", "0.9"}, {"maximize", "true"}},
   FEED_NONE, 0,
   {{1.650000000000000e-01, -1.300000000000000e+00, 2.002000000000000e+00},
    {1.950000000000000e-01, -1.960000000000000e+00, 2.005802000000000e+00},
    {2.415000000000000e-01, -3.142000000000000e+00, 2.011229602000000e+00}}},
  {"Adam-1", "adam",
   {{"lr", "0.1"}},
   FEED_NONE, 0,
   {{5.000000666666621e-02, -9.000000003333333e-01, 1.900000049999975e+00},
    {-3.710638258967988e-02, -8.004122283516111e-01, 1.800166586688599e+00},
    {-8.804726270177948e-02, -7.015862724265687e-01, 1.700623544410481e+00}}},
  {"Adam-2", "adam",
   {{"lr", "0.1"}, {"weight_decay", "0.1"}},
   FEED_NONE, 0,
   {{5.000000606060569e-02, -9.000000003225807e-01, 1.900000004545454e+00},
    {-3.710638372447558e-02, -8.004122283296640e-01, 1.800166494799249e+00},
    {-8.804726364625932e-02, -7.015862723930552e-01, 1.700623405201702e+00}}},
  {"Adam-3", "adam",
   {{"lr", "0.1"}, {"beta2", "0.5"}, {"amsgrad", "true"}},
   FEED_NONE, 0,
   {{5.000000666666621e-02, -9.000000003333333e-01, 1.900000049999975e+00},
    {-2.950097258681102e-02, -7.986254631984542e-01, 1.799304078571920e+00},
    {-7.408465528067168e-02, -6.954722632945236e-01, 1.697444988967209e+00}}},
  {"Adam-4", "adam",
   {{"lr", "0.1"}, {"beta2", "0.5"}},
   FEED_NONE, 0,
   {{5.000000666666621e-02, -9.000000003333333e-01, 1.900000049999975e+00},
    {-5.169798291640912e-02, -7.986254631984542e-01, 1.799304078571920e+00},
    {-1.090502049139873e-01, -6.947884376650534e-01, 1.697444988967209e+00}}},
  {"Adam-5", "adam",
   {{"lr", "0.1"}, {"maximize", "true"}},
   FEED_NONE, 0,
   {{2.499999933333338e-01, -1.099999999666667e+00, 2.099999950000025e+00},
    {3.482791747361434e-01, -1.200134776084164e+00, 2.200097281180870e+00},
    {4.460222896550529e-01, -1.300490054230577e+00, 2.300352249403391e+00}}},
  {"AdamW-1", "adamw",
   {{"lr", "0.1"}},
   FEED_NONE, 0,
   {{4.985000666666620e-02, -8.990000003333334e-01, 1.898000049999975e+00},
    {-3.726171258702065e-02, -7.985190268284359e-01, 1.796272689190511e+00},
    {-8.805432375086414e-02, -6.989111826390786e-01, 1.694944666664812e+00}}},
  {"AdamW-2", "adamw",
   {{"lr", "0.1"}, {"weight_decay", "0.1"}, {"beta2", "0.5"}, {"amsgrad", "true"}},
   FEED_NONE, 0,
   {{4.850000666666621e-02, -8.900000003333333e-01, 1.880000049999975e+00},
    {-3.084137014221894e-02, -7.795927660928395e-01, 1.760366664374348e+00},
    {-7.424110134477473e-02, -6.691354178588843e-01, 1.640531259272461e+00}}},
  {"Adagrad-1", "adagrad",
   {{"lr", "0.1"}},
   FEED_NONE, 0,
   {{5.000000006666666e-02, -9.000000000033334e-01, 1.900000000500000e+00},
    {1.837722344703554e-02, -8.331035268426089e-01, 1.831125054548675e+00},
    {6.832165708499607e-03, -7.804561813539077e-01, 1.775821515905028e+00}}},
  {"Adagrad-2", "adagrad",
   {{"lr", "0.1"}, {"lr_decay", "0.5"}, {"initial_accumulator_value", "0.1"}, {"weight_decay", "0.1"}},
   FEED_NONE, 0,
   {{1.037408429847601e-01, -9.005162657133121e-01, 1.942890845533197e+00},
    {8.342643954419679e-02, -8.560321110926397e-01, 1.910549014430037e+00},
    {7.152617795872392e-02, -8.292503660192153e-01, 1.889020651431784e+00}}},
  {"RMSprop-1", "rmsprop",
   {{"lr", "0.01"}},
   FEED_NONE, 0,
   {{5.000006666662225e-02, -9.000000033333333e-01, 1.900000499997500e+00},
    {1.823400186801806e-02, -8.329179655383576e-01, 1.830944066883320e+00},
    {6.669325909109219e-03, -7.799822703307286e-01, 1.775350340651500e+00}}},
  {"RMSprop-2", "rmsprop",
   {{"lr", "0.01"}, {"momentum", "0.9"}, {"centered", "true"}, {"weight_decay", "0.1"}},
   FEED_NONE, 0,
   {{4.949627969228458e-02, -8.994962217324691e-01, 1.899496264387740e+00},
    {-7.268748394118829e-02, -7.413059766479813e-01, 1.739298855101443e+00},
    {-1.404105754240270e-01, -5.496501584821409e-01, 1.540678191004505e+00}}},
  {"Lion-1", "lion",
   {{"lr", "0.1"}},
   FEED_NONE, 0,
   {{4.999999999999999e-02, -9.000000000000000e-01, 1.900000000000000e+00},
    {-5.000000000000002e-02, -8.000000000000000e-01, 1.800000000000000e+00},
    {4.999999999999999e-02, -7.000000000000001e-01, 1.700000000000000e+00}}},
  {"Lion-2", "lion",
   {{"lr", "0.1"}, {"weight_decay", "0.5"}},
   FEED_NONE, 0,
   {{4.249999999999998e-02, -8.500000000000000e-01, 1.800000000000000e+00},
    {-5.962500000000003e-02, -7.075000000000000e-01, 1.610000000000000e+00},
    {4.335624999999999e-02, -5.721250000000000e-01, 1.429500000000000e+00}}},
  {"Lion-3", "lion",
   {{"lr", "0.1"}, {"weight_decay", "0.05"}, {"decoupled_weight_decay_full", "true"}},
   FEED_NONE, 0,
   {{4.249999999999998e-02, -8.500000000000000e-01, 1.800000000000000e+00},
    {-5.962500000000003e-02, -7.075000000000000e-01, 1.610000000000000e+00},
    {4.335624999999999e-02, -5.721250000000000e-01, 1.429500000000000e+00}}},
  {"SophiaG-1", "sophia",
   {{"estimator", "gnb"}, {"lr", "0.1"}, {"rho", "0.04"}, {"weight_decay", "0.1"}, {"bs", "100"},
    {"hess_interval", "1"}},
   FEED_GNB_AFTER, 1,
   {{4.849999999999999e-02, -8.900000000000000e-01, 1.880000000000000e+00},
    {-5.198500000000002e-02, -7.811000000000000e-01, 1.761200000000000e+00},
    {-1.106051468592891e-01, -6.732890000000000e-01, 1.643588000000000e+00}}},
  {"SophiaG-2", "sophia",
   {{"estimator", "gnb"}, {"lr", "0.1"}, {"rho", "1"}, {"weight_decay", "0"}, {"bs", "100"},
    {"hess_interval", "1"}},
   FEED_GNB_AFTER, 1,
   {{4.999999999999999e-02, -9.000000000000000e-01, 1.900000000000000e+00},
    {4.318375000000006e-02, -8.347250000000002e-01, 1.800000000000000e+00},
    {3.911886934673375e-02, -7.883904522613068e-01, 1.703337562814119e+00}}},
  {"SophiaG-3", "sophia",
   {{"estimator", "gnb"}, {"lr", "0.1"}, {"rho", "0.04"}, {"weight_decay", "0.1"}, {"bs", "100"},
    {"hess_interval", "2"}},
   FEED_GNB_AFTER, 2,
   {{4.849999999999999e-02, -8.900000000000000e-01, 1.880000000000000e+00},
    {-5.198500000000002e-02, -7.811000000000000e-01, 1.761200000000000e+00},
    {-1.514651500000000e-01, -6.732890000000000e-01, 1.643588000000000e+00}}},
  {"SophiaH-L", "sophia",
   {{"estimator", "hutchinson"}, {"curvature_input", "diagonal"}, {"lr", "0.1"}, {"h_gamma", "50"},
    {"weight_decay", "0.1"}, {"hess_interval", "1"}, {"beta1", "0.965"}, {"beta2", "0.99"},
    {"h_eps", "1e-8"}, {"h_clip", "1"}},
   FEED_DIAG_AFTER, 1,
   {{4.850000000000000e-02, -8.900000000000000e-01, 1.880000000000000e+00},
    {2.834578880407125e-02, -7.811000000000000e-01, 1.761200000000000e+00},
    {2.060739917598924e-02, -6.840661158184558e-01, 1.643588000000000e+00}}},
  {"AdaHess-1", "adahessian",
   {{"lr", "0.15"}, {"curvature_input", "probe_hvp"}},
   FEED_HVP_BEFORE, 1,
   {{1.275022497750225e-01, -8.500049998333389e-01, 1.702970297029703e+00},
    {1.067804601296433e-01, -7.118513154956243e-01, 1.429158132071677e+00},
    {8.779532073248542e-02, -5.852767994794259e-01, 1.178062187491734e+00}}},
  {"AdaHess-2", "adahessian",
   {{"lr", "0.1"}, {"hessian_power", "0.5"}, {"weight_decay", "0.1"}, {"curvature_input", "probe_hvp"}},
   FEED_HVP_BEFORE, 1,
   {{1.335014998500150e-01, -8.168049186657953e-01, 1.960019980019980e+00},
    {1.180362399891582e-01, -6.521409918353036e-01, 1.920649971186603e+00},
    {1.035845999253662e-01, -5.051931749452749e-01, 1.881888605848833e+00}}},
  {"AdaHess-1/diagonal", "adahessian",
   {{"lr", "0.15"}, {"curvature_input", "diagonal"}},
   FEED_DIAG_BEFORE, 1,
   {{1.275022497750225e-01, -8.500049998333389e-01, 1.702970297029703e+00},
    {1.067804601296433e-01, -7.118513154956243e-01, 1.429158132071677e+00},
    {8.779532073248542e-02, -5.852767994794259e-01, 1.178062187491734e+00}}},
  {"AdaHess-2/diagonal", "adahessian",
   {{"lr", "0.1"}, {"hessian_power", "0.5"}, {"weight_decay", "0.1"}, {"curvature_input", "diagonal"}},
   FEED_DIAG_BEFORE, 1,
   {{1.335014998500150e-01, -8.168049186657953e-01, 1.960019980019980e+00},
    {1.180362399891582e-01, -6.521409918353036e-01, 1.920649971186603e+00},
    {1.035845999253662e-01, -5.051931749452749e-01, 1.881888605848833e+00}}},
  {"Adan-1", "adan",
   {{"lr", "0.1"}},
   FEED_NONE, 0,
   {{5.000000666666621e-02, -9.000000003333333e-01, 1.900000049999975e+00},
    {3.071661042355539e-03, -8.007731578029297e-01, 1.800228781737123e+00},
    {-1.909323242029765e-02, -7.021294579235545e-01, 1.700600897419115e+00}}},
  {"Adan-2", "adan",
   {{"lr", "0.1"}, {"weight_decay", "0.02"}},
   FEED_NONE, 0,
   {{4.990020625415789e-02, -8.982035931470392e-01, 1.896207634730514e+00},
    {3.070797860703790e-03, -7.974084623455925e-01, 1.792865003648875e+00},
    {-1.901852890701283e-02, -6.974170276242284e-01, 1.689881073684648e+00}}},
  {"Adan-3", "adan",
   {{"lr", "0.1"}, {"weight_decay", "0.02"}, {"no_prox", "true"}},
   FEED_NONE, 0,
   {{4.970000666666621e-02, -8.980000003333333e-01, 1.896000049999975e+00},
    {2.988114012700875e-03, -7.970067261765652e-01, 1.792451948386969e+00},
    {-1.900566010516146e-02, -6.968218582163239e-01, 1.689264241099485e+00}}},
  {"Adan-4", "adan",
   {{"lr", "0.1"}, {"max_grad_norm", "1"}},
   FEED_NONE, 0,
   {{5.000002002542463e-02, -9.000000010012714e-01, 1.900000150190489e+00},
    {-2.831420412735285e-03, -7.999979725970665e-01, 1.800029053768337e+00},
    {-2.169015742403797e-02, -6.999972850654747e-01, 1.700100232483782e+00}}},
  {"diffGrad-1", "diffgrad",
   {{"lr", "0.1"}},
   FEED_NONE, 0,
   {{9.625712876554576e-02, -9.047425973587685e-01, 1.949500815128221e+00},
    {4.666566141242971e-02, -8.478664679069907e-01, 1.899526178110720e+00},
    {1.360839495311759e-03, -7.940478166220440e-01, 1.849614679910066e+00}}},
  {"diffGrad-2", "diffgrad",
   {{"lr", "0.1"}, {"weight_decay", "0.1"}},
   FEED_NONE, 0,
   {{9.588443689918100e-02, -9.043107352552707e-01, 1.944522156233072e+00},
    {4.617744813562649e-02, -8.471710873238916e-01, 1.894411372599012e+00},
    {8.288199771720808e-04, -7.931951505550597e-01, 1.844380251142234e+00}}},
};
enum { N_VECTORS = sizeof vectors / sizeof vectors[0] };

/* float64: |x_i - ref_i| <= 1e-12 |ref_i| per component (the script agrees with the reference code to
 * 1.1e-14, §12.1).
 * float32: |x_i - ref_i| <= 1e-5 max(|ref_i|, |x0_i|). Every quantity is held in float32, so each of the
 * ~10 operations per element and step rounds with unit roundoff u = 2^-24 = 6e-8, and x0 itself (0.15)
 * is not representable; over three steps that is ~30 u = 2e-6 relative to the size of the numbers
 * being combined, which is the scale of the coordinate along its path (max(|ref|, |x0|)), not the
 * final value when that is a small difference of larger terms (diffGrad-2 x3 = 8e-4 from terms of
 * 5e-2). 1e-5 = 84 float32 ulps leaves a factor 5 over that estimate and stays 3e3 times tighter
 * than any difference between configurations in the table. */
static void run_vector(const ref_vector *v, lopt_dtype dt)
{
  lopt_solver *s = new_solver(v->kind);
  apply_opts(s, v->id, v->opts, 10);
  double x64[3], curv64[3], g64[3];
  float x32[3], curv32[3], g32[3];
  void *x = dt == LOPT_F32 ? (void *)x32 : (void *)x64;
  void *curv = dt == LOPT_F32 ? (void *)curv32 : (void *)curv64, *g = dt == LOPT_F32 ? (void *)g32 : (void *)g64;
  for (int i = 0; i < 3; i++) setv(x, dt, i, vec_x0[i]);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 3, dt, NULL), LOPT_OK);
  int rc = lopt_solver_setup_push(s);
  ck_assert_msg(rc == LOPT_OK, "%s: setup_push: %s", v->id, lopt_solver_message(s));
  const void *garr[1] = {g}, *carr[1] = {curv};
  for (int t = 1; t <= 3; t++) {
    if (v->feed == FEED_HVP_BEFORE || v->feed == FEED_DIAG_BEFORE) {
      const void *z = v->feed == FEED_HVP_BEFORE ? lopt_solver_probe(s, 0) : NULL;
      ck_assert_msg(v->feed != FEED_HVP_BEFORE || z, "%s: no probe before step %d", v->id, t);
      for (int i = 0; i < 3; i++) {
        double zi = z ? getv(z, dt, i) : 1.0;
        ck_assert_msg(zi == 1.0 || zi == -1.0, "%s: probe entry %g is not Rademacher", v->id, zi);
        setv(curv, dt, i, vec_a[i] * zi);
      }
      rc = lopt_solver_push_curvature(s, carr);
      ck_assert_msg(rc == LOPT_OK, "%s: push_curvature before step %d: %s", v->id, t, lopt_solver_message(s));
    }
    double loss = 0;
    for (int i = 0; i < 3; i++) {
      double xi = getv(x, dt, i);
      setv(g, dt, i, vec_a[i] * xi);
      loss += 0.5 * vec_a[i] * xi * xi;
    }
    rc = lopt_solver_push(s, garr, loss);
    ck_assert_msg(rc == LOPT_OK && lopt_solver_stop_reason(s) == LOPT_STOP_RUNNING, "%s: push %d: %s (%s)", v->id, t,
                  lopt_status_name(rc), lopt_solver_message(s));
    if ((v->feed == FEED_GNB_AFTER || v->feed == FEED_DIAG_AFTER) && t % v->every == 0) {
      for (int i = 0; i < 3; i++)
        setv(curv, dt, i, v->feed == FEED_GNB_AFTER ? sqrt(10.0 * vec_a[i] / 100.0) : vec_a[i]);
      rc = lopt_solver_push_curvature(s, carr);
      ck_assert_msg(rc == LOPT_OK, "%s: push_curvature after step %d: %s", v->id, t, lopt_solver_message(s));
    }
    for (int i = 0; i < 3; i++) {
      double got = getv(x, dt, i), want = v->x[t - 1][i];
      double tol = dt == LOPT_F64 ? 1e-12 * fabs(want) : 1e-5 * fmax(fabs(want), fabs(vec_x0[i]));
      ck_assert_msg(fabs(got - want) <= tol, "%s (%s): x%d[%d] = %.17g, reference %.17g (rel. error %.2e)", v->id,
                    dt == LOPT_F64 ? "float64" : "float32", t, i, got, want, fabs(got - want) / fabs(want));
    }
  }
  lopt_solver_destroy(&s);
}

START_TEST(test_reference_vectors_first_three_steps_f64) { run_vector(&vectors[_i], LOPT_F64); }
END_TEST

START_TEST(test_reference_vectors_first_three_steps_f32) { run_vector(&vectors[_i], LOPT_F32); }
END_TEST

/* ---- 2. convergence to the known optimum, pull mode -------------------------------------------- */

/* Settings per kind, tuned on these problems with a transcription of the reference rules (the
 * "seen" column: the worst error over 8 sampling orders of that transcription; libopt's own run
 * lands within it).
 *
 * (a) quadratic finite sum, n = 8, N = 32 samples of 4 rows, full batch (deterministic), 1500 steps;
 *     tolerances sit far above the rounding-level errors and far below anything short of converged:
 *   kind        lr     schedule   other                                      seen     tol
 *   sgd         0.03   constant   momentum 0.9                               1e-15    1e-10
 *   adam        0.1    cosine                                                1e-15    1e-10
 *   adamw       0.1    cosine     weight_decay 0 (the optimum is f's)        1e-15    1e-10
 *   lion        0.01   cosine     (sign steps: error ~ the last lr_t)        1.2e-7   2e-6
 *   sophia      0.5    constant   hutchinson, h_gamma 1, h_clip 1, k 1, wd 0 1.8e-12  1e-9
 *   adahessian  0.3    constant                                              1e-15    1e-10
 *   adan        0.1    cosine                                                1e-15    1e-10
 *   diffgrad    0.1    constant                                              1e-15    1e-10
 *   adagrad     1.0    constant                                              1e-15    1e-10
 *   rmsprop     0.01   cosine     (constant lr leaves an O(lr) oscillation)  1e-15    1e-10
 * (b) L2-regularised logistic regression, n = 6 (with intercept), N = 256, lambda = 1e-2, mini-batches
 *     of 64 (4 per epoch), 500 epochs, cosine decay to 0 over the 2000 steps (the mini-batch noise
 *     at w* would otherwise keep the error at O(lr)); tolerance about 10x the worst seen:
 *   kind        lr     other                                          seen     tol
 *   sgd         0.1    momentum 0.9                                   1.2e-4   1.5e-3
 *   adam        0.03                                                  1.3e-4   1.5e-3
 *   adamw       0.03   weight_decay 0                                 1.3e-4   1.5e-3
 *   lion        0.003  betas (0.95, 0.98) (automl README's stable     7.4e-4   7e-3
 *                      setting; sign steps keep the error near lr_t)
 *   sophia      0.1    Sophia-H as in (a)                             1.1e-4   1.5e-3
 *   adahessian  0.3                                                   1.5e-4   1.5e-3
 *   adan        0.03                                                  8e-5     1.5e-3
 *   diffgrad    0.03                                                  8.4e-5   1.5e-3
 *   adagrad     0.3                                                   1.4e-4   1.5e-3
 *   rmsprop     0.01                                                  2.7e-4   3e-3
 * Weight decay is 0 everywhere: lambda is part of f, and a kind's own decay would move the optimum. */
typedef struct conv_case {
  const char *kind;
  opt_pair opts[8];
  double tol;
} conv_case;

#define SOPHIA_H {"estimator", "hutchinson"}, {"h_gamma", "1"}, {"h_clip", "1"}, {"hess_interval", "1"}, \
                 {"weight_decay", "0"}
static const conv_case quad_cases[N_KINDS] = {
  {"sgd", {{"lr", "0.03"}, {"momentum", "0.9"}}, 1e-10},
  {"adam", {{"lr", "0.1"}, {"lr_schedule", "cosine"}}, 1e-10},
  {"adamw", {{"lr", "0.1"}, {"lr_schedule", "cosine"}, {"weight_decay", "0"}}, 1e-10},
  {"lion", {{"lr", "0.01"}, {"lr_schedule", "cosine"}}, 2e-6},
  {"sophia", {{"lr", "0.5"}, SOPHIA_H}, 1e-9},
  {"adahessian", {{"lr", "0.3"}}, 1e-10},
  {"adan", {{"lr", "0.1"}, {"lr_schedule", "cosine"}}, 1e-10},
  {"diffgrad", {{"lr", "0.1"}}, 1e-10},
  {"adagrad", {{"lr", "1.0"}}, 1e-10},
  {"rmsprop", {{"lr", "0.01"}, {"lr_schedule", "cosine"}}, 1e-10},
};
static const conv_case logistic_cases[N_KINDS] = {
  {"sgd", {{"lr", "0.1"}, {"lr_schedule", "cosine"}, {"momentum", "0.9"}}, 1.5e-3},
  {"adam", {{"lr", "0.03"}, {"lr_schedule", "cosine"}}, 1.5e-3},
  {"adamw", {{"lr", "0.03"}, {"lr_schedule", "cosine"}, {"weight_decay", "0"}}, 1.5e-3},
  {"lion", {{"lr", "0.003"}, {"lr_schedule", "cosine"}, {"beta1", "0.95"}, {"beta2", "0.98"}}, 7e-3},
  {"sophia", {{"lr", "0.1"}, {"lr_schedule", "cosine"}, SOPHIA_H}, 1.5e-3},
  {"adahessian", {{"lr", "0.3"}, {"lr_schedule", "cosine"}}, 1.5e-3},
  {"adan", {{"lr", "0.03"}, {"lr_schedule", "cosine"}}, 1.5e-3},
  {"diffgrad", {{"lr", "0.03"}, {"lr_schedule", "cosine"}}, 1.5e-3},
  {"adagrad", {{"lr", "0.3"}, {"lr_schedule", "cosine"}}, 1.5e-3},
  {"rmsprop", {{"lr", "0.01"}, {"lr_schedule", "cosine"}}, 3e-3},
};

enum { QUAD_N = 8, QUAD_SAMPLES = 32, QUAD_ROWS = 4, QUAD_EPOCHS = 1500 };
enum { LOG_N = 6, LOG_SAMPLES = 256, LOG_BATCH = 64, LOG_EPOCHS = 500 };

static stoch_problem *quad_problem(void) { return stoch_quadratic(QUAD_N, QUAD_SAMPLES, QUAD_ROWS, 1); }
static stoch_problem *logistic_problem(void) { return stoch_logistic(LOG_N, LOG_SAMPLES, 1e-2, 2); }

/* A pull-mode solver for case c on problem p (set up from x0 = 0); the caller solves and destroys. */
static lopt_solver *pull_solver(const conv_case *c, const lopt_problem *p, int64_t batch, int64_t epochs, int64_t N)
{
  lopt_solver *s = new_solver(c->kind);
  apply_opts(s, c->kind, c->opts, 8);
  set_int(s, "batch_size", batch);
  set_int(s, "max_epochs", epochs);
  set_int(s, "total_steps", epochs * ((N + batch - 1) / batch)); /* cosine: decay over the whole run */
  int rc = lopt_solver_setup(s, p, NULL);
  ck_assert_msg(rc == LOPT_OK, "%s: setup: %s (%s)", c->kind, lopt_status_name(rc), lopt_solver_message(s));
  return s;
}

/* Solve to max_epochs and return ||x - x*|| / ||x*||. */
static double converge(const conv_case *c, stoch_problem *P, int with_hvp, int64_t batch, int64_t epochs,
                       const char *what)
{
  lopt_problem *p = stoch_lopt_problem(P, with_hvp, 0);
  ck_assert_ptr_nonnull(p);
  lopt_solver *s = pull_solver(c, p, batch, epochs, P->N);
  lopt_result r = {.size = sizeof r};
  int rc = lopt_solver_solve(s, &r);
  ck_assert_msg(rc == LOPT_OK, "%s on %s: solve: %s", c->kind, what, lopt_solver_message(s));
  ck_assert_msg(r.stop == LOPT_STOP_MAX_ITER, "%s on %s: stopped with %s after %lld steps: %s", c->kind, what,
                lopt_stop_name(r.stop), (long long)r.iterations, lopt_solver_message(s));
  ck_assert_int_eq((int64_t)figure(s, "epochs"), epochs);
  double err = stoch_rel_error(P, lopt_solver_x(s));
  ck_assert_msg(err <= c->tol, "%s on %s (%s HVP): ||x - x*|| / ||x*|| = %.3e > %.1e", c->kind, what,
                with_hvp ? "exact" : "finite-difference", err, c->tol);
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p);
  return err;
}

START_TEST(test_every_kind_converges_on_quadratic_finite_sum)
{
  stoch_problem *P = quad_problem();
  converge(&quad_cases[_i], P, 1, QUAD_SAMPLES, QUAD_EPOCHS, "the quadratic");
  stoch_problem_free(P);
}
END_TEST

START_TEST(test_every_kind_converges_on_l2_logistic_regression)
{
  stoch_problem *P = logistic_problem();
  converge(&logistic_cases[_i], P, 1, LOG_BATCH, LOG_EPOCHS, "logistic regression");
  stoch_problem_free(P);
}
END_TEST

/* ---- 3. curvature kinds: exact HVP, finite differences, the estimators -------------------------- */

/* Sophia-H and AdaHessian with the problem's HVP oracle and without it (forward differences of two
 * mini-batch gradients, problem.h): both reach the same tolerances; the HVP oracle is used exactly
 * when given. Loop index: 0 sophia exact, 1 sophia fd, 2 adahessian exact, 3 adahessian fd. */
START_TEST(test_curvature_kinds_converge_with_exact_and_finite_difference_hvp)
{
  const int with_hvp = _i % 2 == 0;
  const conv_case *qc = &quad_cases[_i < 2 ? 4 : 5], *lc = &logistic_cases[_i < 2 ? 4 : 5];
  stoch_problem *Q = quad_problem(), *L = logistic_problem();
  converge(qc, Q, with_hvp, QUAD_SAMPLES, QUAD_EPOCHS, "the quadratic");
  converge(lc, L, with_hvp, LOG_BATCH, LOG_EPOCHS, "logistic regression");
  if (with_hvp) ck_assert(Q->hvp_calls > 0 && L->hvp_calls > 0);
  else ck_assert(Q->hvp_calls == 0 && L->hvp_calls == 0);

  /* The nhvp figure counts H z products; without the oracle each costs one extra gradient call. */
  stoch_reset_hooks(Q);
  lopt_problem *p = stoch_lopt_problem(Q, with_hvp, 0);
  lopt_solver *s = pull_solver(qc, p, 8, 2, Q->N);
  lopt_result r = {.size = sizeof r};
  ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
  double nhvp = figure(s, "nhvp");
  ck_assert_msg(nhvp >= 1 && nhvp <= (double)r.iterations, "nhvp = %g after %lld steps", nhvp, (long long)r.iterations);
  if (with_hvp) ck_assert_int_eq(Q->hvp_calls, (long)nhvp);
  else ck_assert_int_eq(Q->calls, r.iterations + (long)nhvp);
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p);
  stoch_problem_free(Q);
  stoch_problem_free(L);
}
END_TEST

/* Sophia-G in pull mode with the problem's Gauss-Newton-Bartlett oracle (sampled labels), bs = the
 * mini-batch size (the oracle returns a batch mean, so bs ghat^2 estimates the GN diagonal), rho 1,
 * the Hessian refreshed every 10 steps. Transcribed-rule runs reach 6.7e-5 (logistic) and 2e-12
 * (quadratic, full batch). Without the oracle, setup refuses and names lopt_problem_set_batch_gnb. */
START_TEST(test_sophia_gnb_converges_with_sampled_label_oracle)
{
  stoch_problem *L = logistic_problem(), *Q = quad_problem();
  L->gnb_seed = 5, Q->gnb_seed = 6;
  const struct {
    stoch_problem *P;
    const char *lr, *bs, *sched;
    int64_t batch, epochs;
    double tol;
  } c[2] = {{L, "0.1", "64", "cosine", LOG_BATCH, LOG_EPOCHS, 1.5e-3},
            {Q, "0.1", "32", "constant", QUAD_SAMPLES, QUAD_EPOCHS, 1e-9}};
  for (int k = 0; k < 2; k++) {
    conv_case cc = {"sophia",
                    {{"estimator", "gnb"}, {"rho", "1"}, {"bs", c[k].bs}, {"hess_interval", "10"},
                     {"weight_decay", "0"}, {"lr", c[k].lr}, {"lr_schedule", c[k].sched}},
                    c[k].tol};
    lopt_problem *p = stoch_lopt_problem(c[k].P, 0, 1);
    lopt_solver *s = pull_solver(&cc, p, c[k].batch, c[k].epochs, c[k].P->N);
    lopt_result r = {.size = sizeof r};
    ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
    ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
    double err = stoch_rel_error(c[k].P, lopt_solver_x(s));
    ck_assert_msg(err <= c[k].tol, "sophia (gnb) problem %d: rel. error %.3e > %.1e", k, err, c[k].tol);
    ck_assert_msg(c[k].P->gnb_calls == r.iterations / 10, "GNB oracle called %ld times in %lld steps",
                  c[k].P->gnb_calls, (long long)r.iterations);
    ck_assert_int_eq((int64_t)figure(s, "curvature_updates"), r.iterations / 10);
    lopt_solver_destroy(&s);
    lopt_problem_destroy(&p);
  }
  lopt_problem *p = stoch_lopt_problem(L, 1, 0);
  lopt_solver *s = new_solver("sophia");
  ck_assert_int_eq(lopt_solver_set(s, "estimator", "gnb"), LOPT_OK);
  ck_assert_int_eq(lopt_solver_setup(s, p, NULL), LOPT_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "lopt_problem_set_batch_gnb"));
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p);
  stoch_problem_free(L);
  stoch_problem_free(Q);
}
END_TEST

/* AdaHessian with curvature_input = probe_hvp on a diagonal quadratic H = diag(h): the solver's
 * probes are Rademacher and fresh each step, its estimate |z (.) H z| = h has no sampling error, so
 * (i) it runs bit-identically to a solver fed diag(H) exactly (curvature_input = diagonal), and
 * (ii) the denominator read back from each step, den = lr m_hat / (x_t - x_{t+1}) with m_hat formed
 * here from the pushed gradients, equals sqrt(v_hat) + eps = h + eps (v_hat = h^2 after the bias
 * correction; wd = 0, hessian_power 1). */
START_TEST(test_adahessian_probe_estimate_is_exact_on_diagonal_quadratic)
{
  enum { n = 16, T = 50 };
  double h[n], c[n], xa[n], xb[n], hz[n], g[n], m[n] = {0}, prev_z[n] = {0};
  for (int i = 0; i < n; i++) h[i] = 0.5 * (i + 1), c[i] = 0.1 * (i + 1), xa[i] = xb[i] = 1.0 - 0.05 * i;
  lopt_solver *A = new_solver("adahessian"), *B = new_solver("adahessian");
  ck_assert_int_eq(lopt_solver_set(A, "curvature_input", "probe_hvp"), LOPT_OK);
  ck_assert_int_eq(lopt_solver_set(B, "curvature_input", "diagonal"), LOPT_OK);
  set_double(A, "lr", 0.1), set_double(B, "lr", 0.1);
  ck_assert_int_eq(lopt_solver_add_params(A, xa, n, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(B, xb, n, LOPT_F64, NULL), LOPT_OK);
  setup_push_ok(A, "adahessian"), setup_push_ok(B, "adahessian");
  double b1, b2, eps, lr = 0.1, zsum = 0;
  long flips = 0;
  ck_assert_int_eq(lopt_solver_get_double(A, "beta1", &b1), LOPT_OK);
  ck_assert_int_eq(lopt_solver_get_double(A, "beta2", &b2), LOPT_OK);
  ck_assert_int_eq(lopt_solver_get_double(A, "eps", &eps), LOPT_OK);
  const void *ga[1] = {g}, *ca[1] = {hz}, *cb[1] = {h};
  for (int t = 1; t <= T; t++) {
    const double *z = lopt_solver_probe(A, 0);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < n; i++) {
      ck_assert_msg(z[i] == 1.0 || z[i] == -1.0, "probe[%d] = %g at step %d is not Rademacher", i, z[i], t);
      zsum += z[i];
      flips += t > 1 && z[i] != prev_z[i];
      prev_z[i] = z[i];
      hz[i] = h[i] * z[i];
    }
    ck_assert_int_eq(lopt_solver_push_curvature(A, ca), LOPT_OK);
    ck_assert_int_eq(lopt_solver_push_curvature(B, cb), LOPT_OK);
    double before[n];
    memcpy(before, xa, sizeof xa);
    for (int i = 0; i < n; i++) g[i] = h[i] * xa[i] + c[i], m[i] = b1 * m[i] + (1 - b1) * g[i];
    ck_assert_int_eq(lopt_solver_push(A, ga, NAN), LOPT_OK);
    for (int i = 0; i < n; i++) g[i] = h[i] * xb[i] + c[i];
    ck_assert_int_eq(lopt_solver_push(B, ga, NAN), LOPT_OK);
    ck_assert_msg(memcmp(xa, xb, sizeof xa) == 0, "step %d: probe_hvp and diagonal input differ", t);
    for (int i = 0; i < n; i++) {
      double dx = before[i] - xa[i], mhat = m[i] / (1 - pow(b1, t));
      if (!(fabs(dx) > 1e-6 * fabs(before[i]))) continue; /* too small a step to read den from */
      double den = lr * mhat / dx;
      ck_assert_msg(fabs(den - (h[i] + eps)) <= 1e-9 * (h[i] + eps),
                    "step %d, coordinate %d: den = %.15g, expected |H_ii| + eps = %.15g", t, i, den, h[i] + eps);
    }
  }
  ck_assert_msg(fabs(zsum) / (n * T) <= 4.0 / sqrt(n * T), "probe mean %g is not 0 within 4 standard errors",
                zsum / (n * T));
  double frac = (double)flips / (n * (T - 1));
  ck_assert_msg(fabs(frac - 0.5) <= 4 * sqrt(0.25 / (n * (T - 1))), "probe entries change sign in %.3f of steps; "
                "fresh Rademacher probes change in half", frac);
  ck_assert_int_eq((int64_t)figure(A, "curvature_updates"), T);
  lopt_solver_destroy(&A);
  lopt_solver_destroy(&B);
}
END_TEST

/* Sophia-H with curvature_input = probe_hvp on H = diag(h): the solver draws Gaussian probes z; its
 * Hutchinson estimate z (.) H z = z^2 h is unbiased with standard deviation sqrt(2) h per draw.
 * Method:
 *   (i)   the probes it hands out are N(0, 1) (mean and second moment within 4 standard errors over
 *         K n draws) and fresh at every curvature push;
 *   (ii)  it forms the estimate from exactly the probe it handed out: a second solver fed
 *         z (.) (h (.) z) computed here (curvature_input = diagonal) runs bit-identically;
 *   (iii) the estimator's mean over the K probes, computed here, is h_i within 4 standard errors
 *         (4 h_i sqrt(2 / K)) for every coordinate;
 *   (iv)  the solver's EMA is read back through the step sizes: with a constant gradient, no clip
 *         (h_clip = inf) and h_ema above the floor h_eps (1e-2 here, which also bounds the first steps,
 *         taken before the average has built up), the step is lr m_hat / (h_gamma h_ema), so the ratio
 *         of a third solver's last step (fed the exact h) to this one's is h_ema / h_ema(exact)
 *         = sum_k w_k z_k^2 / sum_k w_k with w_k = beta2^(K-k); that ratio, predicted from the probes,
 *         must match to 1e-8, and it is 1 within 4 of its own standard errors (sqrt(2 sum w^2) / sum w). */
START_TEST(test_sophia_hutchinson_estimate_matches_diagonal_within_sampling_error)
{
  enum { n = 16, K = 400 };
  double h[n], xa[n] = {0}, xb[n] = {0}, xc[n] = {0}, ca[n], cb[n], g[n], zsq[n] = {0}, wz[n] = {0}, prev_z[n] = {0};
  double zs = 0, zz = 0, wsum = 0, w2sum = 0;
  long same = 0;
  for (int i = 0; i < n; i++) h[i] = 1.0 + 0.5 * i, g[i] = 1e-3;
  lopt_solver *S[3];
  const char *input[3] = {"probe_hvp", "diagonal", "diagonal"};
  double *xs[3] = {xa, xb, xc};
  for (int k = 0; k < 3; k++) {
    S[k] = new_solver("sophia");
    const opt_pair o[] = {{"estimator", "hutchinson"}, {"curvature_input", input[k]}, {"weight_decay", "0"},
                          {"h_gamma", "1"}, {"h_clip", "inf"}, {"h_eps", "1e-2"}, {"lr", "0.1"}};
    apply_opts(S[k], "sophia", o, sizeof o / sizeof o[0]);
    ck_assert_int_eq(lopt_solver_add_params(S[k], xs[k], n, LOPT_F64, NULL), LOPT_OK);
    setup_push_ok(S[k], "sophia");
  }
  double b2;
  ck_assert_int_eq(lopt_solver_get_double(S[0], "beta2", &b2), LOPT_OK);
  const void *gg[1] = {g}, *c0[1] = {ca}, *c1[1] = {cb}, *c2[1] = {h};
  double before_a[n], before_c[n];
  for (int t = 1; t <= K; t++) {
    const double *z = lopt_solver_probe(S[0], 0);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < n; i++) ca[i] = h[i] * z[i];
    for (int i = 0; i < n; i++) cb[i] = z[i] * ca[i]; /* the driver's z (.) Hz, same operation order */
    for (int i = 0; i < n; i++) {
      zs += z[i], zz += z[i] * z[i], zsq[i] += z[i] * z[i];
      wz[i] = b2 * wz[i] + z[i] * z[i];
      same += t > 1 && z[i] == prev_z[i];
      prev_z[i] = z[i];
    }
    wsum = b2 * wsum + 1, w2sum = b2 * b2 * w2sum + 1;
    ck_assert_int_eq(lopt_solver_push_curvature(S[0], c0), LOPT_OK);
    ck_assert_int_eq(lopt_solver_push_curvature(S[1], c1), LOPT_OK);
    ck_assert_int_eq(lopt_solver_push_curvature(S[2], c2), LOPT_OK);
    memcpy(before_a, xa, sizeof xa);
    memcpy(before_c, xc, sizeof xc);
    for (int k = 0; k < 3; k++) ck_assert_int_eq(lopt_solver_push(S[k], gg, NAN), LOPT_OK);
    ck_assert_msg(memcmp(xa, xb, sizeof xa) == 0, "step %d: probe_hvp input differs from z (.) Hz pushed directly", t);
  }
  ck_assert_msg(same == 0, "%ld probe entries repeated from one curvature push to the next", same);
  const double N = (double)n * K;
  ck_assert_msg(fabs(zs / N) <= 4 / sqrt(N), "probe mean %g", zs / N);
  ck_assert_msg(fabs(zz / N - 1) <= 4 * sqrt(2 / N), "probe second moment %g", zz / N);
  for (int i = 0; i < n; i++) {
    double est = zsq[i] / K * h[i], se = h[i] * sqrt(2.0 / K);
    ck_assert_msg(fabs(est - h[i]) <= 4 * se, "coordinate %d: mean of z (.) Hz over %d probes = %g, diag(H) = %g, "
                  "standard error %g", i, K, est, h[i], se);
    double pred = wz[i] / wsum, sd = sqrt(2 * w2sum) / wsum;
    double ratio = (before_c[i] - xc[i]) / (before_a[i] - xa[i]);
    ck_assert_msg(fabs(ratio - pred) <= 1e-8 * pred, "coordinate %d: step ratio %.12g, EMA of the probes predicts "
                  "%.12g", i, ratio, pred);
    ck_assert_msg(fabs(pred - 1) <= 4 * sd, "coordinate %d: EMA estimate / diag(H) = %g, sd %g", i, pred, sd);
  }
  for (int k = 0; k < 3; k++) lopt_solver_destroy(&S[k]);
}
END_TEST

/* ---- 4. framework semantics ------------------------------------------------------------------- */

/* Schedules, closed forms of reference §13.1 (t = 1-based step, W warm-up, T total steps):
 * warm-up base t / W for t <= W; cosine lr_min + (base - lr_min)(1 + cos(pi (t - W) / (T - W))) / 2;
 * step base gamma^floor((t - 1) / s); linear base (f0 + (f1 - f0)(t - 1) / (T - 1)). Checked for
 * t = 1 .. T (the forms say nothing past T). */
typedef struct sched_case {
  const char *schedule;
  int W, T;
  opt_pair opts[4];
} sched_case;

static const sched_case sched_cases[] = {
  {"constant", 0, 12, {{NULL, NULL}}},
  {"constant", 4, 12, {{NULL, NULL}}},
  {"step", 0, 20, {{"step_size", "3"}, {"gamma", "0.5"}}},
  {"step", 2, 20, {{"step_size", "3"}, {"gamma", "0.5"}}},
  {"cosine", 0, 20, {{"lr_min", "0.01"}}},
  {"cosine", 5, 20, {{"lr_min", "0.001"}}},
  {"linear", 0, 10, {{"lr_start_factor", "1"}, {"lr_end_factor", "0.1"}}},
  {"linear", 3, 12, {{"lr_start_factor", "0.5"}, {"lr_end_factor", "0.05"}}},
};
enum { N_SCHED = sizeof sched_cases / sizeof sched_cases[0] };

static double sched_value(const sched_case *c, double base, int t)
{
  const double pi = 3.14159265358979323846;
  double W = c->W, T = c->T;
  if (c->W > 0 && t <= c->W) return base * t / W;
  if (!strcmp(c->schedule, "step")) return base * pow(0.5, floor((t - 1) / 3.0));
  if (!strcmp(c->schedule, "cosine")) {
    double lo = atof(c->opts[0].value);
    return lo + 0.5 * (base - lo) * (1 + cos(pi * (t - W) / (T - W)));
  }
  if (!strcmp(c->schedule, "linear")) {
    double f0 = atof(c->opts[0].value), f1 = atof(c->opts[1].value);
    return base * (f0 + (f1 - f0) * (t - 1) / (T - 1));
  }
  return base;
}

/* The lr figure follows the closed form, and the parameters move by it: plain SGD with g = 1 steps
 * x <- x - lr_t exactly; a second group with lr overridden to 0.5 follows the same schedule from its
 * own base. */
START_TEST(test_schedule_lr_matches_closed_forms)
{
  const sched_case *c = &sched_cases[_i];
  lopt_solver *s = new_solver("sgd");
  set_double(s, "lr", 0.2);
  ck_assert_int_eq(lopt_solver_set(s, "lr_schedule", c->schedule), LOPT_OK);
  set_int(s, "warmup_steps", c->W);
  set_int(s, "total_steps", c->T);
  apply_opts(s, c->schedule, c->opts, 4);
  double x[2] = {0, 0}, y[1] = {0}, g[2] = {1, 1}, gy[1] = {1};
  ck_assert_int_eq(lopt_solver_add_params(s, x, 2, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(s, y, 1, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 1, "lr", 0.5), LOPT_OK);
  setup_push_ok(s, "sgd");
  const void *gr[2] = {g, gy};
  for (int t = 1; t <= c->T; t++) {
    double x0 = x[0], y0 = y[0];
    ck_assert_int_eq(lopt_solver_push(s, gr, 0.0), LOPT_OK);
    double want = sched_value(c, 0.2, t), got = figure(s, "lr");
    ck_assert_msg(fabs(got - want) <= 1e-14 * want + 1e-300,
                  "%s (W %d, T %d) t = %d: lr figure %.17g, closed form %.17g", c->schedule, c->W, c->T, t, got, want);
    ck_assert_msg(fabs((x0 - x[0]) - want) <= 1e-14 * (1 + fabs(x[0])), "%s t = %d: x moved by %.17g, lr_t = %.17g",
                  c->schedule, t, x0 - x[0], want);
    double want_y = sched_value(c, 0.5, t);
    ck_assert_msg(fabs((y0 - y[0]) - want_y) <= 1e-14 * (1 + fabs(y[0])), "%s t = %d: group 1 moved by %.17g, its "
                  "lr_t = %.17g", c->schedule, t, y0 - y[0], want_y);
  }
  lopt_solver_destroy(&s);
}
END_TEST

/* Global-norm clipping (§13.1): one norm over both groups, factor min(1, c / (||g|| + 1e-6)), applied
 * to the raw gradient before maximize and weight decay. Group norms 2 and 6 (global sqrt(40)) tell a
 * global factor from per-group ones; the solver must match one without clipping fed the gradient
 * times the factor (same weight decay, same maximize). */
START_TEST(test_clip_by_global_norm_over_two_groups)
{
  double xa[2] = {0.3, -0.2}, xb[3] = {1, 2, 3}, ra[2] = {0.3, -0.2}, rb[3] = {1, 2, 3};
  double ga[2] = {1.2, -1.6}, gb[3] = {2, 4, -4}, sa[2], sb[3];
  lopt_solver *s = new_solver("adam"), *ref = new_solver("adam");
  lopt_solver *both[2] = {s, ref};
  for (int k = 0; k < 2; k++) {
    set_double(both[k], "lr", 0.1);
    set_double(both[k], "weight_decay", 0.1);
    ck_assert_int_eq(lopt_solver_set_bool(both[k], "maximize", 1), LOPT_OK);
  }
  set_double(s, "clip_norm", 1.0);
  ck_assert_int_eq(lopt_solver_add_params(s, xa, 2, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(s, xb, 3, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(ref, ra, 2, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(ref, rb, 3, LOPT_F64, NULL), LOPT_OK);
  setup_push_ok(s, "adam"), setup_push_ok(ref, "adam");
  const void *g[2] = {ga, gb}, *gs[2] = {sa, sb};
  for (int t = 0; t < 3; t++) {
    double scale = t == 2 ? 0.1 : 1.0; /* last step: ||g|| = 0.63 < c, factor 1 */
    double gn = sqrt(40.0) * scale, f = fmin(1.0, 1.0 / (gn + 1e-6));
    for (int i = 0; i < 2; i++) ga[i] = (i ? -1.6 : 1.2) * scale, sa[i] = ga[i] * f;
    for (int i = 0; i < 3; i++) gb[i] = (double[]){2, 4, -4}[i] * scale, sb[i] = gb[i] * f;
    ck_assert_int_eq(lopt_solver_push(s, g, NAN), LOPT_OK);
    ck_assert_int_eq(lopt_solver_push(ref, gs, NAN), LOPT_OK);
    ck_assert_double_eq_tol(figure(s, "gnorm"), gn, 1e-15 * gn);
    ck_assert_msg(fabs(figure(s, "clip_factor") - f) <= 1e-15 * f, "clip_factor %.17g, expected %.17g",
                  figure(s, "clip_factor"), f);
    ck_assert_msg(test_rel_diff(xa, ra, 2) <= 1e-15 && test_rel_diff(xb, rb, 3) <= 1e-15,
                  "step %d: clipped run differs from the run fed g * factor (%.3g, %.3g)", t, test_rel_diff(xa, ra, 2),
                  test_rel_diff(xb, rb, 3));
  }
  ck_assert_double_eq(figure(s, "clip_factor"), 1.0);
  lopt_solver_destroy(&s);
  lopt_solver_destroy(&ref);
}
END_TEST

/* Two groups, group 1 with lr and weight_decay overridden, against two separate solvers: one with the
 * solver-wide options on group 0's array, one with the overrides as its options on group 1's. */
START_TEST(test_group_overrides_equal_separate_solvers)
{
  const char *kind = kinds[_i];
  grp G[2] = {grp_new(5, LOPT_F64, 0), grp_new(3, LOPT_F64, 1)};
  grp H0 = grp_new(5, LOPT_F64, 0), H1 = grp_new(3, LOPT_F64, 1);
  lopt_solver *s = new_solver(kind), *s0 = new_solver(kind), *s1 = new_solver(kind);
  lopt_solver *all[3] = {s, s0, s1};
  for (int k = 0; k < 3; k++) push_config(all[k], kind), set_double(all[k], "lr", 0.01);
  add_groups(s, G, 2);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 1, "lr", 0.05), LOPT_OK);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 1, "weight_decay", 0.1), LOPT_OK);
  set_double(s1, "lr", 0.05), set_double(s1, "weight_decay", 0.1);
  add_groups(s0, &H0, 1);
  add_groups(s1, &H1, 1);
  for (int k = 0; k < 3; k++) setup_push_ok(all[k], kind);
  for (int t = 0; t < 6; t++) {
    push_ok(s, kind, G, 2, 1, 1);
    push_ok(s0, kind, &H0, 1, 1, 1);
    push_ok(s1, kind, &H1, 1, 1, 1);
  }
  ck_assert_msg(same_bytes(&G[0], &H0), "%s: group 0 differs from its own solver", kind);
  ck_assert_msg(same_bytes(&G[1], &H1), "%s: group 1 (lr 0.05, weight_decay 0.1) differs from a solver with those "
                "options", kind);
  ck_assert_msg(getv(G[1].x, LOPT_F64, 0) != 0.2, "%s: group 1 did not move", kind);
  for (int k = 0; k < 3; k++) lopt_solver_destroy(&all[k]);
  grp_free(&G[0]), grp_free(&G[1]), grp_free(&H0), grp_free(&H1);
}
END_TEST

/* A float32 and a float64 group in one solver give the same bytes as one solver per dtype. */
START_TEST(test_float32_and_float64_groups_in_one_solver)
{
  const char *kind = kinds[_i];
  grp G[2] = {grp_new(7, LOPT_F32, 0), grp_new(4, LOPT_F64, 1)};
  grp H0 = grp_new(7, LOPT_F32, 0), H1 = grp_new(4, LOPT_F64, 1);
  lopt_solver *s = new_solver(kind), *s0 = new_solver(kind), *s1 = new_solver(kind);
  lopt_solver *all[3] = {s, s0, s1};
  for (int k = 0; k < 3; k++) push_config(all[k], kind), set_double(all[k], "lr", 0.01);
  add_groups(s, G, 2);
  add_groups(s0, &H0, 1);
  add_groups(s1, &H1, 1);
  for (int k = 0; k < 3; k++) setup_push_ok(all[k], kind);
  for (int t = 0; t < 6; t++) {
    push_ok(s, kind, G, 2, 1, 1);
    push_ok(s0, kind, &H0, 1, 1, 1);
    push_ok(s1, kind, &H1, 1, 1, 1);
  }
  ck_assert_msg(same_bytes(&G[0], &H0), "%s: the float32 group differs from a float32-only solver", kind);
  ck_assert_msg(same_bytes(&G[1], &H1), "%s: the float64 group differs from a float64-only solver", kind);
  for (int k = 0; k < 3; k++) lopt_solver_destroy(&all[k]);
  grp_free(&G[0]), grp_free(&G[1]), grp_free(&H0), grp_free(&H1);
}
END_TEST

/* maximize f == minimize -f: gradient -g (and, for curvature kinds, curvature -c: the Hessian of -f;
 * squared or absolute-value estimators do not see the sign). Same bytes, both dtypes. */
START_TEST(test_maximize_equals_minimizing_the_negation)
{
  const char *kind = kinds[_i];
  grp G[2] = {grp_new(5, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
  grp H[2] = {grp_new(5, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
  lopt_solver *s = new_solver(kind), *r = new_solver(kind);
  push_config(s, kind), push_config(r, kind);
  set_double(s, "lr", 0.01), set_double(r, "lr", 0.01);
  ck_assert_int_eq(lopt_solver_set_bool(s, "maximize", 1), LOPT_OK);
  add_groups(s, G, 2);
  add_groups(r, H, 2);
  setup_push_ok(s, kind), setup_push_ok(r, kind);
  for (int t = 0; t < 6; t++) {
    push_ok(s, kind, G, 2, 1, 1);
    push_ok(r, kind, H, 2, -1, -1);
  }
  ck_assert_msg(same_bytes(&G[0], &H[0]) && same_bytes(&G[1], &H[1]), "%s: maximize differs from minimizing -f", kind);
  ck_assert_msg(getv(G[0].x, LOPT_F64, 0) != 0.5, "%s: no movement", kind);
  lopt_solver_destroy(&s), lopt_solver_destroy(&r);
  grp_free(&G[0]), grp_free(&G[1]), grp_free(&H[0]), grp_free(&H[1]);
}
END_TEST

/* A NaN (then an Inf) in one group's gradient ends the run with LOPT_STOP_NONFINITE before any
 * parameter changes (both groups bit-identical to before the push), the message names the group, and
 * further pushes are refused until setup_push. */
START_TEST(test_nonfinite_gradient_stops_before_any_change)
{
  const char *kind = kinds[_i];
  for (int variant = 0; variant < 2; variant++) {
    grp G[2] = {grp_new(4, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
    lopt_solver *s = new_solver(kind);
    push_config(s, kind);
    set_double(s, "lr", 0.01);
    add_groups(s, G, 2);
    setup_push_ok(s, kind);
    push_ok(s, kind, G, 2, 1, 1);
    push_ok(s, kind, G, 2, 1, 1);
    grp before[2] = {grp_new(4, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
    memcpy(before[0].x, G[0].x, 4 * sizeof(double));
    memcpy(before[1].x, G[1].x, 3 * sizeof(float));
    const void *arr[2] = {G[0].g, G[1].g};
    if (takes_curvature(kind)) {
      for (int k = 0; k < 2; k++)
        for (int64_t i = 0; i < G[k].n; i++) setv(G[k].c, G[k].dt, i, 2.0);
      const void *c[2] = {G[0].c, G[1].c};
      ck_assert_int_eq(lopt_solver_push_curvature(s, c), LOPT_OK);
    }
    for (int k = 0; k < 2; k++)
      for (int64_t i = 0; i < G[k].n; i++) setv(G[k].g, G[k].dt, i, 0.5);
    ((float *)G[1].g)[2] = variant ? INFINITY : NAN;
    int rc = lopt_solver_push(s, arr, 1.0);
    ck_assert_msg(rc == LOPT_OK, "%s: push with a non-finite gradient returned %s", kind, lopt_status_name(rc));
    ck_assert_msg(lopt_solver_stop_reason(s) == LOPT_STOP_NONFINITE, "%s: stop reason %s", kind,
                  lopt_stop_name(lopt_solver_stop_reason(s)));
    ck_assert_msg(same_bytes(&G[0], &before[0]) && same_bytes(&G[1], &before[1]),
                  "%s: parameters changed by a refused step", kind);
    ck_assert_msg(strstr(lopt_solver_message(s), "group 1") != NULL, "%s: message does not name the group: %s", kind,
                  lopt_solver_message(s));
    for (int64_t i = 0; i < 3; i++) setv(G[1].g, LOPT_F32, i, 0.5);
    ck_assert_int_eq(lopt_solver_push(s, arr, 1.0), LOPT_ESTATE);
    lopt_solver_destroy(&s);
    grp_free(&G[0]), grp_free(&G[1]), grp_free(&before[0]), grp_free(&before[1]);
  }
}
END_TEST

/* A non-finite curvature push must not poison the state: it is refused (EINVAL) or ends the run
 * with LOPT_STOP_NONFINITE, as pull mode does for a non-finite curvature estimate; either way the
 * parameters stay finite and unchanged. */
START_TEST(test_nonfinite_curvature_push_is_refused)
{
  const char *kind = _i == 0 ? "sophia" : "adahessian";
  double x[3] = {0.5, -0.5, 1.0}, before[3], g[3] = {0.1, 0.2, 0.3}, c[3] = {2, NAN, 2};
  lopt_solver *s = new_solver(kind);
  push_config(s, kind);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 3, LOPT_F64, NULL), LOPT_OK);
  setup_push_ok(s, kind);
  memcpy(before, x, sizeof x);
  const void *ca[1] = {c}, *ga[1] = {g};
  int rc = lopt_solver_push_curvature(s, ca);
  lopt_stop stop = lopt_solver_stop_reason(s);
  ck_assert_msg(rc == LOPT_EINVAL || stop == LOPT_STOP_NONFINITE, "%s: a NaN curvature was accepted (status %s, "
                "stop %s)", kind, lopt_status_name(rc), lopt_stop_name(stop));
  c[1] = 2;
  if (stop == LOPT_STOP_RUNNING) {
    lopt_solver_push_curvature(s, ca);
    lopt_solver_push(s, ga, NAN);
    for (int i = 0; i < 3; i++) ck_assert_msg(isfinite(x[i]), "%s: x[%d] = %g after a NaN curvature", kind, i, x[i]);
  } else {
    ck_assert(memcmp(x, before, sizeof x) == 0);
  }
  lopt_solver_destroy(&s);
}
END_TEST

/* A NaN mini-batch loss in pull mode ends the run with LOPT_STOP_NONFINITE and the parameters of the
 * iterate that produced it (equal to a run stopped by max_iter just before). */
START_TEST(test_nan_loss_in_pull_mode_stops_nonfinite)
{
  const conv_case *c = &quad_cases[_i];
  stoch_problem *P = quad_problem();
  lopt_problem *p = stoch_lopt_problem(P, 1, 0);
  lopt_solver *ref = pull_solver(c, p, 8, 10, P->N);
  set_int(ref, "max_iter", 5);
  lopt_result r = {.size = sizeof r};
  ck_assert_int_eq(lopt_solver_solve(ref, &r), LOPT_OK);
  ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
  stoch_reset_hooks(P);
  P->nan_at_call = 5; /* the sixth gradient call */
  lopt_solver *s = pull_solver(c, p, 8, 10, P->N);
  ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
  ck_assert_msg(r.stop == LOPT_STOP_NONFINITE, "%s: stop %s after a NaN loss", c->kind, lopt_stop_name(r.stop));
  ck_assert_msg(memcmp(lopt_solver_x(s), lopt_solver_x(ref), QUAD_N * sizeof(double)) == 0,
                "%s: the NaN step changed the parameters", c->kind);
  ck_assert(strlen(lopt_solver_message(s)) > 0);
  lopt_solver_destroy(&s), lopt_solver_destroy(&ref);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* An oracle that returns non-zero ends the run with LOPT_STOP_CALLBACK; the code is the figure
 * callback_code. Also for the HVP oracle (adahessian calls it before every step). */
START_TEST(test_oracle_error_stops_with_callback_and_its_code)
{
  stoch_problem *P = quad_problem();
  lopt_problem *p = stoch_lopt_problem(P, 1, 0);
  for (int which = 0; which < 2; which++) {
    stoch_reset_hooks(P);
    P->fail_code = which ? 11 : 7;
    if (which) P->hvp_fail_at_call = 2;
    else P->fail_at_call = 3;
    const conv_case *c = &quad_cases[which ? 5 : 1];
    lopt_solver *s = pull_solver(c, p, 8, 10, P->N);
    lopt_result r = {.size = sizeof r};
    ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
    ck_assert_msg(r.stop == LOPT_STOP_CALLBACK, "%s: stop %s", c->kind, lopt_stop_name(r.stop));
    ck_assert_int_eq((int)figure(s, "callback_code"), P->fail_code);
    ck_assert_msg(strstr(lopt_solver_message(s), which ? "11" : "7") != NULL, "message: %s", lopt_solver_message(s));
    ck_assert_int_eq(lopt_solver_step(s), LOPT_ESTATE);
    lopt_solver_destroy(&s);
  }
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* lr = 0 is allowed (as torch) and leaves the parameters where they are; a negative lr is refused,
 * solver-wide and per group, with a message that names the option. */
START_TEST(test_zero_lr_is_allowed_and_negative_lr_refused)
{
  const char *kind = kinds[_i];
  grp G[2] = {grp_new(4, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
  grp B[2] = {grp_new(4, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
  lopt_solver *s = new_solver(kind);
  push_config(s, kind);
  int rc = lopt_solver_set_double(s, "lr", -0.1);
  ck_assert_msg(rc == LOPT_EINVAL, "%s: lr = -0.1 gave %s", kind, lopt_status_name(rc));
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "lr"));
  ck_assert_int_eq(lopt_solver_set(s, "lr", "0"), LOPT_OK);
  add_groups(s, G, 2);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 1, "lr", -1.0), LOPT_EINVAL);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 2, "lr", 0.1), LOPT_EINVAL);
  setup_push_ok(s, kind);
  for (int t = 0; t < 3; t++) push_ok(s, kind, G, 2, 1, 1);
  ck_assert_msg(same_bytes(&G[0], &B[0]) && same_bytes(&G[1], &B[1]), "%s: lr = 0 moved the parameters", kind);
  lopt_solver_destroy(&s);
  grp_free(&G[0]), grp_free(&G[1]), grp_free(&B[0]), grp_free(&B[1]);
}
END_TEST

/* Betas must lie in [0, 1) (reference: 0 <= beta < 1 in every implementation); weight decay and eps
 * must not be negative; unknown names are refused with the nearest valid name. */
START_TEST(test_betas_outside_unit_interval_refused)
{
  const char *kind = kinds[_i];
  static const char *const betas[] = {"beta1", "beta2", "beta3"};
  static const char *const nonneg[] = {"alpha", "momentum", "dampening"}; /* torch: >= 0 only */
  lopt_solver *s = new_solver(kind);
  int found = 0;
  double v;
  for (size_t b = 0; b < sizeof betas / sizeof betas[0]; b++) {
    if (lopt_solver_get_double(s, betas[b], &v) != LOPT_OK) continue;
    found++;
    ck_assert_msg(lopt_solver_set_double(s, betas[b], 1.0) == LOPT_EINVAL, "%s: %s = 1 accepted", kind, betas[b]);
    ck_assert_msg(strstr(lopt_solver_message(s), betas[b]) != NULL, "%s: message does not name %s: %s", kind,
                  betas[b], lopt_solver_message(s));
    ck_assert_msg(lopt_solver_set_double(s, betas[b], 1.5) == LOPT_EINVAL, "%s: %s = 1.5 accepted", kind, betas[b]);
    ck_assert_msg(lopt_solver_set_double(s, betas[b], -0.1) == LOPT_EINVAL, "%s: %s = -0.1 accepted", kind, betas[b]);
    ck_assert_msg(lopt_solver_set_double(s, betas[b], NAN) == LOPT_EINVAL, "%s: %s = NaN accepted", kind, betas[b]);
    ck_assert_msg(lopt_solver_set_double(s, betas[b], 0.0) == LOPT_OK, "%s: %s = 0 refused", kind, betas[b]);
  }
  for (size_t b = 0; b < sizeof nonneg / sizeof nonneg[0]; b++) {
    if (lopt_solver_get_double(s, nonneg[b], &v) != LOPT_OK) continue;
    ck_assert_msg(lopt_solver_set_double(s, nonneg[b], -0.1) == LOPT_EINVAL, "%s: %s = -0.1 accepted", kind, nonneg[b]);
  }
  if (!kind_is(kind, "sgd") && !kind_is(kind, "adagrad") && !kind_is(kind, "rmsprop"))
    ck_assert_msg(found > 0, "%s has no beta option", kind);
  ck_assert_int_eq(lopt_solver_set_double(s, "weight_decay", -1e-3), LOPT_EINVAL);
  double eps;
  if (lopt_solver_get_double(s, "eps", &eps) == LOPT_OK)
    ck_assert_int_eq(lopt_solver_set_double(s, "eps", -1e-8), LOPT_EINVAL);
  ck_assert_int_eq(lopt_solver_set_double(s, "learning_rate", 0.1), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "did you mean"));
  lopt_solver_destroy(&s);
}
END_TEST

/* Misuse of push mode: push before setup_push, after add_params without a new setup_push, NULL
 * gradient list, NULL array for one group (EINVAL naming the group), curvature for a kind that takes
 * none, a group index that does not exist. None of them changes the parameters. */
START_TEST(test_push_misuse_is_refused)
{
  double x[3] = {1, 2, 3}, y[2] = {4, 5}, g[3] = {1, 1, 1}, gy[2] = {1, 1};
  lopt_solver *s = new_solver("adam");
  const void *both[2] = {g, gy}, *one_null[2] = {g, NULL};
  ck_assert_int_eq(lopt_solver_push(s, both, 0), LOPT_ESTATE);     /* nothing registered */
  ck_assert_int_eq(lopt_solver_setup_push(s), LOPT_ESTATE);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 3, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(s, y, 2, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_push(s, both, 0), LOPT_ESTATE);     /* before setup_push */
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "setup_push"));
  ck_assert_int_eq(lopt_solver_add_params(s, NULL, 3, LOPT_F64, NULL), LOPT_EINVAL);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 0, LOPT_F64, NULL), LOPT_EINVAL);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 3, (lopt_dtype)7, NULL), LOPT_EINVAL);
  setup_push_ok(s, "adam");
  ck_assert_int_eq(lopt_solver_push(s, NULL, 0), LOPT_EINVAL);
  ck_assert_int_eq(lopt_solver_push(s, one_null, 0), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "group 1"));
  ck_assert_int_eq(lopt_solver_push_curvature(s, both), LOPT_EUNSUPPORTED);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 5, "lr", 0.1), LOPT_EINVAL);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 0, "no_such_option", 0.1), LOPT_EINVAL);
  ck_assert(x[0] == 1 && x[2] == 3 && y[0] == 4 && y[1] == 5);
  ck_assert_int_eq(lopt_solver_push(s, both, 0), LOPT_OK);
  ck_assert(x[0] != 1 && y[0] != 4);
  lopt_solver_destroy(&s);
}
END_TEST

/* A group added after setup_push needs a new setup_push (pushes are refused until then), after which
 * the run has all three groups; destroying the solver in between is safe. */
START_TEST(test_group_added_after_setup_push_needs_new_setup)
{
  double x[3] = {1, 2, 3}, y[2] = {4, 5}, z[1] = {6}, g[3] = {1, 1, 1}, gy[2] = {1, 1}, gz[1] = {1};
  const void *two[2] = {g, gy}, *three[3] = {g, gy, gz};
  for (int variant = 0; variant < 2; variant++) {
    lopt_solver *s = new_solver("adam");
    ck_assert_int_eq(lopt_solver_add_params(s, x, 3, LOPT_F64, NULL), LOPT_OK);
    ck_assert_int_eq(lopt_solver_add_params(s, y, 2, LOPT_F64, NULL), LOPT_OK);
    setup_push_ok(s, "adam");
    ck_assert_int_eq(lopt_solver_push(s, two, 0), LOPT_OK);
    int id = -1;
    ck_assert_int_eq(lopt_solver_add_params(s, z, 1, LOPT_F64, &id), LOPT_OK);
    ck_assert_int_eq(id, 2);
    ck_assert_int_eq(lopt_solver_push(s, three, 0), LOPT_ESTATE);
    if (variant == 1) { /* variant 0 destroys the handle right here */
      setup_push_ok(s, "adam");
      ck_assert_int_eq(lopt_solver_push(s, three, 0), LOPT_OK);
      ck_assert(z[0] != 6);
    }
    lopt_solver_destroy(&s);
  }
}
END_TEST

/* add_params after a pull-mode set-up ends that run (push.c): the solver's own iterate, which pull
 * mode registered as group 0, is not part of the push run; the user's array is group 0. */
START_TEST(test_push_after_pull_setup_has_only_the_users_groups)
{
  stoch_problem *P = quad_problem();
  lopt_problem *p = stoch_lopt_problem(P, 0, 0);
  lopt_solver *s = new_solver("adam");
  ck_assert_int_eq(lopt_solver_setup(s, p, NULL), LOPT_OK);
  steps(s, 2);
  double y[3] = {1, 2, 3}, g[3] = {1, 1, 1};
  const void *ga[1] = {g};
  int id = -1;
  ck_assert_int_eq(lopt_solver_add_params(s, y, 3, LOPT_F64, &id), LOPT_OK);
  ck_assert_int_eq(id, 0);
  setup_push_ok(s, "adam");
  ck_assert_int_eq(lopt_solver_push(s, ga, 0), LOPT_OK);
  ck_assert(y[0] != 1);
  lopt_result r = {.size = sizeof r};
  ck_assert_int_eq(lopt_solver_result(s, &r), LOPT_OK);
  ck_assert_int_eq(r.iterations, 1);
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* AdaHessian needs the step's curvature before every push: without it, LOPT_ESTATE, and a second
 * push after one curvature push is refused too. */
START_TEST(test_adahessian_push_without_curvature_is_estate)
{
  double x[4] = {1, 2, 3, 4}, g[4] = {1, 1, 1, 1}, d[4] = {1, 1, 1, 1};
  lopt_solver *s = new_solver("adahessian");
  ck_assert_int_eq(lopt_solver_set(s, "curvature_input", "diagonal"), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 4, LOPT_F64, NULL), LOPT_OK);
  setup_push_ok(s, "adahessian");
  const void *ga[1] = {g}, *da[1] = {d};
  ck_assert_int_eq(lopt_solver_push(s, ga, 0), LOPT_ESTATE);
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "curvature"));
  ck_assert(x[0] == 1);
  ck_assert_int_eq(lopt_solver_push_curvature(s, da), LOPT_OK);
  ck_assert_int_eq(lopt_solver_push(s, ga, 0), LOPT_OK);
  ck_assert_int_eq(lopt_solver_push(s, ga, 0), LOPT_ESTATE);
  lopt_solver_destroy(&s);
}
END_TEST

/* block_size must divide each group's length (§13.1): 3 does not divide 10 -> EINVAL at setup_push
 * naming block_size; a per-group override of 5 for that group makes it valid. */
START_TEST(test_adahessian_block_size_must_divide_group_length)
{
  double x[10] = {0}, y[6] = {0};
  lopt_solver *s = new_solver("adahessian");
  set_double(s, "block_size", 3);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 10, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(s, y, 6, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_setup_push(s), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "block_size"));
  ck_assert_int_eq(lopt_solver_push(s, (const void *const[]){x, y}, 0), LOPT_ESTATE);
  ck_assert_int_eq(lopt_solver_set_group_double(s, 0, "block_size", 5), LOPT_OK);
  setup_push_ok(s, "adahessian");
  ck_assert_int_eq(lopt_solver_set_double(s, "block_size", 2.5), LOPT_OK);
  ck_assert_int_eq(lopt_solver_setup_push(s), LOPT_EINVAL);
  lopt_solver_destroy(&s);
}
END_TEST

/* torch.optim.SGD: nesterov requires momentum > 0 and dampening = 0 (reference §3). */
START_TEST(test_sgd_nesterov_needs_momentum_and_no_dampening)
{
  double x[2] = {0};
  lopt_solver *s = new_solver("sgd");
  ck_assert_int_eq(lopt_solver_set(s, "nesterov", "true"), LOPT_OK);
  ck_assert_int_eq(lopt_solver_add_params(s, x, 2, LOPT_F64, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_solver_setup_push(s), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(s), "momentum"));
  set_double(s, "momentum", 0.9);
  set_double(s, "dampening", 0.1);
  ck_assert_int_eq(lopt_solver_setup_push(s), LOPT_EINVAL);
  set_double(s, "dampening", 0);
  setup_push_ok(s, "sgd");
  lopt_solver_destroy(&s);
}
END_TEST

/* target_loss: the run stops with LOPT_STOP_TARGET at the end of the first epoch whose mean loss is
 * <= the target; max_epochs: LOPT_STOP_MAX_ITER after exactly that many epochs (N = 50, batch 16:
 * four steps per epoch, the last of 2 samples); max_iter counts steps. */
START_TEST(test_pull_mode_stopping_rules)
{
  stoch_problem *P = stoch_quadratic(QUAD_N, 50, 2, 9);
  lopt_problem *p = stoch_lopt_problem(P, 0, 0);
  double f0;
  stoch_full(P, (double[QUAD_N]){0}, &f0, NULL);
  const conv_case c = {"adam", {{"lr", "0.1"}}, 0};
  /* target */
  lopt_solver *s = pull_solver(&c, p, 50, 1000, P->N);
  double target = P->fstar + 1e-3 * (f0 - P->fstar);
  set_double(s, "target_loss", target);
  lopt_result r = {.size = sizeof r};
  ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
  ck_assert_msg(r.stop == LOPT_STOP_TARGET, "stop %s", lopt_stop_name(r.stop));
  ck_assert(r.usable);
  ck_assert_double_le(figure(s, "epoch_loss"), target);
  ck_assert_double_le(r.objective, target);
  ck_assert(r.iterations > 1 && r.iterations < 1000);
  lopt_solver_destroy(&s);
  /* max_epochs */
  s = pull_solver(&c, p, 16, 3, P->N);
  ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
  ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
  ck_assert(r.usable);
  ck_assert_int_eq(r.iterations, 12);
  ck_assert_int_eq((int64_t)figure(s, "epochs"), 3);
  lopt_solver_destroy(&s);
  /* max_iter, mid-epoch */
  s = pull_solver(&c, p, 16, 3, P->N);
  set_int(s, "max_iter", 7);
  ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
  ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
  ck_assert_int_eq(r.iterations, 7);
  ck_assert_int_eq((int64_t)figure(s, "epochs"), 1);
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

typedef struct monitor_log {
  int calls;
  double objective[16];
  int64_t iteration[16];
} monitor_log;

static int record_monitor(const lopt_monitor_info *info, void *ctx)
{
  monitor_log *m = ctx;
  if (m->calls < 16) m->objective[m->calls] = info->objective, m->iteration[m->calls] = info->iteration;
  m->calls++;
  return LOPT_MONITOR_CONTINUE;
}

/* Pull mode calls the monitor once per epoch with that epoch's mean loss: sum over its mini-batches of
 * (batch mean loss x batch size) / N, recomputed here from what the oracle returned. */
START_TEST(test_monitor_once_per_epoch_with_epoch_mean_loss)
{
  stoch_problem *P = stoch_quadratic(QUAD_N, 50, 2, 9);
  P->record = 1;
  lopt_problem *p = stoch_lopt_problem(P, 0, 0);
  const conv_case c = {"adam", {{"lr", "0.05"}}, 0};
  lopt_solver *s = pull_solver(&c, p, 16, 5, P->N);
  monitor_log m = {0};
  ck_assert_int_eq(lopt_solver_set_monitor(s, record_monitor, &m), LOPT_OK);
  lopt_result r = {.size = sizeof r};
  ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
  ck_assert_int_eq(m.calls, 5);
  ck_assert_int_eq(P->rec_len, 20);
  for (int e = 0; e < 5; e++) {
    double sum = 0;
    int64_t count = 0;
    for (int k = 4 * e; k < 4 * e + 4; k++) sum += P->rec_loss[k] * (double)P->rec_size[k], count += P->rec_size[k];
    ck_assert_int_eq(count, 50);
    ck_assert_msg(fabs(m.objective[e] - sum / 50) <= 1e-14 * sum / 50, "epoch %d: monitor got %.17g, epoch mean %.17g",
                  e + 1, m.objective[e], sum / 50);
    ck_assert_int_eq(m.iteration[e], 4 * (e + 1));
  }
  ck_assert(m.objective[4] < m.objective[0]);
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* ---- 5. checkpoints --------------------------------------------------------------------------- */

typedef struct ckpt_case {
  const char *kind;
  opt_pair opts[6];
} ckpt_case;

/* sophia: Sophia-H, its probes drawn from the solver's generator (pull: refreshed every 3 steps, so
 * the checkpoint falls between refreshes; push: probe_hvp, the pending probe is part of the state). */
static const ckpt_case ckpt_cases[] = {
  {"adam", {{"lr", "0.05"}}},
  {"sgd", {{"lr", "0.01"}, {"momentum", "0.9"}}},
  {"sophia", {{"lr", "0.1"}, {"estimator", "hutchinson"}, {"h_gamma", "1"}, {"hess_interval", "3"}}},
  {"adan", {{"lr", "0.05"}}},
};
enum { N_CKPT = sizeof ckpt_cases / sizeof ckpt_cases[0] };

static void *save_state(const lopt_solver *s, size_t *len)
{
  ck_assert_int_eq(lopt_solver_state_save(s, NULL, 0, len), LOPT_OK);
  void *buf = malloc(*len);
  ck_assert_int_eq(lopt_solver_state_save(s, buf, *len, len), LOPT_OK);
  return buf;
}

static lopt_solver *ckpt_pull_solver(const ckpt_case *c, const lopt_problem *p)
{
  lopt_solver *s = new_solver(c->kind);
  apply_opts(s, c->kind, c->opts, 6);
  set_int(s, "batch_size", 5); /* 32 samples: 7 steps per epoch, the last of 2 */
  set_int(s, "max_epochs", 0);
  set_int(s, "seed", 3);
  ck_assert_int_eq(lopt_solver_setup(s, p, NULL), LOPT_OK);
  return s;
}

/* Pull mode with shuffled epochs: 13 steps (mid-epoch), save, 27 more -> x_ref; a fresh solver set up
 * the same way, loaded, 27 steps -> the same bytes, the same mini-batches in the same order. */
START_TEST(test_checkpoint_resumes_pull_run_bit_identically)
{
  enum { K = 13, TOTAL = 40 };
  const ckpt_case *c = &ckpt_cases[_i];
  stoch_problem *P = quad_problem();
  P->record = 1;
  lopt_problem *p = stoch_lopt_problem(P, 1, 0);
  lopt_solver *a = ckpt_pull_solver(c, p);
  steps(a, K);
  size_t len;
  void *blob = save_state(a, &len);
  P->order_len = 0;
  steps(a, TOTAL - K);
  int64_t n_ref = P->order_len, *order_ref = malloc((size_t)n_ref * sizeof *order_ref);
  memcpy(order_ref, P->order, (size_t)n_ref * sizeof *order_ref);
  lopt_result ra = {.size = sizeof ra}, rb = {.size = sizeof rb};
  ck_assert_int_eq(lopt_solver_result(a, &ra), LOPT_OK);

  lopt_solver *b = ckpt_pull_solver(c, p);
  int rc = lopt_solver_state_load(b, blob, len);
  ck_assert_msg(rc == LOPT_OK, "%s: state_load: %s", c->kind, lopt_solver_message(b));
  ck_assert_int_eq(lopt_solver_result(b, &rb), LOPT_OK);
  ck_assert_int_eq(rb.iterations, K);
  P->order_len = 0;
  steps(b, TOTAL - K);
  ck_assert_int_eq(lopt_solver_result(b, &rb), LOPT_OK);
  ck_assert_int_eq(rb.iterations, ra.iterations);
  ck_assert_int_eq(P->order_len, n_ref);
  ck_assert_msg(memcmp(P->order, order_ref, (size_t)n_ref * sizeof *order_ref) == 0, "%s: mini-batches differ after "
                "the resume", c->kind);
  ck_assert_msg(memcmp(lopt_solver_x(a), lopt_solver_x(b), QUAD_N * sizeof(double)) == 0, "%s: resumed iterate "
                "differs from the uninterrupted run (rel. %.3g)", c->kind,
                test_rel_diff(lopt_solver_x(b), lopt_solver_x(a), QUAD_N));
  ck_assert_double_eq(figure(a, "epochs"), figure(b, "epochs"));
  ck_assert_double_eq(figure(a, "curvature_updates"), figure(b, "curvature_updates"));
  free(blob), free(order_ref);
  lopt_solver_destroy(&a), lopt_solver_destroy(&b);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* Push mode, a float64 and a float32 group: 4 pushes, save (the user keeps a copy of the parameters,
 * which push mode does not own), 6 more -> reference; a fresh solver on the copies, loaded, 6 pushes. */
START_TEST(test_checkpoint_resumes_push_run_bit_identically)
{
  const ckpt_case *c = &ckpt_cases[_i];
  grp G[2] = {grp_new(5, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
  grp C[2] = {grp_new(5, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
  lopt_solver *a = new_solver(c->kind);
  apply_opts(a, c->kind, c->opts, 6);
  add_groups(a, G, 2);
  setup_push_ok(a, c->kind);
  for (int t = 0; t < 4; t++) push_ok(a, c->kind, G, 2, 1, 1);
  size_t len;
  void *blob = save_state(a, &len);
  memcpy(C[0].x, G[0].x, 5 * sizeof(double));
  memcpy(C[1].x, G[1].x, 3 * sizeof(float));
  for (int t = 0; t < 6; t++) push_ok(a, c->kind, G, 2, 1, 1);

  lopt_solver *b = new_solver(c->kind);
  apply_opts(b, c->kind, c->opts, 6);
  add_groups(b, C, 2);
  setup_push_ok(b, c->kind);
  int rc = lopt_solver_state_load(b, blob, len);
  ck_assert_msg(rc == LOPT_OK, "%s: state_load: %s", c->kind, lopt_solver_message(b));
  for (int t = 0; t < 6; t++) push_ok(b, c->kind, C, 2, 1, 1);
  ck_assert_msg(same_bytes(&G[0], &C[0]) && same_bytes(&G[1], &C[1]), "%s: resumed push run differs", c->kind);
  lopt_result ra = {.size = sizeof ra}, rb = {.size = sizeof rb};
  lopt_solver_result(a, &ra), lopt_solver_result(b, &rb);
  ck_assert_int_eq(ra.iterations, 10);
  ck_assert_int_eq(rb.iterations, 10);
  free(blob);
  lopt_solver_destroy(&a), lopt_solver_destroy(&b);
  for (int k = 0; k < 2; k++) grp_free(&G[k]), grp_free(&C[k]);
}
END_TEST

static lopt_solver *adam_push(grp *G, int ng)
{
  lopt_solver *s = new_solver("adam");
  set_double(s, "lr", 0.05);
  add_groups(s, G, ng);
  setup_push_ok(s, "adam");
  return s;
}

/* A damaged blob (a flipped byte anywhere, truncation, bad magic) is LOPT_EFORMAT with a sentence,
 * and the solver's run is untouched. */
START_TEST(test_checkpoint_corrupt_blob_is_eformat)
{
  grp G[2] = {grp_new(3, LOPT_F64, 0), grp_new(5, LOPT_F64, 1)};
  grp T[2] = {grp_new(3, LOPT_F64, 0), grp_new(5, LOPT_F64, 1)};
  lopt_solver *s = adam_push(G, 2), *twin = adam_push(T, 2);
  for (int t = 0; t < 3; t++) push_ok(s, "adam", G, 2, 1, 1), push_ok(twin, "adam", T, 2, 1, 1);
  size_t len;
  unsigned char *blob = save_state(s, &len);
  const size_t where[] = {0, 20, len / 2, len - 9, len - 1};
  for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
    blob[where[k]] ^= 0x10;
    int rc = lopt_solver_state_load(s, blob, len);
    ck_assert_msg(rc == LOPT_EFORMAT, "byte %zu flipped: state_load returned %s (%s)", where[k], lopt_status_name(rc),
                  lopt_solver_message(s));
    ck_assert(strlen(lopt_solver_message(s)) > 20);
    blob[where[k]] ^= 0x10;
  }
  ck_assert_int_eq(lopt_solver_state_load(s, blob, len - 1), LOPT_EFORMAT);
  ck_assert_int_eq(lopt_solver_state_load(s, blob, 10), LOPT_EFORMAT);
  for (int t = 0; t < 2; t++) push_ok(s, "adam", G, 2, 1, 1), push_ok(twin, "adam", T, 2, 1, 1);
  ck_assert_msg(same_bytes(&G[0], &T[0]) && same_bytes(&G[1], &T[1]), "refused loads changed the run");
  ck_assert_int_eq(lopt_solver_state_load(s, blob, len), LOPT_OK);
  free(blob);
  lopt_solver_destroy(&s), lopt_solver_destroy(&twin);
  for (int k = 0; k < 2; k++) grp_free(&G[k]), grp_free(&T[k]);
}
END_TEST

/* A blob from another layout is LOPT_EINVAL with a sentence: groups (3, 5) into (5, 3) (same total
 * size), into (3 float64, 5 float32), into one group of 8, into another kind, a pull-mode blob into a
 * push-mode solver. A refused load leaves the run as it was. */
START_TEST(test_checkpoint_other_layout_is_einval)
{
  grp G[2] = {grp_new(3, LOPT_F64, 0), grp_new(5, LOPT_F64, 1)};
  lopt_solver *s = adam_push(G, 2);
  push_ok(s, "adam", G, 2, 1, 1);
  size_t len;
  void *blob = save_state(s, &len);
  struct {
    int ng;
    int64_t n[2];
    lopt_dtype dt[2];
  } other[3] = {{2, {5, 3}, {LOPT_F64, LOPT_F64}}, {2, {3, 5}, {LOPT_F64, LOPT_F32}},
                {1, {8, 0}, {LOPT_F64, LOPT_F64}}};
  for (int k = 0; k < 3; k++) {
    grp H[2], T[2];
    for (int j = 0; j < other[k].ng; j++)
      H[j] = grp_new(other[k].n[j], other[k].dt[j], j), T[j] = grp_new(other[k].n[j], other[k].dt[j], j);
    lopt_solver *b = adam_push(H, other[k].ng), *twin = adam_push(T, other[k].ng);
    push_ok(b, "adam", H, other[k].ng, 1, 1), push_ok(twin, "adam", T, other[k].ng, 1, 1);
    int rc = lopt_solver_state_load(b, blob, len);
    ck_assert_msg(rc == LOPT_EINVAL, "layout %d: state_load returned %s (%s)", k, lopt_status_name(rc),
                  lopt_solver_message(b));
    ck_assert_msg(strlen(lopt_solver_message(b)) > 20, "layout %d: no sentence", k);
    if (k < 2) ck_assert_msg(strstr(lopt_solver_message(b), "group") != NULL, "layout %d: message does not name the "
                             "groups: %s", k, lopt_solver_message(b));
    push_ok(b, "adam", H, other[k].ng, 1, 1), push_ok(twin, "adam", T, other[k].ng, 1, 1);
    for (int j = 0; j < other[k].ng; j++)
      ck_assert_msg(same_bytes(&H[j], &T[j]), "layout %d: refused load changed group %d", k, j);
    lopt_solver_destroy(&b), lopt_solver_destroy(&twin);
    for (int j = 0; j < other[k].ng; j++) grp_free(&H[j]), grp_free(&T[j]);
  }
  /* another kind */
  grp W[2] = {grp_new(3, LOPT_F64, 0), grp_new(5, LOPT_F64, 1)};
  lopt_solver *w = new_solver("adamw");
  add_groups(w, W, 2);
  setup_push_ok(w, "adamw");
  ck_assert_int_eq(lopt_solver_state_load(w, blob, len), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(lopt_solver_message(w), "adam"));
  lopt_solver_destroy(&w);
  grp_free(&W[0]), grp_free(&W[1]);
  /* pull-mode blob into a push-mode solver of the same size */
  stoch_problem *P = quad_problem();
  lopt_problem *p = stoch_lopt_problem(P, 0, 0);
  const ckpt_case cc = {"adam", {{"lr", "0.05"}}};
  lopt_solver *pull = ckpt_pull_solver(&cc, p);
  steps(pull, 3);
  size_t plen;
  void *pblob = save_state(pull, &plen);
  grp Q = grp_new(QUAD_N, LOPT_F64, 0);
  lopt_solver *q = adam_push(&Q, 1);
  ck_assert_int_eq(lopt_solver_state_load(q, pblob, plen), LOPT_EINVAL);
  ck_assert(strlen(lopt_solver_message(q)) > 20);
  lopt_solver_destroy(&q), lopt_solver_destroy(&pull);
  grp_free(&Q);
  free(pblob), free(blob);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
  lopt_solver_destroy(&s);
  grp_free(&G[0]), grp_free(&G[1]);
}
END_TEST

/* ---- 6. allocation failure -------------------------------------------------------------------- */

/* Fail allocation k = 0, 1, 2, ... of create + set-up until one runs to the end: every failure is
 * LOPT_ENOMEM, nothing leaks, and a handle whose setup failed can be set up again. Loop index:
 * kind * 2 + (0 push with a float64 and a float32 group, curvature probes where the kind has them;
 * 1 pull on the quadratic). */
START_TEST(test_setup_leaks_nothing_when_any_allocation_fails)
{
  const char *kind = kinds[_i / 2];
  const int pull = _i % 2;
  lopt_kind kd = kind_or_fail(kind);
  stoch_problem *P = quad_problem();
  lopt_problem *p = stoch_lopt_problem(P, 1, 0);
  test_alloc a;
  test_alloc_init(&a);
  for (long k = 0;; k++) {
    grp G[2] = {grp_new(5, LOPT_F64, 0), grp_new(3, LOPT_F32, 1)};
    test_alloc_fail_at(&a, k);
    lopt_solver *s = NULL;
    int rc = lopt_solver_create_ex(&s, kd, &a.base), in_setup = 0;
    if (rc == LOPT_OK) {
      if (pull) apply_opts(s, kind, quad_cases[_i / 2].opts, 8);
      else if (kind_is(kind, "sophia")) ck_assert_int_eq(lopt_solver_set(s, "estimator", "hutchinson"), LOPT_OK);
      if (pull) {
        in_setup = 1;
        rc = lopt_solver_setup(s, p, NULL);
      } else {
        rc = lopt_solver_add_params(s, G[0].x, 5, LOPT_F64, NULL);
        if (rc == LOPT_OK) rc = lopt_solver_add_params(s, G[1].x, 3, LOPT_F32, NULL);
        if (rc == LOPT_OK) in_setup = 1, rc = lopt_solver_setup_push(s);
      }
    }
    int injected = a.failure_injected;
    if (injected) {
      ck_assert_msg(rc == LOPT_ENOMEM, "%s (%s): allocation %ld failed, status %s (%s)", kind, pull ? "pull" : "push",
                    k, lopt_status_name(rc), s ? lopt_solver_message(s) : "");
      if (in_setup) { /* the handle is still usable */
        test_alloc_fail_at(&a, -1);
        rc = pull ? lopt_solver_setup(s, p, NULL) : lopt_solver_setup_push(s);
        ck_assert_msg(rc == LOPT_OK, "%s: setup after a failed one: %s", kind, lopt_solver_message(s));
      }
    } else {
      ck_assert_msg(rc == LOPT_OK, "%s: %s", kind, s ? lopt_solver_message(s) : lopt_status_name(rc));
    }
    if (rc == LOPT_OK && s && (in_setup || !injected)) {
      if (pull) steps(s, 2);
      else push_ok(s, kind, G, 2, 1, 1), push_ok(s, kind, G, 2, 1, 1);
    }
    lopt_solver_destroy(&s);
    grp_free(&G[0]), grp_free(&G[1]);
    ck_assert_msg(a.live_blocks == 0, "%s (%s): %ld blocks leaked when allocation %ld failed", kind,
                  pull ? "pull" : "push", a.live_blocks, k);
    if (!injected) break;
  }
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* ---- 7. determinism --------------------------------------------------------------------------- */

/* OpenMP's thread-count calls, when the process has OpenMP (libopt links it when CMake found it); the
 * test binary does not link OpenMP itself, so they are looked up at run time. */
static void (*omp_set)(int);
static int (*omp_get)(void);
static int have_omp(void)
{
  *(void **)&omp_set = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
  *(void **)&omp_get = dlsym(RTLD_DEFAULT, "omp_get_max_threads");
  return omp_set && omp_get;
}

/* The same pull run with 1 and 2 OpenMP threads, n = 40000 (above libopt's 20000-entry threshold for
 * threading) and global-norm clipping active, so the parallel norm reduction matters: results agree
 * to 1e-12 (a reduction may round differently in the last bits). */
START_TEST(test_one_and_two_threads_agree)
{
  if (!have_omp()) {
    fprintf(stderr, "test_one_and_two_threads_agree: skipped (libopt built without OpenMP)\n");
    return;
  }
  const conv_case *c = &quad_cases[_i];
  enum { n = 40000 };
  stoch_problem *P = stoch_separable(n, 8, 4);
  lopt_problem *p = stoch_lopt_problem(P, 1, 0);
  double *x[2];
  int saved = omp_get();
  for (int k = 0; k < 2; k++) {
    omp_set(k + 1);
    ck_assert_int_eq(omp_get(), k + 1);
    stoch_reset_hooks(P);
    lopt_solver *s = pull_solver(c, p, 2, 2, P->N);
    set_double(s, "clip_norm", 50);
    lopt_result r = {.size = sizeof r};
    ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
    ck_assert_msg(r.stop == LOPT_STOP_MAX_ITER, "%s: %s", c->kind, lopt_solver_message(s));
    ck_assert_msg(figure(s, "clip_factor") < 1, "%s: clipping was not active", c->kind);
    x[k] = malloc(n * sizeof(double));
    memcpy(x[k], lopt_solver_x(s), n * sizeof(double));
    lopt_solver_destroy(&s);
  }
  omp_set(saved);
  double d = test_rel_diff(x[1], x[0], n), moved = 0;
  for (int i = 0; i < n; i++) moved = fmax(moved, fabs(x[0][i]));
  ck_assert_msg(d <= 1e-12, "%s: 1 and 2 threads differ by %.3g", c->kind, d);
  ck_assert(moved > 0);
  free(x[0]), free(x[1]);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* Two solvers with the same seed draw the same mini-batches; each epoch is a permutation of the
 * samples, reshuffled from one epoch to the next; another seed gives another order. */
START_TEST(test_same_seed_gives_same_sample_order)
{
  stoch_problem *P = quad_problem();
  P->record = 1;
  lopt_problem *p = stoch_lopt_problem(P, 0, 0);
  const uint64_t seeds[3] = {42, 42, 43};
  int64_t *order[3];
  for (int k = 0; k < 3; k++) {
    stoch_reset_hooks(P);
    const conv_case c = {"adam", {{"lr", "0.01"}}, 0};
    lopt_solver *s = new_solver("adam");
    apply_opts(s, "adam", c.opts, 8);
    set_int(s, "seed", (int64_t)seeds[k]);
    set_int(s, "batch_size", 5);
    set_int(s, "max_epochs", 3);
    ck_assert_int_eq(lopt_solver_setup(s, p, NULL), LOPT_OK);
    lopt_result r = {.size = sizeof r};
    ck_assert_int_eq(lopt_solver_solve(s, &r), LOPT_OK);
    ck_assert_int_eq(P->order_len, 3 * QUAD_SAMPLES);
    order[k] = malloc(3 * QUAD_SAMPLES * sizeof(int64_t));
    memcpy(order[k], P->order, 3 * QUAD_SAMPLES * sizeof(int64_t));
    lopt_solver_destroy(&s);
  }
  ck_assert_msg(memcmp(order[0], order[1], 3 * QUAD_SAMPLES * sizeof(int64_t)) == 0, "same seed, different order");
  ck_assert_msg(memcmp(order[0], order[2], 3 * QUAD_SAMPLES * sizeof(int64_t)) != 0, "seeds 42 and 43 give one order");
  for (int e = 0; e < 3; e++) {
    int seen[QUAD_SAMPLES] = {0};
    for (int i = 0; i < QUAD_SAMPLES; i++) seen[order[0][e * QUAD_SAMPLES + i]]++;
    for (int i = 0; i < QUAD_SAMPLES; i++)
      ck_assert_msg(seen[i] == 1, "epoch %d: sample %d drawn %d times", e, i, seen[i]);
  }
  ck_assert(memcmp(order[0], order[0] + QUAD_SAMPLES, QUAD_SAMPLES * sizeof(int64_t)) != 0);
  for (int k = 0; k < 3; k++) free(order[k]);
  lopt_problem_destroy(&p);
  stoch_problem_free(P);
}
END_TEST

/* ---- the suite -------------------------------------------------------------------------------- */

static TCase *tcase(Suite *su, const char *name)
{
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, 300);
  suite_add_tcase(su, tc);
  return tc;
}

int main(void)
{
  Suite *su = suite_create("stochastic");
  TCase *tc = tcase(su, "catalogue");
  tcase_add_test(tc, test_catalogue_optima_are_stationary);
  tcase_add_test(tc, test_catalogue_oracles_match_central_differences);
  tc = tcase(su, "reference_vectors");
  tcase_add_loop_test(tc, test_reference_vectors_first_three_steps_f64, 0, N_VECTORS);
  tcase_add_loop_test(tc, test_reference_vectors_first_three_steps_f32, 0, N_VECTORS);
  tc = tcase(su, "convergence");
  tcase_add_loop_test(tc, test_every_kind_converges_on_quadratic_finite_sum, 0, N_KINDS);
  tcase_add_loop_test(tc, test_every_kind_converges_on_l2_logistic_regression, 0, N_KINDS);
  tc = tcase(su, "curvature");
  tcase_add_loop_test(tc, test_curvature_kinds_converge_with_exact_and_finite_difference_hvp, 0, 4);
  tcase_add_test(tc, test_sophia_gnb_converges_with_sampled_label_oracle);
  tcase_add_test(tc, test_adahessian_probe_estimate_is_exact_on_diagonal_quadratic);
  tcase_add_test(tc, test_sophia_hutchinson_estimate_matches_diagonal_within_sampling_error);
  tc = tcase(su, "semantics");
  tcase_add_loop_test(tc, test_schedule_lr_matches_closed_forms, 0, N_SCHED);
  tcase_add_test(tc, test_clip_by_global_norm_over_two_groups);
  tcase_add_loop_test(tc, test_group_overrides_equal_separate_solvers, 0, N_KINDS);
  tcase_add_loop_test(tc, test_float32_and_float64_groups_in_one_solver, 0, N_KINDS);
  tcase_add_loop_test(tc, test_maximize_equals_minimizing_the_negation, 0, N_KINDS);
  tcase_add_loop_test(tc, test_nonfinite_gradient_stops_before_any_change, 0, N_KINDS);
  tcase_add_loop_test(tc, test_nonfinite_curvature_push_is_refused, 0, 2);
  tcase_add_loop_test(tc, test_nan_loss_in_pull_mode_stops_nonfinite, 0, N_KINDS);
  tcase_add_test(tc, test_oracle_error_stops_with_callback_and_its_code);
  tcase_add_loop_test(tc, test_zero_lr_is_allowed_and_negative_lr_refused, 0, N_KINDS);
  tcase_add_loop_test(tc, test_betas_outside_unit_interval_refused, 0, N_KINDS);
  tcase_add_test(tc, test_push_misuse_is_refused);
  tcase_add_test(tc, test_group_added_after_setup_push_needs_new_setup);
  tcase_add_test(tc, test_push_after_pull_setup_has_only_the_users_groups);
  tcase_add_test(tc, test_adahessian_push_without_curvature_is_estate);
  tcase_add_test(tc, test_adahessian_block_size_must_divide_group_length);
  tcase_add_test(tc, test_sgd_nesterov_needs_momentum_and_no_dampening);
  tcase_add_test(tc, test_pull_mode_stopping_rules);
  tcase_add_test(tc, test_monitor_once_per_epoch_with_epoch_mean_loss);
  tc = tcase(su, "checkpoint");
  tcase_add_loop_test(tc, test_checkpoint_resumes_pull_run_bit_identically, 0, N_CKPT);
  tcase_add_loop_test(tc, test_checkpoint_resumes_push_run_bit_identically, 0, N_CKPT);
  tcase_add_test(tc, test_checkpoint_corrupt_blob_is_eformat);
  tcase_add_test(tc, test_checkpoint_other_layout_is_einval);
  tc = tcase(su, "allocation");
  tcase_add_loop_test(tc, test_setup_leaks_nothing_when_any_allocation_fails, 0, 2 * N_KINDS);
  tc = tcase(su, "determinism");
  tcase_add_loop_test(tc, test_one_and_two_threads_agree, 0, N_KINDS);
  tcase_add_test(tc, test_same_seed_gives_same_sample_order);
  SRunner *sr = srunner_create(su);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
