/* src/smooth/linesearch.c: More-Thuente, Hager-Zhang and Armijo line searches (see linesearch.h).
 *
 * Notation: phi(a) = f(x + a d), phi'(a) = g(x + a d)'d; f0 = phi(0), d0 = phi'(0) < 0. */
#include <float.h>
#include <string.h>

#include "linesearch.h"

/* Evaluation with the shared bookkeeping: the evaluation count, and whether the last trial was
 * non-finite (so that running out of evaluations can be reported as such). */
typedef struct ls_ctx {
  smooth_base *b;
  const sm_line *L;
  const ls_params *p;
  int64_t evals;
  int last_nonfinite;
} ls_ctx;

/* 1: evaluated, finite. 0: non-finite (the caller shortens the step). -1: stop (callback). */
static int ls_eval(ls_ctx *c, double a, double *f, double *dg)
{
  c->evals++;
  sm_eval e = sm_line_eval(c->b, c->L, a, f, dg);
  if (e == SM_EVAL_CALLBACK) return -1;
  c->last_nonfinite = e == SM_EVAL_NONFINITE;
  return e == SM_EVAL_OK;
}

static ls_status out_of_evals(const ls_ctx *c) { return c->last_nonfinite ? LS_NONFINITE : LS_MAX_EVALS; }

static ls_status accept(ls_ctx *c, ls_result *r, double a, double f, double dg)
{
  r->alpha = a, r->f = f, r->dg = dg, r->evals = c->evals;
  return LS_OK;
}

/* ==== More-Thuente ================================================================================ */

/* Constants of More & Thuente 1994 (Section 4, and MINPACK-2 dcsrch): extrapolation keeps the next
 * trial in [a + 1.1 (a - a_x), a + 4 (a - a_x)]; a bracket that has not shrunk to 0.66 of its width
 * in two trials is bisected. XTOL ends the search when the bracket's relative width is below it;
 * 0.1 is the value L-BFGS-B uses. */
#define MT_XTRAPL 1.1
#define MT_XTRAPU 4.0
#define MT_SHRINK 0.66
#define MT_XTOL 0.1
#define MT_STPMAX 1e20

typedef struct mt_pt {
  double t, f, d;
} mt_pt;

/* Minimizer of the cubic that interpolates (a.t, a.f, a.d) and (b.t, b.f, b.d), written from a:
 * a.t + r (b.t - a.t). Scaling by s avoids overflow in theta^2 (More & Thuente 1994, Section 4).
 * *gamma_out receives gamma (0 when the cubic has no real minimizer: the discriminant is clamped). */
static double cubic_min(const mt_pt *a, const mt_pt *b, double *r_out, double *gamma_out)
{
  const double theta = 3.0 * (a->f - b->f) / (b->t - a->t) + a->d + b->d;
  const double s = fmax(fmax(fabs(theta), fabs(a->d)), fabs(b->d));
  double gamma = s * sqrt(fmax(0.0, (theta / s) * (theta / s) - (a->d / s) * (b->d / s)));
  if (b->t < a->t) gamma = -gamma;
  const double p = (gamma - a->d) + theta;
  const double q = ((gamma - a->d) + gamma) + b->d;
  const double r = p / q;
  if (r_out) *r_out = r;
  if (gamma_out) *gamma_out = gamma;
  return a->t + r * (b->t - a->t);
}

/* One safeguarded step (More & Thuente 1994, Section 4, cases 1-4). x is the best step so far
 * (phi'(x) points towards t), y the other end of the interval, t the trial just evaluated. Updates
 * x, y and *brackt, and returns the next trial, kept inside [lo, hi] when not bracketed. */
