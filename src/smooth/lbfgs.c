/* src/smooth/lbfgs.c: limited-memory BFGS for min f(x), and L-BFGS-B when the problem has bounds.
 *
 * Unbounded (Nocedal 1980, Math. Comp. 35(151), 773-782; Liu & Nocedal 1989, Math. Prog. 45,
 * 503-528): d = -H g by the two-loop recursion (Nocedal & Wright, 2nd ed., Algorithm 7.4) with
 * H0 = (s'y / y'y) I from the newest pair (N&W eq. 7.20), then a line search (More-Thuente by
 * default) from a = 1, or a = 1 / ||d||_2 while the memory is empty.
 *
 * Bounded (Byrd, Lu, Nocedal & Zhu 1995, SIAM J. Sci. Comput. 16(5), 1190-1208): the model
 * m(x) = f + g'(x - x_k) + (x - x_k)'B(x - x_k)/2 with the compact form B = theta I - W M W',
 * W = [Y, theta S], M = [[-D, L'], [L, theta S'S]]^{-1} (Section 3, after Byrd, Nocedal & Schnabel
 * 1994), is minimised along the projected steepest-descent path to the generalized Cauchy point
 * x^c (Section 4, Algorithm CP), then over the variables free at x^c by the direct primal method
 * (Section 5.1) and the result is pulled back into the box along the same direction. The line
 * search then runs along d = xbar - x_k from a = 1 and never past the largest feasible step (at
 * most 1 while the memory is empty, when a = min(1, 1/||d||_2) unless every variable is boxed,
 * as in L-BFGS-B 2.1). M is never formed: K = M^{-1} (2k x 2k, k pairs) is LU-factored once per
 * iteration (LAPACK getrf) and each M v is a getrs solve; the subspace system uses
 * (K - W'ZZ'W / theta) v = W'Z r^c, the Sherman-Morrison-Woodbury form of the reduced B^{-1}.
 * The pull-back is the 1995 paper's; L-BFGS-B 3.0 (Morales & Nocedal 2011) projects instead when
 * that gives descent, which was tried and left out: on bounded chained Rosenbrock (n = 10^3, 10^4)
 * it stalled in line searches at the noise level of f where the pull-back converged.
 * S'Y, S'S and Y'Y are kept as (m+1) x (m+1) tables by storage slot. The slots of S and Y are the
 * columns of two n x (m+1) blocks, so every product with all pairs (W'd, W'Z r, W u, a new pair's
 * table rows) is one BLAS gemv pass over a block: 8 gemv_t and 4 gemv_n per iteration. BLAS may
 * thread them (libopt leaves its thread count alone); results are reproducible for a fixed count.
 *
 * Both variants: a pair with s'y <= eps y'y is not stored (figure skipped_updates). When a line
 * search fails (or the direction is not a descent direction) with pairs in memory, the memory is
 * cleared and the iteration is retried once from steepest descent (figure restarts), as L-BFGS-B
 * does; a second failure ends the run. Pairs live in m + 1 slots so a new pair is written into the
 * spare slot before it is known to be kept: no pass is spent on a pair that is then skipped.
 *
 * State: x, g, f, theta, the pairs in age order with their slots and rho (and the S'Y, S'S, Y'Y
 * entries with bounds). Work: (m + 1) 2 n + 4 n doubles; with bounds also 4 n doubles, n bytes,
 * n int64 and 2 (2m)^2 + 3 (m+1)^2 + O(m) doubles. */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <string.h>

#include "linesearch.h"

enum { O_MEMORY = SM_O_COMMON };

static const char *const lbfgs_ls_names[] = {"more_thuente", "hager_zhang", "armijo", NULL};

static const lopt_option_info lbfgs_options[] = {
  SMOOTH_COMMON_OPTIONS("iteration budget; 0 means max(1000, 100 n)", lbfgs_ls_names,
                        "line search: more_thuente (strong Wolfe), hager_zhang (approximate Wolfe) or armijo", 0.9),
  [O_MEMORY] = {"memory", LOPT_OPT_INT, "number of (s, y) pairs kept (m)", 10, 1, 1000, 0, 0, NULL, 0},
};

typedef struct lbfgs_work lbfgs_work;
struct lbfgs_work {
  smooth_base b; /* first: smooth_figure reads it through s->impl */
  int (*step)(lopt_solver *s, lbfgs_work *w); /* unbounded or bounded variant, picked at setup */
  int m, count, spare;   /* memory, pairs stored, the slot the next pair is written to */
  int *order;            /* order[0..count-1]: slots oldest first */
  double *S, *Y;         /* m + 1 slots of n doubles */
  double *rho;           /* 1 / s'y per slot */
  double *alpha;         /* two-loop coefficients, by age */
  double theta;          /* y'y / s'y of the newest pair; 1 while empty */
  double *d, *xt, *gt;
  /* bounded variant */
  int boxed;             /* every variable has two finite bounds */
  double *SY, *SS, *YY;  /* (m+1)^2 tables by slot: SY[a + (m+1) b] = s_a'y_b */
  double *K, *N;         /* 2m x 2m: K = M^{-1} and the subspace matrix, LU-factored in place */
  lapack_int *ipK, *ipN;
  double *p, *c, *Mp, *Mc, *wb, *Mwb, *v; /* 2m each */
  double *ts;            /* per-slot products (4 (m + 1)) */
  double *cs, *cy;       /* per-slot coefficients of S and Y columns (m + 1 each) */
  double *xc, *r, *tb;   /* Cauchy point, reduced gradient, breakpoints (n each) */
  int64_t *heap;         /* breakpoint indices (n) */
  unsigned char *fixed;  /* variable fixed at a bound on the way to x^c (n) */
};

