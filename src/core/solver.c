/* src/core/solver.c: the solver handle. create/setup/step/solve/destroy, the stopping budgets and
 * monitor shared by every kind, the result, figures, and the state blob framing.
 *
 * One driver, many kinds: `solve` is a loop over `step`; a kind's step does one iteration and sets
 * s->stop when its own convergence test passes. Budgets (iterations, time), the user's stop request
 * and the monitor are applied here, after each step, identically for every kind. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *default_alloc(size_t size, void *ctx)
{
  (void)ctx;
  return malloc(size);
}

static void default_free(void *p, void *ctx)
{
  (void)ctx;
  free(p);
}

static const lopt_allocator default_allocator = {default_alloc, default_free, NULL};

/* ---- kinds by name ------------------------------------------------------------------------- */

const char *lopt_kind_name(lopt_kind kind)
{
  const lopt_kind_vtable *vt = lopt_registry_find(kind);
  return vt ? vt->name : "unknown";
}

const char *lopt_kind_summary(lopt_kind kind)
{
  const lopt_kind_vtable *vt = lopt_registry_find(kind);
  return vt ? vt->summary : NULL;
}

/* ---- create / destroy ---------------------------------------------------------------------- */

int lopt_solver_create(lopt_solver **out, lopt_kind kind)
{
  return lopt_solver_create_ex(out, kind, NULL);
}

int lopt_solver_create_ex(lopt_solver **out, lopt_kind kind, const lopt_allocator *alloc)
{
  if (!out) return LOPT_EINVAL;
  *out = NULL;
  const lopt_kind_vtable *vt = lopt_registry_find(kind);
  if (!vt) return LOPT_EINVAL;
  if (alloc && (!alloc->alloc || !alloc->free)) return LOPT_EINVAL;
  const lopt_allocator *a = alloc ? alloc : &default_allocator;
  lopt_solver *s = a->alloc(sizeof *s, a->ctx);
  if (!s) return LOPT_ENOMEM;
  memset(s, 0, sizeof *s);
  s->vt = vt;
  s->alloc = *a;
  s->message = lopt_alloc(s, LOPT_MSG_LEN);
  s->opt = lopt_calloc(s, vt->n_options ? vt->n_options : 1, sizeof *s->opt);
  if (!s->message || !s->opt) {
    lopt_free(s, s->message);
    lopt_free(s, s->opt);
    a->free(s, a->ctx);
    return LOPT_ENOMEM;
  }
  s->message[0] = '\0';
  atomic_init(&s->stop_requested, 0);
  lopt_options_reset(s);
  s->ix_max_iter = lopt_option_index(s, "max_iter");
  s->ix_max_time = lopt_option_index(s, "max_time");
  s->ix_monitor_every = lopt_option_index(s, "monitor_every");
  s->ix_seed = lopt_option_index(s, "seed");
  s->objective = s->residual = s->gradient_norm = NAN;
  *out = s;
  return LOPT_OK;
}

/* Release what setup allocated; the handle returns to the created state (options kept). */
void lopt_release_run(lopt_solver *s)
{
  if (s->vt->release) s->vt->release(s);
  s->impl = NULL;
  lopt_free(s, s->x);
  s->x = NULL;
  s->is_setup = 0;
  s->push_mode = 0;
  s->problem = NULL;
  s->n = 0;
}

void lopt_solver_destroy(lopt_solver **sp)
{
  if (!sp || !*sp) return;
  lopt_solver *s = *sp;
  lopt_release_run(s);
  lopt_groups_free(s);
  lopt_allocator a = s->alloc;
  lopt_free(s, s->message);
  lopt_free(s, s->opt);
  a.free(s, a.ctx);
  *sp = NULL;
}

lopt_kind lopt_solver_kind(const lopt_solver *s) { return s ? s->vt->kind : LOPT_KIND_NONE; }

const char *lopt_solver_message(const lopt_solver *s) { return (s && s->message) ? s->message : ""; }

int lopt_solver_set_monitor(lopt_solver *s, lopt_monitor_fn fn, void *ctx)
{
  if (!s) return LOPT_EINVAL;
  s->monitor = fn;
  s->monitor_ctx = ctx;
  return LOPT_OK;
}