static double mt_step(mt_pt *x, mt_pt *y, const mt_pt *t, int *brackt, double lo, double hi)
{
  const double sgnd = t->d * (x->d / fabs(x->d));
  double next;
  if (t->f > x->f) {
    /* Case 1: higher value, a minimizer is bracketed. Take the cubic step if it is closer to x
     * than the quadratic (through f(x), phi'(x), f(t)), else their average. */
    const double c = cubic_min(x, t, NULL, NULL);
    const double q = x->t + (x->d / ((x->f - t->f) / (t->t - x->t) + x->d)) / 2.0 * (t->t - x->t);
    next = fabs(c - x->t) < fabs(q - x->t) ? c : c + (q - c) / 2.0;
    *brackt = 1;
  } else if (sgnd < 0) {
    /* Case 2: the derivatives have opposite signs, bracketed. Cubic or secant, the one farther
     * from t. */
    const double c = cubic_min(t, x, NULL, NULL);
    const double q = t->t + (t->d / (t->d - x->d)) * (x->t - t->t);
    next = fabs(c - t->t) > fabs(q - t->t) ? c : q;
    *brackt = 1;
  } else if (fabs(t->d) < fabs(x->d)) {
    /* Case 3: same sign, the derivative decreases in magnitude. The cubic is used only when it
     * has a minimizer beyond t; otherwise extrapolate to the end of the allowed range. */
    double r, gamma;
    double c = cubic_min(t, x, &r, &gamma);
    if (!(r < 0 && gamma != 0)) c = t->t > x->t ? hi : lo;
    const double q = t->t + (t->d / (t->d - x->d)) * (x->t - t->t);
    if (*brackt) {
      next = fabs(c - t->t) < fabs(q - t->t) ? c : q;
      const double lim = t->t + MT_SHRINK * (y->t - t->t);
      next = t->t > x->t ? fmin(lim, next) : fmax(lim, next);
    } else {
      next = fabs(c - t->t) > fabs(q - t->t) ? c : q;
      next = fmax(lo, fmin(hi, next));
    }
  } else {
    /* Case 4: same sign, the derivative does not decrease: cubic through t and y when bracketed,
     * else the end of the allowed range. */
    if (*brackt) next = cubic_min(t, y, NULL, NULL);
    else next = t->t > x->t ? hi : lo;
  }
  /* The new interval (More & Thuente 1994, updating algorithm, cases U1-U3). */
  if (t->f > x->f) {
    *y = *t;
  } else {
    if (sgnd < 0) *y = *x;
    *x = *t;
  }
  return next;
}