#define SLOT(w, P, a) ((P) + (size_t)(a) * (size_t)(w)->b.n)

/* ---- kernels: one pass each ------------------------------------------------------------------- */

/* v += a x; return z'v (z may be NULL). */
static double axpy_dot(int64_t n, double *restrict v, double a, const double *restrict x, const double *restrict z)
{
  double acc = 0;
  if (z) {
#pragma omp parallel for simd schedule(static) reduction(+ : acc) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
      v[i] += a * x[i];
      acc += z[i] * v[i];
    }
  } else {
#pragma omp parallel for simd schedule(static) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) v[i] += a * x[i];
  }
  return acc;
}

/* v = c v; return z'v. */
static double scale_dot(int64_t n, double *restrict v, double c, const double *restrict z)
{
  double acc = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : acc) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    v[i] *= c;
    acc += z[i] * v[i];
  }
  return acc;
}

/* d = -(v + a x) in place of v; return z'd. */
static double axpy_neg_dot(int64_t n, double *restrict v, double a, const double *restrict x,
                           const double *restrict z)
{
  double acc = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : acc) if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    v[i] = -(v[i] + a * x[i]);
    acc += z[i] * v[i];
  }
  return acc;
}

/* out[a] = P_a'v for every slot a of P (S or Y: n x (m+1), column-major, slot a in column a). The
 * spare slot is included: its entry is computed and not used. */
static void slots_gemv_t(const lbfgs_work *w, const double *P, const double *v, double *out)
{
  cblas_dgemv(CblasColMajor, CblasTrans, (int)w->b.n, w->m + 1, 1.0, P, (int)w->b.n, v, 1, 0.0, out, 1);
}

/* r += alpha (S cs + Y cy), the coefficients by slot (0 for slots not in use). */
static void slots_gemv_n(const lbfgs_work *w, double alpha, double *r)
{
  const int n = (int)w->b.n;
  cblas_dgemv(CblasColMajor, CblasNoTrans, n, w->m + 1, alpha, w->S, n, w->cs, 1, 1.0, r, 1);
  cblas_dgemv(CblasColMajor, CblasNoTrans, n, w->m + 1, alpha, w->Y, n, w->cy, 1, 1.0, r, 1);
}

/* Coefficients by slot for W u, W = [Y, theta S], u = [u_y; u_s] in age order: cy = u_y,
 * cs = theta u_s, zero on the slots not in use. */
static void set_slot_coefficients(lbfgs_work *w, const double *u, double theta)
{
  const int k = w->count;
  for (int a = 0; a <= w->m; a++) w->cs[a] = w->cy[a] = 0;
  for (int j = 0; j < k; j++) {
    w->cy[w->order[j]] = u[j];
    w->cs[w->order[j]] = theta * u[k + j];
  }
}

/* ---- memory ----------------------------------------------------------------------------------- */

static void memory_clear(lbfgs_work *w)
{
  w->count = 0;
  w->spare = 0;
  w->theta = 1.0;
}

/* The pair just written into the spare slot (s = x+ - x, y = g+ - g, with s'y, s's, y'y) joins the
 * memory, replacing the oldest when full. With bounds, its rows of S'Y, S'S, Y'Y are filled. */
static void memory_push(lbfgs_work *w, double sy, double ss, double yy)
{
  const int a = w->spare, m1 = w->m + 1;
  const int drop = w->count == w->m; /* the oldest pair leaves */
  if (w->SY) {
    /* Y's_a, S'y_a, S's_a, Y'y_a against every slot: four passes (gemv on the n x (m+1) blocks). */
    const double *sa = SLOT(w, w->S, a), *ya = SLOT(w, w->Y, a);
    double *ys = w->ts, *sy_ = w->ts + m1, *ss_ = w->ts + 2 * m1, *yy_ = w->ts + 3 * m1;
    slots_gemv_t(w, w->Y, sa, ys);
    slots_gemv_t(w, w->S, ya, sy_);
    slots_gemv_t(w, w->S, sa, ss_);
    slots_gemv_t(w, w->Y, ya, yy_);
    for (int i = drop; i < w->count; i++) {
      const int q = w->order[i];
      w->SY[a + (size_t)m1 * q] = ys[q];
      w->SY[q + (size_t)m1 * a] = sy_[q];
      w->SS[a + (size_t)m1 * q] = w->SS[q + (size_t)m1 * a] = ss_[q];
      w->YY[a + (size_t)m1 * q] = w->YY[q + (size_t)m1 * a] = yy_[q];
    }
    w->SY[a + (size_t)m1 * a] = sy;
    w->SS[a + (size_t)m1 * a] = ss;
    w->YY[a + (size_t)m1 * a] = yy;
  }
  w->rho[a] = 1.0 / sy;
  w->theta = yy / sy;
  if (drop) {
    const int freed = w->order[0];
    memmove(w->order, w->order + 1, (size_t)(w->m - 1) * sizeof *w->order);
    w->order[w->m - 1] = a;
    w->spare = freed;
  } else {
    w->order[w->count++] = a;
    w->spare = w->count; /* slots are taken in order until the memory first fills */
  }
}

/* After an accepted step to (xt, gt, f_new): s = xt - x and y = gt - g into the spare slot, x = xt,
 * in one pass; keep the pair when s'y > eps y'y; g and gt swap. Returns ||s||_inf. */
