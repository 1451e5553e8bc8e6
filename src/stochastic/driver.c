/* src/stochastic/driver.c: the stochastic family's driver (see sto.h). Pull mode runs shuffled
 * epochs of mini-batches from the problem's oracle; push mode takes the user's gradients. Both end
 * in the same place: sto_apply(), which checks the gradients, clips, schedules the learning rate
 * and calls the rule's fused update once per group. */
#include <float.h>
#include <string.h>

#include "sto.h"

enum { MAX_STATE = 4 };

const char *const sto_schedule_names[] = {"constant", "step", "cosine", "linear", NULL};
enum { SCHED_CONSTANT, SCHED_STEP, SCHED_COSINE, SCHED_LINEAR };

const char *const sto_figure_names[] = {"epochs", "epoch_loss", "gnorm", "clip_factor", "lr", "curvature_updates",
                                        "nhvp", "callback_code", NULL};

typedef struct group_state {
  void *state[MAX_STATE];
  void *probe;           /* curvature probe z in the group's dtype */
} group_state;

typedef struct sto_work {
  const sto_rule *rule;
  int n_state;
  group_state *gs;
  /* pull mode */
  const lopt_stochastic_data *prob;
  double *g, *z64, *hz, *xt, *gt; /* gradient; probe, H z and finite-difference work (curvature only) */
  int64_t *perm, pos;
  double epoch_sum;
  int64_t epoch_count;
  double epoch_loss;
  /* figures */
  double gnorm, clip, lr0;
  int64_t curvature_updates, nhvp;
  int callback_code;
  int curvature_pending; /* push mode, rules that need curvature before every step */
} sto_work;

static size_t dtype_size(lopt_dtype d) { return d == LOPT_F32 ? sizeof(float) : sizeof(double); }

static const sto_rule *rule_of(const lopt_solver *s) { return s->vt->family; }

/* ---- set-up -------------------------------------------------------------------------------- */

static sto_curv curvature_mode(const lopt_solver *s)
{
  const sto_rule *r = rule_of(s);
  return r->curvature_mode ? r->curvature_mode(s) : STO_CURV_NONE;
}

/* Fill a probe with N(0,1) or Rademacher entries from the solver's generator. */
static void draw_probe(lopt_solver *s, const lopt_group *g, void *z)
{
  int rademacher = rule_of(s)->probe_rademacher;
  for (int64_t i = 0; i < g->n; i++) {
    double v = rademacher ? ((lopt_rng_u64(&s->rng) >> 63) ? 1.0 : -1.0) : lopt_rng_normal(&s->rng);
    if (g->dtype == LOPT_F32) ((float *)z)[i] = (float)v;
    else ((double *)z)[i] = v;
  }
}

/* State for every registered group; shared by pull and push set-up. */
static int alloc_groups(lopt_solver *s, sto_work *w)
{
  const sto_rule *r = w->rule;
  w->n_state = r->n_state(s);
  w->gs = lopt_calloc(s, (size_t)s->n_groups, sizeof *w->gs);
  if (!w->gs) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for %d parameter groups", s->vt->name, s->n_groups);
  int curv = curvature_mode(s) == STO_CURV_PROBE_HVP;
  for (int k = 0; k < s->n_groups; k++) {
    const lopt_group *g = &s->groups[k];
    for (int j = 0; j < w->n_state; j++)
      if (!(w->gs[k].state[j] = lopt_calloc(s, (size_t)g->n, dtype_size(g->dtype)))) goto no_memory;
    if (r->init_state) r->init_state(s, k, g->dtype, g->n, w->gs[k].state);
    if (curv) {
      if (!(w->gs[k].probe = lopt_alloc(s, (size_t)g->n * dtype_size(g->dtype)))) goto no_memory;
      draw_probe(s, g, w->gs[k].probe);
    }
  }
  return r->validate ? r->validate(s) : LOPT_OK;
no_memory:
  return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for optimizer state (%d arrays per parameter)", s->vt->name,
                   w->n_state);
}