static ls_status ls_more_thuente(smooth_base *b, const ls_params *p, const sm_line *L, double alpha0, ls_result *r)
{
  ls_ctx c = {b, L, p, 0, 0};
  const double ftol = p->c1, gtol = p->c2;
  const double finit = L->f0, ginit = L->dg0, gtest = ftol * ginit;
  if (!(ginit < 0)) return LS_NOT_DESCENT;
  double stpmax = isfinite(L->alpha_max) ? L->alpha_max : MT_STPMAX;
  double stp = alpha0 > 0 && alpha0 <= stpmax ? alpha0 : fmin(1.0, stpmax);
  int brackt = 0, stage = 1, final_best = 0;
  double width = stpmax, width1 = 2.0 * width;
  /* x: best step (least psi in stage 1, least f in stage 2); y: other end of the interval. */
  mt_pt x = {0, finit, ginit}, y = {0, finit, ginit};
  double stmin = 0, stmax = stp + MT_XTRAPU * stp;
  for (;;) {
    if (c.evals >= p->max_evals) return out_of_evals(&c);
    double f, g;
    int ok = ls_eval(&c, stp, &f, &g);
    if (ok < 0) return LS_CALLBACK;
    if (final_best) {
      if (ok) return accept(&c, r, stp, f, g);
      return LS_ROUNDING;
    }
    if (!ok) {
      /* Too long: retry much closer to the best point, and never go past half way again. */
      stpmax = x.t + 0.5 * (stp - x.t);
      stp = x.t + 0.1 * (stp - x.t);
      if (!(stp > x.t)) return LS_NONFINITE;
      if (!brackt) { /* keep the extrapolation range [stmin, stmax] around the shorter trial */
        stmin = fmin(stmin, stp);
        stmax = fmax(fmin(stmax, stpmax), stmin);
      }
      continue;
    }
    if (f == finit && g == ginit) {
      /* The step is below the resolution of x: x + a d == x. End on the best point, if any. */
      if (!(x.t > 0 && x.f < finit)) return LS_ROUNDING;
      stp = x.t;
      final_best = 1;
      continue;
    }
    const double ftest = finit + stp * gtest;
    /* Switch from psi(a) = phi(a) - f0 - c1 a d0 to phi once a step has psi <= 0 and psi' >= 0. */
    if (stage == 1 && f <= ftest && g >= fmin(ftol, gtol) * ginit) stage = 2;
    if (f <= ftest && fabs(g) <= gtol * (-ginit)) return accept(&c, r, stp, f, g);
    /* At the largest step allowed and still going down with sufficient decrease: take it. */
    if (stp == stpmax && f <= ftest && g <= gtest) return accept(&c, r, stp, f, g);
    /* The interval cannot shrink further: take the best point (sufficient decrease holds there
     * in stage 1; in any case f is below f0). */
    if (brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= MT_XTOL * stmax)) {
      if (f <= ftest && f < finit) return accept(&c, r, stp, f, g);
      if (!(x.t > 0 && x.f < finit)) return LS_ROUNDING;
      stp = x.t;
      final_best = 1;
      continue;
    }
    mt_pt t = {stp, f, g};
    if (stage == 1 && f <= x.f && f > ftest) {
      /* Stage 1 on psi: shift values and derivatives by the line f0 + c1 a d0 (Section 3). */
      mt_pt xm = {x.t, x.f - x.t * gtest, x.d - gtest}, ym = {y.t, y.f - y.t * gtest, y.d - gtest};
      mt_pt tm = {t.t, t.f - t.t * gtest, t.d - gtest};
      stp = mt_step(&xm, &ym, &tm, &brackt, stmin, stmax);
      x = (mt_pt){xm.t, xm.f + xm.t * gtest, xm.d + gtest};
      y = (mt_pt){ym.t, ym.f + ym.t * gtest, ym.d + gtest};
    } else {
      stp = mt_step(&x, &y, &t, &brackt, stmin, stmax);
    }
    if (brackt) {
      /* Bisect when two trials have not shrunk the interval to 0.66 of its width. */
      if (fabs(y.t - x.t) >= MT_SHRINK * width1) stp = x.t + 0.5 * (y.t - x.t);
      width1 = width;
      width = fabs(y.t - x.t);
      stmin = fmin(x.t, y.t);
      stmax = fmax(x.t, y.t);
    } else {
      stmin = stp + MT_XTRAPL * (stp - x.t);
      stmax = stp + MT_XTRAPU * (stp - x.t);
    }
    stp = fmax(stp, 0.0);
    stp = fmin(stp, stpmax);
    if (brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= MT_XTOL * stmax)) {
      /* No further progress is possible: end on the best point. */
      if (!(x.t > 0 && x.f < finit)) return LS_ROUNDING;
      stp = x.t;
      final_best = 1;
    }
  }
}

/* ==== Hager-Zhang ================================================================================= */

/* Constants of Hager & Zhang 2005 (Section 4) and CG_DESCENT 2006: epsilon of the approximate Wolfe
 * test, theta for the bisection inside `update`, gamma the required interval shrinkage per
 * iteration, rho the bracket expansion factor. */
#define HZ_EPS 1e-6
#define HZ_THETA 0.5
#define HZ_GAMMA 0.66
#define HZ_RHO 5.0

typedef struct hz {
  ls_ctx c;
  double f0, d0, fbound; /* fbound = f0 + eps_k */
  double cap;            /* alpha_max, lowered after a non-finite trial */
  int done;              /* 1 accepted, -1 failed (status in st) */
  ls_status st;
  mt_pt acc;             /* the accepted point */
} hz;

/* Evaluate phi at t into *pt. Returns 1 when the search must end (accepted: done = 1, or failed:
 * done = -1). A non-finite point reads as f = +inf with a negative slope: every rule below then
 * treats it as "too far" (it can only become the right end of a bisection, never a secant end). */
static int hz_eval(hz *h, double t, mt_pt *pt)
{
  if (h->c.evals >= h->c.p->max_evals) {
    h->done = -1, h->st = out_of_evals(&h->c);
    return 1;
  }
  double f, d;
  int ok = ls_eval(&h->c, t, &f, &d);
  if (ok < 0) {
    h->done = -1, h->st = LS_CALLBACK;
    return 1;
  }
  if (!ok) {
    *pt = (mt_pt){t, INFINITY, -INFINITY};
    h->cap = fmin(h->cap, t);
    return 0;
  }
  *pt = (mt_pt){t, f, d};
  const double c1 = h->c.p->c1, c2 = h->c.p->c2;
  /* T1, Wolfe: f - f0 <= c1 t d0 and d >= c2 d0.
   * T2, approximate Wolfe: (2 c1 - 1) d0 >= d >= c2 d0 and f <= f0 + eps_k. */
  const int wolfe = f - h->f0 <= c1 * t * h->d0 && d >= c2 * h->d0;
  const int approx = (2.0 * c1 - 1.0) * h->d0 >= d && d >= c2 * h->d0 && f <= h->fbound;
  if (wolfe || approx) {
    h->done = 1, h->acc = *pt;
    return 1;
  }
  return 0;
}