static double take_step(lopt_solver *s, lbfgs_work *w, double f_new)
{
  smooth_base *b = &w->b;
  const int64_t n = b->n;
  double *restrict x = s->x, *restrict sv = SLOT(w, w->S, w->spare), *restrict yv = SLOT(w, w->Y, w->spare);
  const double *restrict xt = w->xt, *restrict gt = w->gt, *restrict g = b->g;
  double sy = 0, ss = 0, yy = 0, smax = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : sy, ss, yy) reduction(max : smax) \
    if (parallel : n >= LOPT_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    const double si = xt[i] - x[i], yi = gt[i] - g[i];
    sv[i] = si;
    yv[i] = yi;
    x[i] = xt[i];
    sy += si * yi;
    ss += si * si;
    yy += yi * yi;
    const double as = fabs(si);
    smax = as > smax ? as : smax; /* not fmax: it is a libm call without -ffast-math */
  }
  /* Curvature test: BFGS keeps H positive definite only when s'y > 0; with rounding, require
   * s'y > eps y'y. */
  if (sy > DBL_EPSILON * yy) memory_push(w, sy, ss, yy);
  else b->skipped++;
  double *t = b->g;
  b->g = w->gt;
  w->gt = t;
  b->f = f_new;
  return smax;
}

/* ---- unbounded: two-loop recursion ------------------------------------------------------------- */

/* d = -H g (N&W Algorithm 7.4) with H0 = I / theta; returns g'd. The axpy of each pair and the dot
 * of the next share one pass: 2k + 1 passes over n instead of 4k. */
static double two_loop(lbfgs_work *w)
{
  const int64_t n = w->b.n;
  const int k = w->count;
  const double *g = w->b.g;
  double *d = w->d;
  if (k == 0) {
    double gg = 0;
    for (int64_t i = 0; i < n; i++) {
      d[i] = -g[i];
      gg += g[i] * g[i];
    }
    return -gg;
  }
  sm_copy(d, g, n);
  double acc = sm_dot(SLOT(w, w->S, w->order[k - 1]), d, n);
  for (int i = k - 1; i >= 0; i--) { /* newest to oldest: a_i = rho_i s_i'q, q -= a_i y_i */
    const int q = w->order[i];
    w->alpha[i] = w->rho[q] * acc;
    acc = axpy_dot(n, d, -w->alpha[i], SLOT(w, w->Y, q), i > 0 ? SLOT(w, w->S, w->order[i - 1]) : NULL);
  }
  acc = scale_dot(n, d, 1.0 / w->theta, SLOT(w, w->Y, w->order[0])); /* r = H0 q */
  double dg = 0;
  for (int i = 0; i < k; i++) { /* oldest to newest: b = rho_i y_i'r, r += (a_i - b) s_i */
    const int q = w->order[i];
    const double beta = w->rho[q] * acc;
    if (i + 1 < k) acc = axpy_dot(n, d, w->alpha[i] - beta, SLOT(w, w->S, q), SLOT(w, w->Y, w->order[i + 1]));
    else dg = axpy_neg_dot(n, d, w->alpha[i] - beta, SLOT(w, w->S, q), g); /* d = -r, g'd */
  }
  return dg;
}

static int lbfgs_step_free(lopt_solver *s, lbfgs_work *w)
{
  smooth_base *b = &w->b;
  const ls_kind lk = ls_current(s);
  sm_line L = {s->x, w->d, w->xt, w->gt, b->f, 0, INFINITY};
  ls_result r = {0, 0, 0, 0};
  ls_status st = LS_NOT_DESCENT;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) { /* retry from steepest descent with an empty memory */
      if (w->count == 0 || st == LS_CALLBACK || st == LS_BUDGET) break;
      memory_clear(w);
      b->restarts++;
    }
    L.dg0 = two_loop(w);
    if (!(L.dg0 < 0)) {
      st = LS_NOT_DESCENT;
      continue;
    }
    const double alpha0 = w->count == 0 ? 1.0 / sm_nrm2(w->d, b->n) : 1.0;
    st = ls_run(b, lk, &L, alpha0, &r);
    if (st == LS_OK) break;
  }
  if (st != LS_OK) {
    ls_stop(b, lk, st, &L, &r);
    return LOPT_OK;
  }
  const double f_prev = b->f;
  const double step = take_step(s, w, r.f);
  smooth_accept(b, f_prev, step);
  return LOPT_OK;
}

/* ---- bounded: generalized Cauchy point and subspace minimization ------------------------------- */

/* K = M^{-1} = [[-D, L'], [L, theta S'S]] for the k stored pairs in age order (column-major, 2k),
 * LU-factored. Returns 0, or -1 when K is singular. */
static int build_K(lbfgs_work *w)
{
  const int k = w->count, k2 = 2 * k, m1 = w->m + 1;
  double *K = w->K;
  for (int j = 0; j < k; j++) {
    const int qj = w->order[j];
    for (int i = 0; i < k; i++) {
      const int qi = w->order[i];
      K[i + (size_t)k2 * j] = i == j ? -w->SY[qi + (size_t)m1 * qi] : 0.0;              /* -D */
      K[(k + i) + (size_t)k2 * j] = i > j ? w->SY[qi + (size_t)m1 * qj] : 0.0;          /* L_ij = s_i'y_j, i > j */
      K[i + (size_t)k2 * (k + j)] = j > i ? w->SY[qj + (size_t)m1 * qi] : 0.0;          /* L' */
      K[(k + i) + (size_t)k2 * (k + j)] = w->theta * w->SS[qi + (size_t)m1 * qj];       /* theta S'S */
    }
  }
  return LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, k2, k2, K, k2, w->ipK) == 0 ? 0 : -1;
}