static sto_work *new_work(lopt_solver *s)
{
  sto_work *w = lopt_calloc(s, 1, sizeof *w);
  if (w) {
    w->rule = rule_of(s);
    w->epoch_loss = w->gnorm = w->clip = w->lr0 = NAN;
    s->impl = w;
  }
  return w;
}

int sto_setup(lopt_solver *s, const lopt_problem *p, const double *x0)
{
  (void)x0;
  int rc = lopt_require_problem(s, p, LOPT_PROBLEM_STOCHASTIC);
  if (rc) return rc;
  if ((rc = lopt_group_add(s, s->x, s->n, LOPT_F64, NULL))) return rc;
  sto_work *w = new_work(s);
  if (!w) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for the work space", s->vt->name);
  w->prob = &p->u.stochastic;
  int64_t n = s->n, N = w->prob->n_samples;
  sto_curv mode = curvature_mode(s);
  if (mode == STO_CURV_GNB && !w->prob->gnb)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: estimator 'gnb' needs the problem's sampled-label gradient oracle "
                     "(lopt_problem_set_batch_gnb); use the Hutchinson estimator or provide it", s->vt->name);
  if (mode == STO_CURV_DIAGONAL)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: curvature input 'diagonal' is for push mode; pull mode computes "
                     "H z from the problem", s->vt->name);
  w->g = lopt_alloc_f64(s, n);
  w->perm = lopt_alloc(s, (size_t)N * sizeof *w->perm);
  if (!w->g || !w->perm) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for the gradient and sample order", s->vt->name);
  if (mode != STO_CURV_NONE) {
    w->hz = lopt_alloc_f64(s, n);
    w->xt = lopt_alloc_f64(s, n);
    w->gt = lopt_alloc_f64(s, n);
    if (!w->hz || !w->xt || !w->gt) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for curvature work", s->vt->name);
  }
  if ((rc = alloc_groups(s, w))) return rc;
  for (int64_t i = 0; i < N; i++) w->perm[i] = i;
  s->monitor_by_epoch = 1;
  return LOPT_OK;
}

int sto_push_setup(lopt_solver *s)
{
  sto_work *w = new_work(s);
  if (!w) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for the work space", s->vt->name);
  return alloc_groups(s, w);
}

void sto_release(lopt_solver *s)
{
  sto_work *w = s->impl;
  if (!w) return;
  for (int k = 0; w->gs && k < s->n_groups; k++) {
    for (int j = 0; j < MAX_STATE; j++) lopt_free(s, w->gs[k].state[j]);
    lopt_free(s, w->gs[k].probe);
  }
  lopt_free(s, w->gs);
  lopt_free(s, w->g);
  lopt_free(s, w->hz);
  lopt_free(s, w->xt);
  lopt_free(s, w->gt);
  lopt_free(s, w->perm);
  lopt_free(s, w);
  s->impl = NULL;
}

/* ---- the shared update --------------------------------------------------------------------- */

/* Learning rate at 1-based step t for a group whose base rate is `base` (sto.h; reference §13.1). */
static double scheduled_lr(const lopt_solver *s, double base, int64_t t)
{
  int64_t W = lopt_opt_i(s, STO_WARMUP_STEPS), T = lopt_opt_i(s, STO_TOTAL_STEPS);
  if (W > 0 && t <= W) return base * (double)t / (double)W;
  switch (lopt_opt_choice(s, STO_LR_SCHEDULE)) {
  case SCHED_STEP:
    return base * pow(lopt_opt_d(s, STO_GAMMA), (double)((t - 1) / lopt_opt_i(s, STO_STEP_SIZE)));
  case SCHED_COSINE: {
    double lo = lopt_opt_d(s, STO_LR_MIN);
    if (T <= W || t >= T) return T <= W ? base : lo;
    return lo + 0.5 * (base - lo) * (1.0 + cos(3.14159265358979323846 * (double)(t - W) / (double)(T - W)));
  }
  case SCHED_LINEAR: {
    double f0 = lopt_opt_d(s, STO_LR_START_FACTOR), f1 = lopt_opt_d(s, STO_LR_END_FACTOR);
    double frac = T > 1 ? (double)((t < T ? t : T) - 1) / (double)(T - 1) : 1.0;
    return base * (f0 + (f1 - f0) * frac);
  }
  default:
    return base;
  }
}