int lopt_solver_set_log(lopt_solver *s, lopt_log_fn fn, void *ctx, int level)
{
  if (!s) return LOPT_EINVAL;
  if (level < LOPT_LOG_ERROR || level > LOPT_LOG_DEBUG)
    return lopt_fail(s, LOPT_EINVAL, "%s: log level %d is not one of LOPT_LOG_ERROR (0) .. LOPT_LOG_DEBUG (3)",
                     s->vt->name, level);
  s->log = fn;
  s->log_ctx = ctx;
  s->log_level = level;
  return LOPT_OK;
}

void lopt_solver_request_stop(lopt_solver *s)
{
  if (s) atomic_store(&s->stop_requested, 1);
}

/* ---- setup --------------------------------------------------------------------------------- */

int lopt_require_problem(const lopt_solver *s, const lopt_problem *p, lopt_problem_type t)
{
  static const char *const ctor[] = {"?", "linear", "smooth", "stochastic", "ot", "composite", "bilevel"};
  if (p->type == t) return LOPT_OK;
  int k = (t >= 1 && t <= 6) ? (int)t : 0;
  return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: needs a %s problem (lopt_problem_create_%s); got a %s problem",
                   s->vt->name, ctor[k], ctor[k], ctor[(p->type >= 1 && p->type <= 6) ? (int)p->type : 0]);
}

int lopt_solver_setup(lopt_solver *s, const lopt_problem *p, const double *x0)
{
  if (!s) return LOPT_EINVAL;
  s->message[0] = '\0';
  if (!p) return lopt_fail(s, LOPT_EINVAL, "%s: setup needs a problem; got NULL", s->vt->name);
  lopt_release_run(s);
  lopt_groups_free(s); /* pull mode: the kind registers its own groups */
  int64_t n = p->dim;
  if (x0) {
    for (int64_t i = 0; i < n; i++)
      if (!isfinite(x0[i]))
        return lopt_fail(s, LOPT_EINVAL, "%s: x0[%lld] is %g; the start must be finite", s->vt->name, (long long)i,
                         x0[i]);
  }
  s->x = lopt_alloc_f64(s, n);
  if (!s->x) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for the iterate (%lld doubles)", s->vt->name, (long long)n);
  if (x0 && n) memcpy(s->x, x0, (size_t)n * sizeof *x0);
  s->problem = p;
  s->n = n;
  s->stop = LOPT_STOP_RUNNING;
  s->iter = s->nfev = s->ngev = 0;
  s->t_elapsed = 0;
  s->monitor_by_epoch = s->epoch_ended = 0;
  s->epoch = 0;
  s->objective = s->residual = s->gradient_norm = NAN;
  s->max_iter_default = INT64_MAX;
  s->rng.seed = s->ix_seed >= 0 ? (uint64_t)s->opt[s->ix_seed].i : 0;
  s->rng.counter = 0;
  atomic_store(&s->stop_requested, 0);
  double t0 = lopt_now();
  int rc = s->vt->setup(s, p, x0);
  s->t_elapsed = lopt_now() - t0;
  if (rc) {
    lopt_release_run(s);
    return rc;
  }
  s->is_setup = 1;
  if (s->stop != LOPT_STOP_RUNNING && s->vt->finish) s->vt->finish(s);
  return LOPT_OK;
}

/* ---- step / solve -------------------------------------------------------------------------- */

static int64_t max_iter_now(const lopt_solver *s)
{
  int64_t m = s->ix_max_iter >= 0 ? s->opt[s->ix_max_iter].i : 0;
  return m > 0 ? m : s->max_iter_default;
}

static int check_runnable(lopt_solver *s)
{
  if (!s) return LOPT_EINVAL;
  if (!s->is_setup)
    return lopt_fail(s, LOPT_ESTATE, "%s: %s", s->vt->name,
                     s->x ? "an option that is fixed at setup changed; call lopt_solver_setup again"
                          : "call lopt_solver_setup before step or solve");
  if (s->stop != LOPT_STOP_RUNNING)
    return lopt_fail(s, LOPT_ESTATE, "%s: the run already ended (%s); call lopt_solver_setup to start again",
                     s->vt->name, lopt_stop_name(s->stop));
  return LOPT_OK;
}