/* v = M v (solve with the factored K). */
static void apply_M(lbfgs_work *w, double *v)
{
  const int k2 = 2 * w->count;
  LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', k2, 1, w->K, k2, w->ipK, v, k2);
}

/* Row i of W = [Y, theta S] (2k entries, age order). */
static void w_row(const lbfgs_work *w, int64_t i, double *row)
{
  const int k = w->count;
  for (int j = 0; j < k; j++) {
    const int q = w->order[j];
    row[j] = SLOT(w, w->Y, q)[i];
    row[k + j] = w->theta * SLOT(w, w->S, q)[i];
  }
}

static double dot2(const double *a, const double *b, int k2)
{
  double acc = 0;
  for (int j = 0; j < k2; j++) acc += a[j] * b[j];
  return acc;
}

/* Min-heap of breakpoint indices keyed by tb. */
static void heap_down(int64_t *h, int64_t len, int64_t i, const double *tb)
{
  for (;;) {
    int64_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < len && tb[h[l]] < tb[h[m]]) m = l;
    if (r < len && tb[h[r]] < tb[h[m]]) m = r;
    if (m == i) return;
    int64_t t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

/* The generalized Cauchy point (Byrd et al. 1995, Algorithm CP): the first local minimizer of the
 * model along x(t) = P(x - t g), segment by segment between breakpoints. Writes x^c into w->xc,
 * c = W'(x^c - x) as M c into w->Mc, and marks in w->fixed the variables at a bound at x^c.
 * Returns 0, or -1 when the model's curvature along -g is not positive (M is unusable). */
static int cauchy_point(lopt_solver *s, lbfgs_work *w)
{
  smooth_base *b = &w->b;
  const int64_t n = b->n;
  const int k = w->count, k2 = 2 * k, m1 = w->m + 1;
  const double theta = w->theta;
  const double *x = s->x, *g = b->g, *lo = b->lower, *up = b->upper;
  double *xc = w->xc, *dc = w->d, *tb = w->tb;
  int64_t nbrk = 0;
  double f1 = 0; /* f' = g'd along the current segment; f'' = d'Bd */
  for (int64_t i = 0; i < n; i++) {
    double t;
    if (lo[i] == up[i]) t = 0;
    else if (g[i] < 0) t = up[i] < INFINITY ? (x[i] - up[i]) / g[i] : INFINITY;
    else if (g[i] > 0) t = lo[i] > -INFINITY ? (x[i] - lo[i]) / g[i] : INFINITY;
    else t = INFINITY;
    xc[i] = x[i];
    if (t == 0) {
      dc[i] = 0;
      w->fixed[i] = 1;
    } else {
      dc[i] = -g[i];
      f1 -= g[i] * g[i];
      w->fixed[i] = 0;
      tb[i] = t;
      if (t < INFINITY) w->heap[nbrk++] = i;
    }
  }
  for (int j = 0; j < k2; j++) w->c[j] = w->Mc[j] = 0;
  if (f1 == 0) return 0; /* the projected gradient is zero: x^c = x */
  /* p = W'd = [Y'd; theta S'd] */
  if (k) {
    slots_gemv_t(w, w->Y, dc, w->ts);
    slots_gemv_t(w, w->S, dc, w->ts + m1);
  }
  for (int j = 0; j < k; j++) {
    w->p[j] = w->ts[w->order[j]];
    w->p[k + j] = theta * w->ts[m1 + w->order[j]];
  }
  memcpy(w->Mp, w->p, (size_t)k2 * sizeof *w->p);
  if (k) apply_M(w, w->Mp);
  double f2 = -theta * f1 - dot2(w->p, w->Mp, k2); /* f'' = theta d'd - p'Mp */
  const double f2_org = f2;
  if (!(f2 > 0) || !isfinite(f2)) return -1;
  double dtm = -f1 / f2, tsum = 0;
  for (int64_t i = nbrk / 2; i-- > 0;) heap_down(w->heap, nbrk, i, tb);
  while (nbrk > 0) {
    const int64_t ib = w->heap[0];
    const double dt = tb[ib] - tsum;
    if (dtm < dt) break; /* the minimizer lies on this segment */
    w->heap[0] = w->heap[--nbrk];
    heap_down(w->heap, nbrk, 0, tb);
    tsum = tb[ib];
    xc[ib] = dc[ib] > 0 ? up[ib] : lo[ib];
    const double zb = xc[ib] - x[ib], gb = g[ib];
    w->fixed[ib] = 1;
    /* Move to the breakpoint, then drop variable b from d (Algorithm CP, with c = W'z):
     *   c += dt p;  f' += dt f'' + g_b^2 + theta g_b z_b - g_b w_b'M c
     *   f'' -= theta g_b^2 + 2 g_b w_b'M p + g_b^2 w_b'M w_b;  p += g_b w_b */
    for (int j = 0; j < k2; j++) {
      w->c[j] += dt * w->p[j];
      w->Mc[j] += dt * w->Mp[j];
    }
    f1 += dt * f2 + gb * gb + theta * gb * zb;
    f2 -= theta * gb * gb;
    if (k) {
      w_row(w, ib, w->wb);
      memcpy(w->Mwb, w->wb, (size_t)k2 * sizeof *w->wb);
      apply_M(w, w->Mwb);
      f1 -= gb * dot2(w->wb, w->Mc, k2);
      f2 -= 2.0 * gb * dot2(w->wb, w->Mp, k2) + gb * gb * dot2(w->wb, w->Mwb, k2);
      for (int j = 0; j < k2; j++) {
        w->p[j] += gb * w->wb[j];
        w->Mp[j] += gb * w->Mwb[j];
      }
    }
    dc[ib] = 0;
    f2 = fmax(DBL_EPSILON * f2_org, f2); /* as L-BFGS-B: keep f'' positive against cancellation */
    if (f1 >= 0) {
      dtm = 0;
      break;
    }
    dtm = -f1 / f2;
  }
  dtm = fmax(dtm, 0.0);
  tsum += dtm;
  for (int64_t i = 0; i < n; i++)
    if (!w->fixed[i]) xc[i] = x[i] + tsum * dc[i];
  for (int j = 0; j < k2; j++) {
    w->c[j] += dtm * w->p[j];
    w->Mc[j] += dtm * w->Mp[j];
  }
  return 0;
}

/* Minimize the model over the variables free at x^c (Byrd et al. 1995, Section 5.1, direct primal
 * method): r^c = Z'(g + theta (x^c - x) - W M c), d^u = -r^c / theta - Z'W v / theta^2 with
 * (K - W'ZZ'W / theta) v = W'Z r^c; then x^c + a* d^u with a* <= 1 the largest step that stays in
 * the box. Result in w->xc. Returns 0, or -1 when the reduced system is singular. */
static int subspace_min(lopt_solver *s, lbfgs_work *w)
{
  smooth_base *b = &w->b;
  const int64_t n = b->n;
  const int k = w->count, k2 = 2 * k, m1 = w->m + 1;
  const double theta = w->theta;
  const double *x = s->x, *g = b->g, *lo = b->lower, *up = b->upper;
  double *xc = w->xc, *r = w->r;
  const unsigned char *restrict fixed = w->fixed;
  int64_t nfixed = 0;
  for (int64_t i = 0; i < n; i++) nfixed += fixed[i];
  const int64_t nfree = n - nfixed;
  if (nfree == 0) return 0;
  /* r^c = g + theta (x^c - x) - W M c, computed everywhere (whole-vector passes) and then set to 0
   * on the fixed variables, so that plain products with r are products over the free ones. */
  for (int64_t i = 0; i < n; i++) r[i] = g[i] + theta * (xc[i] - x[i]);
  if (k > 0) {
    set_slot_coefficients(w, w->Mc, theta);
    slots_gemv_n(w, -1.0, r);
  }
  for (int64_t i = 0; i < n; i++) r[i] = fixed[i] ? 0.0 : r[i];
  if (k > 0) {
    /* v = W'Z r = [Y'r; theta S'r] */
    slots_gemv_t(w, w->Y, r, w->ts);
    slots_gemv_t(w, w->S, r, w->ts + m1);
    for (int j = 0; j < k; j++) {
      w->v[j] = w->ts[w->order[j]];
      w->v[k + j] = theta * w->ts[m1 + w->order[j]];
    }
    /* N = K^{-1}-form: K - W'ZZ'W / theta, with W'ZZ'W = sum over free rows w_i w_i'. When most
     * variables are free it is W'W (from the S'Y, S'S, Y'Y tables) minus the fixed rows. */
    double *N = w->N;
    const int use_full = nfree * 2 >= n;
    for (int jj = 0; jj < k2; jj++)
      for (int ii = 0; ii < k2; ii++) N[ii + (size_t)k2 * jj] = 0;
    if (use_full) {
      for (int j = 0; j < k; j++) {
        const int qj = w->order[j];
        for (int i = 0; i < k; i++) {
          const int qi = w->order[i];
          N[i + (size_t)k2 * j] = w->YY[qi + (size_t)m1 * qj];                              /* Y'Y */
          N[i + (size_t)k2 * (k + j)] = theta * w->SY[qj + (size_t)m1 * qi];                /* theta Y'S */
          N[(k + i) + (size_t)k2 * j] = theta * w->SY[qi + (size_t)m1 * qj];                /* theta S'Y */
          N[(k + i) + (size_t)k2 * (k + j)] = theta * theta * w->SS[qi + (size_t)m1 * qj]; /* theta^2 S'S */
        }
      }
    }
    const double sign = use_full ? -1.0 : 1.0;
    for (int64_t i = 0; i < n; i++) {
      if ((w->fixed[i] != 0) != use_full) continue; /* free rows added, or fixed rows removed */
      w_row(w, i, w->wb);
      for (int jj = 0; jj < k2; jj++) {
        const double a = sign * w->wb[jj];
        for (int ii = 0; ii < k2; ii++) N[ii + (size_t)k2 * jj] += a * w->wb[ii];
      }
    }
    /* N = K - (W'ZZ'W) / theta, with K rebuilt unfactored from the tables */
    const double it = 1.0 / theta;
    for (int j = 0; j < k; j++) {
      const int qj = w->order[j];
      for (int i = 0; i < k; i++) {
        const int qi = w->order[i];
        N[i + (size_t)k2 * j] = (i == j ? -w->SY[qi + (size_t)m1 * qi] : 0.0) - it * N[i + (size_t)k2 * j];
        N[(k + i) + (size_t)k2 * j] = (i > j ? w->SY[qi + (size_t)m1 * qj] : 0.0) - it * N[(k + i) + (size_t)k2 * j];
        N[i + (size_t)k2 * (k + j)] = (j > i ? w->SY[qj + (size_t)m1 * qi] : 0.0) - it * N[i + (size_t)k2 * (k + j)];
        N[(k + i) + (size_t)k2 * (k + j)] =
            theta * w->SS[qi + (size_t)m1 * qj] - it * N[(k + i) + (size_t)k2 * (k + j)];
      }
    }
    if (LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, k2, k2, N, k2, w->ipN) != 0) return -1;
    LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', k2, 1, N, k2, w->ipN, w->v, k2);
    for (int j = 0; j < k2; j++)
      if (!isfinite(w->v[j])) return -1;
  }
  /* d^u = -r / theta - (W v) / theta^2 on the free variables, into r (0 on the fixed ones) */
  const double it = 1.0 / theta;
  for (int64_t i = 0; i < n; i++) r[i] *= -it;
  if (k > 0) {
    set_slot_coefficients(w, w->v, theta);
    slots_gemv_n(w, -it * it, r);
    for (int64_t i = 0; i < n; i++) r[i] = fixed[i] ? 0.0 : r[i];
  }
  /* Back into the box along d^u (Byrd et al. 1995, eq. 5.8); r = 0 on the fixed variables. */
  double astar = 1.0;
  for (int64_t i = 0; i < n; i++) {
    double a = INFINITY;
    if (r[i] > 0 && up[i] < INFINITY) a = (up[i] - xc[i]) / r[i];
    else if (r[i] < 0 && lo[i] > -INFINITY) a = (lo[i] - xc[i]) / r[i];
    astar = a < astar ? a : astar;
  }
  astar = astar > 0 ? astar : 0.0;
  for (int64_t i = 0; i < n; i++) {
    const double t = xc[i] + astar * r[i];
    xc[i] = t < lo[i] ? lo[i] : (t > up[i] ? up[i] : t);
  }
  return 0;
}