/* U3a-U3c of Hager & Zhang 2005: a has phi' < 0 and phi <= f0 + eps_k, b has phi' < 0 and
 * phi > f0 + eps_k (so a local minimizer lies between). Bisect (theta = 1/2) until a trial has
 * phi' >= 0; it becomes b, and a is the last trial on the good side. */
static int hz_bisect(hz *h, mt_pt *a, mt_pt *b)
{
  for (;;) {
    mt_pt d;
    const double t = (1.0 - HZ_THETA) * a->t + HZ_THETA * b->t;
    if (!(t > a->t && t < b->t)) {
      h->done = -1, h->st = LS_ROUNDING;
      return 1;
    }
    if (hz_eval(h, t, &d)) return 1;
    if (d.d >= 0) {
      *b = d;
      return 0;
    }
    if (d.f <= h->fbound) *a = d;
    else *b = d;
  }
}

/* update(a, b, c): the interval [a, b] (phi'(a) < 0, phi(a) <= f0 + eps_k, phi'(b) >= 0) shrunk
 * with the trial c (U0-U3). */
static int hz_update(hz *h, mt_pt *a, mt_pt *b, double t)
{
  if (!(t > a->t && t < b->t)) return 0; /* U0 (also when t is NaN) */
  mt_pt c;
  if (hz_eval(h, t, &c)) return 1;
  if (c.d >= 0) { /* U1 */
    *b = c;
    return 0;
  }
  if (c.f <= h->fbound) { /* U2 */
    *a = c;
    return 0;
  }
  mt_pt hi = c; /* U3 */
  if (hz_bisect(h, a, &hi)) return 1;
  *b = hi;
  return 0;
}

static double hz_secant(const mt_pt *a, const mt_pt *b) { return (a->t * b->d - b->t * a->d) / (b->d - a->d); }

/* secant^2(a, b): a secant step, and a second one from the side it replaced. */
static int hz_secant2(hz *h, mt_pt *a, mt_pt *b)
{
  const mt_pt a0 = *a, b0 = *b;
  const double c = hz_secant(a, b);
  if (hz_update(h, a, b, c)) return 1;
  double cbar;
  if (c == b->t) cbar = hz_secant(&b0, b);
  else if (c == a->t) cbar = hz_secant(&a0, a);
  else return 0;
  return hz_update(h, a, b, cbar);
}

/* bracket(c): expand by rho until the slope turns non-negative or the value rises above
 * f0 + eps_k (then bisect). a is the last trial with slope < 0 and value <= f0 + eps_k. */
static int hz_bracket(hz *h, double t, mt_pt *a, mt_pt *b)
{
  for (;;) {
    mt_pt c;
    if (hz_eval(h, t, &c)) return 1;
    if (c.d >= 0) {
      *b = c;
      return 0;
    }
    if (c.f > h->fbound) {
      mt_pt hi = c;
      if (hz_bisect(h, a, &hi)) return 1;
      *b = hi;
      return 0;
    }
    if (t >= h->cap) {
      /* Still going down at the largest step allowed: take it if f decreased. */
      if (c.f < h->f0) h->done = 1, h->acc = c;
      else h->done = -1, h->st = LS_ROUNDING;
      return 1;
    }
    /* Departure from B3 (c <- rho c): when the slope rose from a to c, the secant through the two
     * slopes estimates where it vanishes; go there (at least 1.1 c, at most rho c). With a tight
     * c2 a blind factor of 5 overshoots and costs a secant^2 round; the secant root is usually
     * accepted at once. */
    double next = HZ_RHO * t;
    if (c.d > a->d) {
      const double root = c.t - c.d * (c.t - a->t) / (c.d - a->d);
      if (root > c.t) next = fmin(next, fmax(root, 1.1 * c.t));
    }
    *a = c;
    t = fmin(next, h->cap);
  }
}