/* Sum of squares of a group's raw gradient and whether any entry is not finite, in one pass. */
static double sumsq(const lopt_group *g, const void *grad, int *bad)
{
  double acc = 0;
  int64_t n = g->n, nonfinite = 0;
  if (g->dtype == LOPT_F32) {
    const float *restrict v = grad;
#pragma omp parallel for simd schedule(static) reduction(+ : acc, nonfinite) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
      acc += (double)v[i] * (double)v[i];
      nonfinite += !isfinite(v[i]);
    }
  } else {
    const double *restrict v = grad;
#pragma omp parallel for simd schedule(static) reduction(+ : acc, nonfinite) if (parallel : n >= LOPT_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
      acc += v[i] * v[i];
      nonfinite += !isfinite(v[i]);
    }
  }
  *bad = nonfinite != 0;
  return acc;
}

/* One step for every group from gradients grads[k]. Ends the run (no parameter touched) when a
 * gradient is not finite and check_finite is on. */
static int sto_apply(lopt_solver *s, sto_work *w, const void *const *grads)
{
  const sto_rule *r = w->rule;
  const double clip_norm = lopt_opt_d(s, STO_CLIP_NORM);
  const int check = lopt_opt_b(s, STO_CHECK_FINITE);
  const int want_norm = clip_norm > 0 || check || (r->needs_gnorm && r->needs_gnorm(s));
  double gnorm = NAN, clip = 1.0;
  if (want_norm) {
    double total = 0;
    for (int k = 0; k < s->n_groups; k++) {
      int bad = 0;
      total += sumsq(&s->groups[k], grads[k], &bad);
      if (bad && check) {
        s->stop = LOPT_STOP_NONFINITE;
        return lopt_fail(s, LOPT_OK, "%s: the gradient of group %d has a NaN or Inf at step %lld; parameters were "
                         "not changed", s->vt->name, k, (long long)s->iter + 1);
      }
    }
    gnorm = sqrt(total);
    if (clip_norm > 0) clip = fmin(1.0, clip_norm / (gnorm + 1e-6));
  }
  w->gnorm = gnorm;
  w->clip = clip;
  s->gradient_norm = gnorm;
  sto_step st = {s, 0, s->iter + 1, 0, 0, clip * (lopt_opt_b(s, STO_MAXIMIZE) ? -1.0 : 1.0), gnorm};
  for (int k = 0; k < s->n_groups; k++) {
    const lopt_group *g = &s->groups[k];
    st.group = k;
    st.lr = scheduled_lr(s, lopt_group_opt_d(s, k, STO_LR), st.t);
    st.wd = lopt_group_opt_d(s, k, STO_WEIGHT_DECAY);
    if (k == 0) w->lr0 = st.lr;
    r->update(&st, g->dtype, g->n, g->x, grads[k], w->gs[k].state);
  }
  w->curvature_pending = 0;
  return LOPT_OK;
}

/* Give the rule a curvature estimate for group k: probe z (or NULL) and the estimate d in dtype. */
static void take_curvature(lopt_solver *s, sto_work *w, int k, const void *d)
{
  const lopt_group *g = &s->groups[k];
  sto_step st = {s, k, s->iter + 1, 0, 0, 1.0, w->gnorm};
  w->rule->take_curvature(&st, g->dtype, g->n, d, w->gs[k].state);
}