/* xbar by Cauchy point + subspace minimization, d = xbar - x; returns g'd, or NaN when the model
 * is unusable (the caller then clears the memory). */
static double box_direction(lopt_solver *s, lbfgs_work *w)
{
  const int64_t n = w->b.n;
  if (w->count > 0 && build_K(w)) return NAN;
  if (cauchy_point(s, w) || subspace_min(s, w)) return NAN;
  const double *x = s->x, *g = w->b.g, *xbar = w->xc;
  double *d = w->d, dg = 0;
  for (int64_t i = 0; i < n; i++) {
    d[i] = xbar[i] - x[i];
    dg += g[i] * d[i];
  }
  return dg;
}

/* Largest a with l <= x + a d <= u (at least 1: x + d = xbar is in the box). */
static double max_feasible_step(const lopt_solver *s, const lbfgs_work *w)
{
  const double *x = s->x, *d = w->d, *lo = w->b.lower, *up = w->b.upper;
  double a = INFINITY;
  for (int64_t i = 0; i < w->b.n; i++) {
    double t = INFINITY;
    if (d[i] > 0 && up[i] < INFINITY) t = (up[i] - x[i]) / d[i];
    else if (d[i] < 0 && lo[i] > -INFINITY) t = (lo[i] - x[i]) / d[i];
    a = t < a ? t : a;
  }
  return fmax(a, 1.0);
}