static ls_status ls_hager_zhang(smooth_base *b, const ls_params *p, const sm_line *L, double alpha0, ls_result *r)
{
  if (!(L->dg0 < 0)) return LS_NOT_DESCENT;
  hz h = {{b, L, p, 0, 0}, L->f0, L->dg0, L->f0 + HZ_EPS * fabs(L->f0), L->alpha_max, 0, LS_OK, {0, 0, 0}};
  mt_pt lo = {0, L->f0, L->dg0}, hi;
  double t = alpha0 > 0 ? fmin(alpha0, h.cap) : fmin(1.0, h.cap);
  int stop = hz_bracket(&h, t, &lo, &hi);
  while (!stop) {
    /* One iteration of Hager & Zhang 2005, Section 4, L1-L3: secant^2, then a bisection when the
     * interval did not shrink by gamma. */
    const double width = hi.t - lo.t;
    stop = hz_secant2(&h, &lo, &hi);
    if (!stop && hi.t - lo.t > HZ_GAMMA * width) stop = hz_update(&h, &lo, &hi, 0.5 * (lo.t + hi.t));
    if (!stop && !(hi.t - lo.t > 4.0 * DBL_EPSILON * hi.t)) {
      /* The interval is at rounding level: end on its left end if it decreased f. */
      if (lo.t > 0 && lo.f < h.f0) {
        double f, d;
        int ok = h.c.evals < p->max_evals ? ls_eval(&h.c, lo.t, &f, &d) : 0;
        if (ok < 0) return LS_CALLBACK;
        if (ok) return accept(&h.c, r, lo.t, f, d);
      }
      return LS_ROUNDING;
    }
  }
  if (h.done > 0) return accept(&h.c, r, h.acc.t, h.acc.f, h.acc.d);
  return h.st;
}

/* ==== Armijo ====================================================================================== */

static ls_status ls_armijo(smooth_base *b, const ls_params *p, const sm_line *L, double alpha0, ls_result *r)
{
  ls_ctx c = {b, L, p, 0, 0};
  const double f0 = L->f0, d0 = L->dg0, c1 = p->c1;
  if (!(d0 < 0)) return LS_NOT_DESCENT;
  double a = alpha0 > 0 ? fmin(alpha0, L->alpha_max) : fmin(1.0, L->alpha_max);
  double a_prev = 0, f_prev = 0;
  int have_prev = 0;
  for (;;) {
    if (c.evals >= p->max_evals) return out_of_evals(&c);
    double f, dg;
    int ok = ls_eval(&c, a, &f, &dg);
    if (ok < 0) return LS_CALLBACK;
    if (ok) {
      const double ftest = f0 + c1 * a * d0;
      /* When the decrease asked for is below the rounding of f0, f == f0 would pass: accept only
       * a real decrease, and otherwise report that f cannot tell the steps apart. */
      if (ftest == f0) {
        if (f < f0) return accept(&c, r, a, f, dg);
        return LS_ROUNDING;
      }
      if (f <= ftest) return accept(&c, r, a, f, dg);
    }
    double next;
    if (!ok) {
      next = 0.1 * a;
      have_prev = 0;
    } else if (!have_prev) {
      /* Minimizer of the quadratic through f0, d0 and f(a). */
      next = -d0 * a * a / (2.0 * (f - f0 - d0 * a));
    } else {
      /* Minimizer of the cubic through f0, d0, f(a) and f(a_prev) (Dennis & Schnabel A6.3.1). */
      const double r1 = f - f0 - d0 * a, r2 = f_prev - f0 - d0 * a_prev;
      const double den = a - a_prev;
      const double ca = (r1 / (a * a) - r2 / (a_prev * a_prev)) / den;
      const double cb = (-a_prev * r1 / (a * a) + a * r2 / (a_prev * a_prev)) / den;
      if (ca == 0) {
        next = -d0 / (2.0 * cb);
      } else {
        const double disc = cb * cb - 3.0 * ca * d0;
        next = disc >= 0 ? (-cb + sqrt(disc)) / (3.0 * ca) : 0.5 * a;
      }
    }
    if (ok) {
      a_prev = a, f_prev = f;
      have_prev = 1;
    }
    /* Keep the new step in [0.1 a, 0.5 a] (also when the interpolation gave NaN). */
    next = isnan(next) ? 0.5 * a : fmax(0.1 * a, fmin(0.5 * a, next));
    if (!(next > 0)) return LS_ROUNDING;
    a = next;
  }
}