/* Convert push input H z into z (.) H z (Hutchinson's diagonal estimate) in place of the probe's
 * scratch, then redraw the probe. The estimate overwrites `scratch` (the group's probe buffer). */
static void hutchinson_diag(const lopt_group *g, void *z, const void *hz)
{
  if (g->dtype == LOPT_F32)
    for (int64_t i = 0; i < g->n; i++) ((float *)z)[i] *= ((const float *)hz)[i];
  else
    for (int64_t i = 0; i < g->n; i++) ((double *)z)[i] *= ((const double *)hz)[i];
}

/* ---- push mode ----------------------------------------------------------------------------- */

int sto_push_step(lopt_solver *s, const void *const *grads, double loss)
{
  sto_work *w = s->impl;
  if (w->rule->curvature_every_step && !w->curvature_pending)
    return lopt_fail(s, LOPT_ESTATE, "%s: push the step's curvature (lopt_solver_push_curvature) before each push",
                     s->vt->name);
  (void)loss;
  return sto_apply(s, w, grads);
}

int sto_push_curvature(lopt_solver *s, const void *const *curv)
{
  sto_work *w = s->impl;
  sto_curv mode = curvature_mode(s);
  if (mode == STO_CURV_NONE)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: this configuration takes no curvature input", s->vt->name);
  if (lopt_opt_b(s, STO_CHECK_FINITE))
    for (int k = 0; k < s->n_groups; k++) { /* all groups first: nothing changes when one is bad */
      int bad = 0;
      sumsq(&s->groups[k], curv[k], &bad);
      if (bad) {
        s->stop = LOPT_STOP_NONFINITE;
        return lopt_fail(s, LOPT_OK, "%s: the curvature input of group %d has a NaN or Inf; state was not changed",
                         s->vt->name, k);
      }
    }
  for (int k = 0; k < s->n_groups; k++) {
    const lopt_group *g = &s->groups[k];
    if (mode == STO_CURV_PROBE_HVP) {
      /* z (.) Hz: the probe buffer becomes the estimate, then a fresh probe is drawn */
      hutchinson_diag(g, w->gs[k].probe, curv[k]);
      take_curvature(s, w, k, w->gs[k].probe);
      draw_probe(s, g, w->gs[k].probe);
    } else {
      take_curvature(s, w, k, curv[k]);
    }
  }
  w->curvature_updates++;
  w->curvature_pending = 1;
  return LOPT_OK;
}

const void *sto_probe(const lopt_solver *s, int group)
{
  const sto_work *w = s->impl;
  return w && w->gs ? w->gs[group].probe : NULL;
}

/* ---- pull mode ----------------------------------------------------------------------------- */

static int oracle_failed(lopt_solver *s, sto_work *w, int code, const char *what)
{
  w->callback_code = code;
  s->stop = LOPT_STOP_CALLBACK;
  return lopt_fail(s, LOPT_OK, "%s: the %s callback returned %d at step %lld", s->vt->name, what, code,
                   (long long)s->iter + 1);
}

/* H z on the batch at x: the problem's oracle, else (g(x + h z) - g(x)) / h with g(x) in w->g. */
static int batch_hvp(lopt_solver *s, sto_work *w, const int64_t *idx, int64_t b, const double *z, double *hz)
{
  const lopt_stochastic_data *P = w->prob;
  int64_t n = s->n;
  w->nhvp++;
  if (P->hvp) {
    int code = P->hvp(P->ctx, n, s->x, idx, b, z, hz);
    return code ? oracle_failed(s, w, code, "mini-batch HVP") : LOPT_OK;
  }
  double xn = 0, zn = 0, loss;
  for (int64_t i = 0; i < n; i++) xn += s->x[i] * s->x[i], zn += z[i] * z[i];
  double h = 1.4901161193847656e-08 * (1.0 + sqrt(xn)) / (zn > 0 ? sqrt(zn) : 1.0);
  for (int64_t i = 0; i < n; i++) w->xt[i] = s->x[i] + h * z[i];
  int code = P->batch(P->ctx, n, w->xt, idx, b, &loss, w->gt);
  s->ngev++;
  if (code) return oracle_failed(s, w, code, "mini-batch");
  for (int64_t i = 0; i < n; i++) hz[i] = (w->gt[i] - w->g[i]) / h;
  return LOPT_OK;
}