static int lbfgs_step_box(lopt_solver *s, lbfgs_work *w)
{
  smooth_base *b = &w->b;
  const ls_kind lk = ls_current(s);
  sm_line L = {s->x, w->d, w->xt, w->gt, b->f, 0, 1.0};
  ls_result r = {0, 0, 0, 0};
  ls_status st = LS_NOT_DESCENT;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) {
      if (w->count == 0 || st == LS_CALLBACK || st == LS_BUDGET) break;
      memory_clear(w);
      b->restarts++;
    }
    L.dg0 = box_direction(s, w);
    if (isnan(L.dg0) && w->count > 0) { /* singular K or reduced system: start the memory afresh */
      memory_clear(w);
      b->restarts++;
      L.dg0 = box_direction(s, w);
    }
    if (!(L.dg0 < 0)) {
      st = LS_NOT_DESCENT;
      continue;
    }
    double alpha0 = 1.0;
    if (w->count == 0) {
      L.alpha_max = 1.0;
      if (!w->boxed) alpha0 = fmin(1.0, 1.0 / sm_nrm2(w->d, b->n));
    } else {
      L.alpha_max = max_feasible_step(s, w);
    }
    st = ls_run(b, lk, &L, alpha0, &r);
    if (st == LS_OK) break;
  }
  if (st != LS_OK) {
    ls_stop(b, lk, st, &L, &r);
    return LOPT_OK;
  }
  const double f_prev = b->f;
  const double step = take_step(s, w, r.f);
  smooth_accept(b, f_prev, step);
  return LOPT_OK;
}

/* ---- setup, step, release ---------------------------------------------------------------------- */

static void lbfgs_release(lopt_solver *s)
{
  lbfgs_work *w = s->impl;
  if (!w) return;
  smooth_release(s, &w->b);
  double *vecs[] = {w->S, w->Y, w->rho, w->alpha, w->d, w->xt, w->gt, w->SY, w->SS, w->YY, w->K, w->N,
                    w->p, w->c, w->Mp, w->Mc, w->wb, w->Mwb, w->v, w->ts, w->cs, w->cy, w->xc, w->r, w->tb};
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) lopt_free(s, vecs[i]);
  lopt_free(s, w->order);
  lopt_free(s, w->ipK);
  lopt_free(s, w->ipN);
  lopt_free(s, w->heap);
  lopt_free(s, w->fixed);
  lopt_free(s, w);
  s->impl = NULL;
}