/* ==== dispatch and reports ======================================================================== */

static const ls_fn ls_table[] = {[LS_MORE_THUENTE] = ls_more_thuente,
                                 [LS_HAGER_ZHANG] = ls_hager_zhang,
                                 [LS_ARMIJO] = ls_armijo};
static const char *const ls_titles[] = {[LS_MORE_THUENTE] = "More-Thuente",
                                        [LS_HAGER_ZHANG] = "Hager-Zhang",
                                        [LS_ARMIJO] = "Armijo"};

ls_kind ls_current(const lopt_solver *s)
{
  const char *name = s->vt->options[SM_O_LINESEARCH].choices[lopt_opt_choice(s, SM_O_LINESEARCH)];
  if (!strcmp(name, "hager_zhang")) return LS_HAGER_ZHANG;
  if (!strcmp(name, "armijo")) return LS_ARMIJO;
  return LS_MORE_THUENTE;
}

const char *ls_title(ls_kind k) { return ls_titles[k]; }

ls_status ls_run(smooth_base *b, ls_kind k, const sm_line *L, double alpha0, ls_result *r)
{
  const lopt_solver *s = b->s;
  ls_params p = {lopt_opt_d(s, SM_O_LS_C1), lopt_opt_d(s, SM_O_LS_C2), lopt_opt_i(s, SM_O_LS_MAX_EVALS)};
  const int64_t left = smooth_evals_left(b);
  const int by_budget = left < p.max_evals;
  if (by_budget) p.max_evals = left;
  memset(r, 0, sizeof *r);
  r->alpha = 0, r->f = L->f0, r->dg = L->dg0;
  const int64_t before = s->nfev;
  ls_status st = p.max_evals > 0 ? ls_table[k](b, &p, L, alpha0, r) : LS_MAX_EVALS;
  r->evals = s->nfev - before;
  if (st == LS_MAX_EVALS && by_budget) st = LS_BUDGET;
  return st;
}

void ls_stop(smooth_base *b, ls_kind k, ls_status st, const sm_line *L, const ls_result *r)
{
  lopt_solver *s = b->s;
  const char *kind = b->kind, *name = ls_titles[k];
  const long long it = (long long)s->iter + 1;
  switch (st) {
  case LS_CALLBACK:
    smooth_stop_eval(b, SM_EVAL_CALLBACK, "during the line search");
    return;
  case LS_NONFINITE:
    s->stop = LOPT_STOP_NONFINITE;
    lopt_fail(s, LOPT_OK, "%s: the %s line search at iteration %lld met only non-finite f or g in its last "
              "trials (%lld evaluations); x is the last finite iterate", kind, name, it, (long long)r->evals);
    return;
  case LS_BUDGET:
    smooth_check_budget(b);
    return;
  default:
    break;
  }
  s->stop = LOPT_STOP_LINESEARCH;
  switch (st) {
  case LS_NOT_DESCENT:
    lopt_fail(s, LOPT_OK, "%s: the %s line search at iteration %lld was given a direction that is not a descent "
              "direction (g'd = %.3e >= 0)", kind, name, it, L->dg0);
    break;
  case LS_ROUNDING:
    lopt_fail(s, LOPT_OK, "%s: the %s line search at iteration %lld could not find a step that decreases f "
              "at this precision (f = %.17g, g'd = %.3e, %lld evaluations): rounding errors prevent progress; "
              "f or g may be inaccurate, or x is optimal to the precision they allow", kind, name, it, L->f0, L->dg0,
              (long long)r->evals);
    break;
  default:
    lopt_fail(s, LOPT_OK, "%s: the %s line search at iteration %lld used its %lld evaluations (ls_max_evals) "
              "without a step satisfying its conditions (f = %.17g, g'd = %.3e)", kind, name, it,
              (long long)r->evals, L->f0, L->dg0);
    break;
  }
}