/* Pull-mode curvature estimate for group 0 (= x) into w->hz at the current x: z (.) H z for the
 * Hutchinson probe, or the GNB gradient. pull_commit() enters it into the rule's state. */
static int pull_curvature(lopt_solver *s, sto_work *w, const int64_t *idx, int64_t b, sto_curv mode)
{
  const lopt_stochastic_data *P = w->prob;
  double *d = w->hz;
  if (mode == STO_CURV_GNB) {
    double scratch;
    int code = P->gnb(P->ctx, s->n, s->x, idx, b, &scratch, d);
    s->ngev++;
    if (code) return oracle_failed(s, w, code, "sampled-label gradient");
  } else {
    double *z = w->gs[0].probe;
    int rc = batch_hvp(s, w, idx, b, z, d);
    if (rc || s->stop != LOPT_STOP_RUNNING) return rc;
    for (int64_t i = 0; i < s->n; i++) d[i] *= z[i];
  }
  for (int64_t i = 0; i < s->n; i++)
    if (!isfinite(d[i])) {
      s->stop = LOPT_STOP_NONFINITE;
      return lopt_fail(s, LOPT_OK, "%s: the curvature estimate is not finite at step %lld", s->vt->name,
                       (long long)s->iter + 1);
    }
  return LOPT_OK;
}

static void pull_commit(lopt_solver *s, sto_work *w, sto_curv mode)
{
  take_curvature(s, w, 0, w->hz);
  if (mode == STO_CURV_PROBE_HVP) draw_probe(s, &s->groups[0], w->gs[0].probe);
  w->curvature_updates++;
}