static int lbfgs_setup(lopt_solver *s, const lopt_problem *prob, const double *x0)
{
  (void)x0; /* the core copied it into s->x; smooth_init projects it into the bounds */
  lbfgs_work *w = lopt_calloc(s, 1, sizeof *w);
  if (!w) return lopt_fail(s, LOPT_ENOMEM, "lbfgs: no memory for the work space");
  s->impl = w;
  int rc = smooth_init(s, &w->b, prob, "lbfgs", 0);
  if (rc) return rc;
  const int64_t n = prob->dim;
  const int m = (int)lopt_opt_i(s, O_MEMORY);
  w->m = m;
  if (n > INT64_MAX / 8 / (m + 1))
    return lopt_fail(s, LOPT_EINVAL, "lbfgs: memory %d x n = %lld is too large to address", m, (long long)n);
  w->order = lopt_calloc(s, (size_t)m, sizeof *w->order);
  w->S = lopt_alloc_f64(s, (int64_t)(m + 1) * n);
  w->Y = lopt_alloc_f64(s, (int64_t)(m + 1) * n);
  w->rho = lopt_alloc_f64(s, m + 1);
  w->alpha = lopt_alloc_f64(s, m);
  w->d = lopt_alloc_f64(s, n);
  w->xt = lopt_alloc_f64(s, n);
  w->gt = lopt_alloc_f64(s, n);
  if (!w->order || !w->S || !w->Y || !w->rho || !w->alpha || !w->d || !w->xt || !w->gt)
    return lopt_fail(s, LOPT_ENOMEM, "lbfgs: no memory for %d pairs of %lld doubles", m + 1, (long long)n);
  if (w->b.lower) {
    const int64_t m1 = m + 1, m2 = 2 * (int64_t)m;
    w->SY = lopt_alloc_f64(s, m1 * m1);
    w->SS = lopt_alloc_f64(s, m1 * m1);
    w->YY = lopt_alloc_f64(s, m1 * m1);
    w->K = lopt_alloc_f64(s, m2 * m2);
    w->N = lopt_alloc_f64(s, m2 * m2);
    w->ipK = lopt_calloc(s, (size_t)m2, sizeof *w->ipK);
    w->ipN = lopt_calloc(s, (size_t)m2, sizeof *w->ipN);
    w->p = lopt_alloc_f64(s, m2);
    w->c = lopt_alloc_f64(s, m2);
    w->Mp = lopt_alloc_f64(s, m2);
    w->Mc = lopt_alloc_f64(s, m2);
    w->wb = lopt_alloc_f64(s, m2);
    w->Mwb = lopt_alloc_f64(s, m2);
    w->v = lopt_alloc_f64(s, m2);
    w->ts = lopt_alloc_f64(s, 4 * m1);
    w->cs = lopt_alloc_f64(s, m1);
    w->cy = lopt_alloc_f64(s, m1);
    w->xc = lopt_alloc_f64(s, n);
    w->r = lopt_alloc_f64(s, n);
    w->tb = lopt_alloc_f64(s, n);
    w->heap = lopt_calloc(s, (size_t)n, sizeof *w->heap);
    w->fixed = lopt_calloc(s, (size_t)n, sizeof *w->fixed);
    if (!w->SY || !w->SS || !w->YY || !w->K || !w->N || !w->ipK || !w->ipN || !w->p || !w->c || !w->Mp ||
        !w->Mc || !w->wb || !w->Mwb || !w->v || !w->ts || !w->cs || !w->cy || !w->xc || !w->r || !w->tb ||
        !w->heap || !w->fixed)
      return lopt_fail(s, LOPT_ENOMEM, "lbfgs: no memory for the bound-constrained work space (n = %lld, m = %d)",
                       (long long)n, m);
    w->boxed = 1;
    for (int64_t i = 0; i < n && w->boxed; i++) w->boxed = isfinite(w->b.lower[i]) && isfinite(w->b.upper[i]);
    w->step = lbfgs_step_box;
  } else {
    w->step = lbfgs_step_free;
  }
  memory_clear(w);
  s->max_iter_default = n > 10 ? 100 * n : 1000;
  smooth_start(&w->b);
  return LOPT_OK;
}

static int lbfgs_step(lopt_solver *s)
{
  lbfgs_work *w = s->impl;
  return w->step(s, w);
}

/* ---- state: the common part, then m, count, bounds flag, theta, the spare slot and the slots of
 * the pairs (oldest first), each pair's rho, s and y, and with bounds the S'Y, S'S, Y'Y entries of
 * the pairs. Loading puts every pair back into the slot it came from: the bounded variant's
 * products run over the slot block in storage order, so the layout is part of the arithmetic. */

static size_t lbfgs_state_size(const lopt_solver *s)
{
  const lbfgs_work *w = s->impl;
  const size_t k = (size_t)w->count;
  size_t bytes = smooth_state_size(&w->b) + 4 * sizeof(int64_t) + sizeof(double);
  bytes += k * (sizeof(int64_t) + sizeof(double)) + 2 * k * (size_t)w->b.n * sizeof(double);
  if (w->SY) bytes += 3 * k * k * sizeof(double);
  return bytes;
}