/* Budgets and the monitor, after a completed iteration. Budgets are applied first, so the monitor
 * also sees the last iteration of a run that a budget ends. */
static void after_step(lopt_solver *s, int completed)
{
  if (s->stop == LOPT_STOP_RUNNING) {
    if (atomic_load(&s->stop_requested)) s->stop = LOPT_STOP_INTERRUPTED;
    else if (s->iter >= max_iter_now(s)) s->stop = LOPT_STOP_MAX_ITER;
    else if (s->ix_max_time >= 0 && s->t_elapsed >= s->opt[s->ix_max_time].d) s->stop = LOPT_STOP_MAX_TIME;
  }
  if (!s->monitor || s->ix_monitor_every < 0) return;
  int64_t every = s->opt[s->ix_monitor_every].i;
  if (every <= 0) return;
  /* Stochastic pull mode counts the monitor in epochs: the kind flags each epoch's end. */
  int64_t count = s->monitor_by_epoch ? s->epoch : s->iter;
  int due = s->monitor_by_epoch ? s->epoch_ended && count % every == 0 : count % every == 0;
  if (!due && s->stop == LOPT_STOP_RUNNING) return;
  if (!completed && due) return; /* a step that did not count: this iteration was already reported */
  lopt_monitor_info info = {s->iter, s->objective, s->residual, s->gradient_norm, s->t_elapsed, s->x, s->n};
  int answer = s->monitor(&info, s->monitor_ctx);
  if (s->stop == LOPT_STOP_RUNNING && answer == LOPT_MONITOR_STOP) s->stop = LOPT_STOP_USER_SUCCESS;
  if (s->stop == LOPT_STOP_RUNNING && answer == LOPT_MONITOR_ABORT) s->stop = LOPT_STOP_USER_ABORT;
  if (s->stop == LOPT_STOP_RUNNING && atomic_load(&s->stop_requested)) s->stop = LOPT_STOP_INTERRUPTED;
}

/* A step that ends the run with one of these reasons stopped before its iterate was formed, so it
 * is not counted: `iterations` counts completed iterations. */
static int step_completed(lopt_stop stop)
{
  return !(stop == LOPT_STOP_NONFINITE || stop == LOPT_STOP_NOT_SPD || stop == LOPT_STOP_CALLBACK ||
           stop == LOPT_STOP_BREAKDOWN || stop == LOPT_STOP_LINESEARCH);
}

static int step_once(lopt_solver *s)
{
  double t0 = lopt_now();
  int rc = s->vt->step(s);
  int completed = rc == LOPT_OK && step_completed(s->stop);
  if (completed) s->iter++;
  s->t_elapsed += lopt_now() - t0;
  if (rc) return rc;
  after_step(s, completed);
  if (s->stop != LOPT_STOP_RUNNING) {
    if (s->vt->finish) s->vt->finish(s);
    lopt_log(s, LOPT_LOG_INFO, "%s: stopped after %lld iterations (%s), residual %.3e, %.3f s", s->vt->name,
             (long long)s->iter, lopt_stop_name(s->stop), s->residual, s->t_elapsed);
  }
  return LOPT_OK;
}

int lopt_solver_step(lopt_solver *s)
{
  int rc = check_runnable(s);
  return rc ? rc : step_once(s);
}

int lopt_solver_solve(lopt_solver *s, lopt_result *r)
{
  if (!s) return LOPT_EINVAL;
  if (r && r->size < sizeof(lopt_result))
    return lopt_fail(s, LOPT_EINVAL, "%s: result size %zu is smaller than lopt_result (%zu); set r.size = sizeof r",
                     s->vt->name, r->size, sizeof(lopt_result));
  if (!s->is_setup || s->stop == LOPT_STOP_RUNNING) {
    int rc = check_runnable(s);
    if (rc) return rc;
    /* A budget may already be spent (max_iter lowered, or request_stop before solve). */
    if (atomic_load(&s->stop_requested) || s->iter >= max_iter_now(s)) {
      after_step(s, 1);
      if (s->stop != LOPT_STOP_RUNNING && s->vt->finish) s->vt->finish(s);
    }
    while (s->stop == LOPT_STOP_RUNNING) {
      rc = step_once(s);
      if (rc) return rc;
    }
  }
  return r ? lopt_solver_result(s, r) : LOPT_OK;
}