/* Fisher-Yates with the solver's generator (uniform up to a 2^-64 bias, irrelevant here). */
static void shuffle(lopt_solver *s, int64_t *perm, int64_t N)
{
  for (int64_t i = N - 1; i > 0; i--) {
    int64_t j = (int64_t)(lopt_rng_u64(&s->rng) % (uint64_t)(i + 1)), t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
}

int sto_step_pull(lopt_solver *s)
{
  sto_work *w = s->impl;
  const lopt_stochastic_data *P = w->prob;
  const int64_t N = P->n_samples, B = lopt_opt_i(s, STO_BATCH_SIZE), t = s->iter + 1;
  if (w->pos == 0) shuffle(s, w->perm, N);
  const int64_t *idx = w->perm + w->pos, b = (N - w->pos < B) ? N - w->pos : B;
  s->epoch_ended = 0;

  double loss;
  int code = P->batch(P->ctx, s->n, s->x, idx, b, &loss, w->g);
  s->nfev++;
  s->ngev++;
  if (code) return oracle_failed(s, w, code, "mini-batch");
  if (!isfinite(loss)) {
    s->stop = LOPT_STOP_NONFINITE;
    return lopt_fail(s, LOPT_OK, "%s: the mini-batch loss is %g at step %lld; parameters were not changed",
                     s->vt->name, loss, (long long)t);
  }
  sto_curv mode = curvature_mode(s);
  const sto_rule *r = w->rule;
  int due = mode != STO_CURV_NONE && (r->curvature_every_step || t % r->curvature_every(s) == 0);
  sto_curv_timing when = r->curvature_timing ? r->curvature_timing(s) : STO_CURV_BEFORE;
  if (due && when != STO_CURV_AFTER) {
    int rc = pull_curvature(s, w, idx, b, mode);
    if (rc || s->stop != LOPT_STOP_RUNNING) return rc;
    if (when == STO_CURV_BEFORE) pull_commit(s, w, mode);
  }
  const void *grads[1] = {w->g};
  int rc = sto_apply(s, w, grads);
  if (rc || s->stop != LOPT_STOP_RUNNING) return rc;
  if (due && when == STO_CURV_BEFORE_NEXT) pull_commit(s, w, mode);
  if (due && when == STO_CURV_AFTER) {
    rc = pull_curvature(s, w, idx, b, mode);
    if (rc) return rc;
    if (s->stop == LOPT_STOP_RUNNING) pull_commit(s, w, mode);
  }
  w->epoch_sum += loss * (double)b;
  w->epoch_count += b;
  w->pos += b;
  if (w->pos >= N) { /* end of an epoch: its mean loss is the run's objective */
    w->pos = 0;
    w->epoch_loss = w->epoch_sum / (double)w->epoch_count;
    w->epoch_sum = 0;
    w->epoch_count = 0;
    s->objective = w->epoch_loss;
    s->epoch++;
    s->epoch_ended = 1;
    int64_t max_epochs = lopt_opt_i(s, STO_MAX_EPOCHS);
    if (s->stop == LOPT_STOP_RUNNING && w->epoch_loss <= lopt_opt_d(s, STO_TARGET_LOSS)) s->stop = LOPT_STOP_TARGET;
    else if (s->stop == LOPT_STOP_RUNNING && max_epochs > 0 && s->epoch >= max_epochs) s->stop = LOPT_STOP_MAX_ITER;
  }
  return LOPT_OK;
}

/* ---- figures and state --------------------------------------------------------------------- */

int sto_figure(const lopt_solver *s, const char *name, double *v)
{
  const sto_work *w = s->impl;
  if (!w) return lopt_fail(s, LOPT_ESTATE, "%s: no figures before setup", s->vt->name);
  if (!strcmp(name, "epochs")) *v = (double)s->epoch;
  else if (!strcmp(name, "epoch_loss")) *v = w->epoch_loss;
  else if (!strcmp(name, "gnorm")) *v = w->gnorm;
  else if (!strcmp(name, "clip_factor")) *v = w->clip;
  else if (!strcmp(name, "lr")) *v = w->lr0;
  else if (!strcmp(name, "curvature_updates")) *v = (double)w->curvature_updates;
  else if (!strcmp(name, "nhvp")) *v = (double)w->nhvp;
  else *v = (double)w->callback_code;
  return LOPT_OK;
}

/* Payload: counts, then per group its n, dtype, x (pull mode only: the solver owns it), state
 * arrays and probe; then the pull-mode epoch position, sample order and loss sums. */
static size_t group_bytes(const lopt_solver *s, const sto_work *w, int k)
{
  const lopt_group *g = &s->groups[k];
  size_t arr = (size_t)g->n * dtype_size(g->dtype);
  return 2 * sizeof(int64_t) + (size_t)w->n_state * arr + (w->gs[k].probe ? arr : 0) + (s->push_mode ? 0 : arr);
}

size_t sto_state_size(const lopt_solver *s)
{
  const sto_work *w = s->impl;
  size_t bytes = 6 * sizeof(int64_t) + 3 * sizeof(double) + 2 * sizeof(int64_t); /* head, sums, tail */
  for (int k = 0; k < s->n_groups; k++) bytes += group_bytes(s, w, k);
  if (!s->push_mode) bytes += (size_t)w->prob->n_samples * sizeof(int64_t);
  return bytes;
}

void sto_state_write(const lopt_solver *s, unsigned char *p)
{
  const sto_work *w = s->impl;
  int64_t head[6] = {s->n_groups, w->n_state, s->epoch, w->pos, w->epoch_count, w->curvature_updates};
  p = lopt_put(p, head, sizeof head);
  double f[3] = {w->epoch_sum, w->epoch_loss, (double)w->curvature_pending};
  p = lopt_put(p, f, sizeof f);
  int64_t tail[2] = {w->nhvp, s->push_mode};
  p = lopt_put(p, tail, sizeof tail);
  for (int k = 0; k < s->n_groups; k++) {
    const lopt_group *g = &s->groups[k];
    size_t arr = (size_t)g->n * dtype_size(g->dtype);
    int64_t gh[2] = {g->n, g->dtype};
    p = lopt_put(p, gh, sizeof gh);
    if (!s->push_mode) p = lopt_put(p, g->x, arr);
    for (int j = 0; j < w->n_state; j++) p = lopt_put(p, w->gs[k].state[j], arr);
    if (w->gs[k].probe) p = lopt_put(p, w->gs[k].probe, arr);
  }
  if (!s->push_mode) lopt_put(p, w->perm, (size_t)w->prob->n_samples * sizeof(int64_t));
}

int sto_state_read(lopt_solver *s, const unsigned char *p, size_t len)
{
  sto_work *w = s->impl;
  const char *k_name = s->vt->name;
  if (len != sto_state_size(s))
    return lopt_fail(s, LOPT_EINVAL, "%s: state payload has %zu bytes; this set-up (%d groups) needs %zu", k_name, len,
                     s->n_groups, sto_state_size(s));
  int64_t head[6];
  double f[3];
  p = lopt_get(p, head, sizeof head);
  if (head[0] != s->n_groups || head[1] != w->n_state)
    return lopt_fail(s, LOPT_EINVAL, "%s: state has %lld groups with %lld state arrays; the solver has %d and %d",
                     k_name, (long long)head[0], (long long)head[1], s->n_groups, w->n_state);
  p = lopt_get(p, f, sizeof f);
  int64_t tail[2];
  p = lopt_get(p, tail, sizeof tail);
  int64_t nhvp = tail[0], mode = tail[1];
  if (mode != s->push_mode)
    return lopt_fail(s, LOPT_EINVAL, "%s: state was saved in %s mode; the solver is set up in %s mode", k_name,
                     mode ? "push" : "pull", s->push_mode ? "push" : "pull");
  const unsigned char *start = p;
  for (int k = 0; k < s->n_groups; k++) { /* check every group before changing anything */
    int64_t gh[2];
    p = lopt_get(p, gh, sizeof gh);
    if (gh[0] != s->groups[k].n || gh[1] != s->groups[k].dtype)
      return lopt_fail(s, LOPT_EINVAL, "%s: state group %d has %lld %s entries; the solver's has %lld %s", k_name, k,
                       (long long)gh[0], gh[1] == LOPT_F32 ? "float32" : "float64", (long long)s->groups[k].n,
                       s->groups[k].dtype == LOPT_F32 ? "float32" : "float64");
    p += group_bytes(s, w, k) - sizeof gh;
  }
  p = start;
  for (int k = 0; k < s->n_groups; k++) {
    const lopt_group *g = &s->groups[k];
    size_t arr = (size_t)g->n * dtype_size(g->dtype);
    p += 2 * sizeof(int64_t);
    if (!s->push_mode) p = lopt_get(p, g->x, arr);
    for (int j = 0; j < w->n_state; j++) p = lopt_get(p, w->gs[k].state[j], arr);
    if (w->gs[k].probe) p = lopt_get(p, w->gs[k].probe, arr);
  }
  if (!s->push_mode) lopt_get(p, w->perm, (size_t)w->prob->n_samples * sizeof(int64_t));
  s->epoch = head[2];
  w->pos = head[3];
  w->epoch_count = head[4];
  w->curvature_updates = head[5];
  w->epoch_sum = f[0];
  w->epoch_loss = f[1];
  w->curvature_pending = f[2] != 0;
  w->nhvp = nhvp;
  return LOPT_OK;
}