static void lbfgs_state_write(const lopt_solver *s, unsigned char *buf)
{
  const lbfgs_work *w = s->impl;
  const int64_t hdr[4] = {w->m, w->count, w->SY != NULL, w->spare};
  const size_t bytes = (size_t)w->b.n * sizeof(double), m1 = (size_t)w->m + 1;
  buf = smooth_state_write(&w->b, buf);
  buf = lopt_put(buf, hdr, sizeof hdr);
  buf = lopt_put(buf, &w->theta, sizeof w->theta);
  for (int i = 0; i < w->count; i++) {
    const int64_t q = w->order[i];
    buf = lopt_put(buf, &q, sizeof q);
    buf = lopt_put(buf, &w->rho[q], sizeof(double));
    buf = lopt_put(buf, SLOT(w, w->S, q), bytes);
    buf = lopt_put(buf, SLOT(w, w->Y, q), bytes);
  }
  if (!w->SY) return;
  const double *tables[3] = {w->SY, w->SS, w->YY};
  for (int t = 0; t < 3; t++)
    for (int j = 0; j < w->count; j++)
      for (int i = 0; i < w->count; i++)
        buf = lopt_put(buf, &tables[t][(size_t)w->order[i] + m1 * (size_t)w->order[j]], sizeof(double));
}

static int lbfgs_state_read(lopt_solver *s, const unsigned char *buf, size_t len)
{
  lbfgs_work *w = s->impl;
  int64_t hdr[4];
  const size_t base = smooth_state_size(&w->b);
  if (len < base + sizeof hdr + sizeof(double))
    return lopt_fail(s, LOPT_EFORMAT, "lbfgs: state payload has %zu bytes; too short for its header", len);
  lopt_get(buf + base, hdr, sizeof hdr);
  if (hdr[0] != w->m)
    return lopt_fail(s, LOPT_EINVAL, "lbfgs: state was saved with memory = %lld; this solver has memory = %d",
                     (long long)hdr[0], w->m);
  if (hdr[2] != (w->SY != NULL))
    return lopt_fail(s, LOPT_EINVAL, "lbfgs: state was saved %s bounds; this solver is set up %s bounds",
                     hdr[2] ? "with" : "without", w->SY ? "with" : "without");
  if (hdr[1] < 0 || hdr[1] > w->m || hdr[3] < 0 || hdr[3] > w->m)
    return lopt_fail(s, LOPT_EFORMAT, "lbfgs: state holds %lld pairs and spare slot %lld; memory is %d",
                     (long long)hdr[1], (long long)hdr[3], w->m);
  const int k = (int)hdr[1];
  const size_t bytes = (size_t)w->b.n * sizeof(double), m1 = (size_t)w->m + 1;
  size_t need = base + sizeof hdr + sizeof(double) + (size_t)k * (sizeof(int64_t) + sizeof(double) + 2 * bytes);
  if (w->SY) need += 3 * (size_t)k * (size_t)k * sizeof(double);
  if (len != need)
    return lopt_fail(s, LOPT_EFORMAT, "lbfgs: state payload has %zu bytes; expected %zu", len, need);
  /* The slots must be in range, distinct and not the spare one (checked into the two-loop scratch,
   * so a refused blob leaves the solver as it was). */
  const unsigned char *p = buf + base + sizeof hdr + sizeof(double);
  for (int i = 0; i < k; i++) {
    int64_t q;
    lopt_get(p, &q, sizeof q);
    p += sizeof q + sizeof(double) + 2 * bytes;
    int bad = q < 0 || q > w->m || q == hdr[3];
    for (int j = 0; j < i && !bad; j++) bad = w->alpha[j] == (double)q;
    if (bad)
      return lopt_fail(s, LOPT_EFORMAT, "lbfgs: state names slot %lld for pair %d: not a valid slot", (long long)q,
                       i);
    w->alpha[i] = (double)q;
  }
  buf = smooth_state_read(&w->b, buf);
  buf += sizeof hdr;
  buf = lopt_get(buf, &w->theta, sizeof w->theta);
  for (int i = 0; i < k; i++) {
    int64_t q;
    buf = lopt_get(buf, &q, sizeof q);
    w->order[i] = (int)q;
    buf = lopt_get(buf, &w->rho[q], sizeof(double));
    buf = lopt_get(buf, SLOT(w, w->S, q), bytes);
    buf = lopt_get(buf, SLOT(w, w->Y, q), bytes);
  }
  w->count = k;
  w->spare = (int)hdr[3];
  if (w->SY) {
    double *tables[3] = {w->SY, w->SS, w->YY};
    for (int t = 0; t < 3; t++)
      for (int j = 0; j < k; j++)
        for (int i = 0; i < k; i++)
          buf = lopt_get(buf, &tables[t][(size_t)w->order[i] + m1 * (size_t)w->order[j]], sizeof(double));
  }
  return LOPT_OK;
}

const lopt_kind_vtable lopt_lbfgs_vtable = {
  .kind = LOPT_LBFGS,
  .name = "lbfgs",
  .summary = "limited-memory BFGS for smooth f; L-BFGS-B (Cauchy point + subspace minimization) with bounds",
  .options = lbfgs_options,
  .n_options = sizeof lbfgs_options / sizeof lbfgs_options[0],
  .setup = lbfgs_setup,
  .step = lbfgs_step,
  .release = lbfgs_release,
  .figure_names = smooth_figure_names,
  .figure = smooth_figure,
  .state_size = lbfgs_state_size,
  .state_write = lbfgs_state_write,
  .state_read = lbfgs_state_read,
};