lopt_stop lopt_solver_stop_reason(const lopt_solver *s) { return s ? s->stop : LOPT_STOP_RUNNING; }

int lopt_solver_get_x(const lopt_solver *s, double *x, int64_t n)
{
  if (!s) return LOPT_EINVAL;
  if (!s->x) return lopt_fail(s, LOPT_ESTATE, "%s: no iterate before lopt_solver_setup", s->vt->name);
  if (!x) return lopt_fail(s, LOPT_EINVAL, "%s: get_x output array is NULL", s->vt->name);
  if (n != s->n)
    return lopt_fail(s, LOPT_EINVAL, "%s: get_x was given room for %lld entries; the iterate has %lld", s->vt->name,
                     (long long)n, (long long)s->n);
  if (n) memcpy(x, s->x, (size_t)n * sizeof *x);
  return LOPT_OK;
}

const double *lopt_solver_x(const lopt_solver *s) { return s ? s->x : NULL; }

/* ---- result and figures -------------------------------------------------------------------- */

static int is_usable(lopt_stop stop)
{
  switch (stop) {
  case LOPT_STOP_MAX_ITER:
  case LOPT_STOP_MAX_TIME:
  case LOPT_STOP_MAX_EVAL:
  case LOPT_STOP_INTERRUPTED:
  case LOPT_STOP_USER_ABORT:
  case LOPT_STOP_STAGNATION:
  case LOPT_STOP_LINESEARCH:
    return 1;
  default:
    return stop > 0;
  }
}

int lopt_solver_result(const lopt_solver *s, lopt_result *r)
{
  if (!s) return LOPT_EINVAL;
  if (!r) return lopt_fail(s, LOPT_EINVAL, "%s: result pointer is NULL", s->vt->name);
  if (r->size < sizeof(lopt_result))
    return lopt_fail(s, LOPT_EINVAL, "%s: result size %zu is smaller than lopt_result (%zu); set r.size = sizeof r",
                     s->vt->name, r->size, sizeof(lopt_result));
  if (!s->x && !s->push_mode) return lopt_fail(s, LOPT_ESTATE, "%s: no result before lopt_solver_setup", s->vt->name);
  size_t size = r->size;
  memset(r, 0, sizeof *r);
  r->size = size;
  r->stop = s->stop;
  r->usable = is_usable(s->stop);
  r->iterations = s->iter;
  r->evaluations = s->nfev;
  r->gradient_evaluations = s->ngev;
  r->objective = s->objective;
  r->residual = s->residual;
  r->gradient_norm = s->gradient_norm;
  r->seconds = s->t_elapsed;
  return LOPT_OK;
}

int lopt_solver_figure(const lopt_solver *s, const char *name, double *value)
{
  if (!s) return LOPT_EINVAL;
  if (!name || !value) return lopt_fail(s, LOPT_EINVAL, "%s: figure name and output must not be NULL", s->vt->name);
  if (!s->x && !s->push_mode) return lopt_fail(s, LOPT_ESTATE, "%s: no figures before lopt_solver_setup", s->vt->name);
  const char *const *names = s->vt->figure_names;
  for (size_t i = 0; names && names[i]; i++)
    if (strcmp(names[i], name) == 0) return s->vt->figure(s, name, value);
  char list[LOPT_MSG_LEN / 2] = "";
  size_t used = 0;
  for (size_t i = 0; names && names[i] && used + 2 < sizeof list; i++) {
    int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
  return lopt_fail(s, LOPT_EINVAL, "%s: no figure named '%s' (figures: %s)", s->vt->name, name,
                   used ? list : "none");
}
