/* src/core/push.c: push mode. The user owns the training loop: parameter arrays are registered as
 * groups (float32 or float64, each with its own option overrides, like torch param groups), then
 * every push carries one gradient per group and the kind updates the parameters in place. The core
 * keeps the groups and the run bookkeeping; kinds that support push mode implement the vtable's
 * push_* entries. */
#include <math.h>
#include <string.h>

#include "internal.h"

void lopt_groups_free(lopt_solver *s)
{
  for (int k = 0; k < s->n_groups; k++) lopt_free(s, s->groups[k].override);
  lopt_free(s, s->groups);
  s->groups = NULL;
  s->n_groups = s->cap_groups = 0;
}

double lopt_group_opt_d(const lopt_solver *s, int group, int idx)
{
  double v = s->groups[group].override[idx];
  return isnan(v) ? s->opt[idx].d : v;
}

int lopt_group_add(lopt_solver *s, void *params, int64_t n, lopt_dtype dtype, int *group)
{
  const char *k = s->vt->name;
  if (s->n_groups == s->cap_groups) {
    int cap = s->cap_groups ? 2 * s->cap_groups : 4;
    lopt_group *g = lopt_calloc(s, (size_t)cap, sizeof *g);
    if (!g) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for %d parameter groups", k, cap);
    if (s->n_groups) memcpy(g, s->groups, (size_t)s->n_groups * sizeof *g);
    lopt_free(s, s->groups);
    s->groups = g;
    s->cap_groups = cap;
  }
  lopt_group *g = &s->groups[s->n_groups];
  g->override = lopt_alloc(s, (s->vt->n_options ? s->vt->n_options : 1) * sizeof(double));
  if (!g->override) return lopt_fail(s, LOPT_ENOMEM, "%s: no memory for the group's options", k);
  for (size_t i = 0; i < s->vt->n_options; i++) g->override[i] = NAN;
  g->x = params;
  g->n = n;
  g->dtype = dtype;
  if (group) *group = s->n_groups;
  s->n_groups++;
  return LOPT_OK;
}

int lopt_solver_add_params(lopt_solver *s, void *params, int64_t n, lopt_dtype dtype, int *group)
{
  if (!s) return LOPT_EINVAL;
  const char *k = s->vt->name;
  if (!s->vt->push_setup) return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: this kind has no push mode", k);
  if (!params) return lopt_fail(s, LOPT_EINVAL, "%s: add_params was given a NULL array", k);
  if (n < 1) return lopt_fail(s, LOPT_EINVAL, "%s: add_params length %lld must be at least 1", k, (long long)n);
  if (dtype != LOPT_F64 && dtype != LOPT_F32)
    return lopt_fail(s, LOPT_EINVAL, "%s: dtype %d is not LOPT_F64 or LOPT_F32", k, (int)dtype);
  /* A new group ends the current run: its state was sized for the old groups. A pull-mode run's
   * group 0 is the solver's own x, which goes with it. */
  if (s->impl || s->x) {
    int pull = !s->push_mode;
    lopt_release_run(s);
    if (pull) lopt_groups_free(s);
  }
  s->is_setup = 0; /* state must be (re)allocated for the new group */
  return lopt_group_add(s, params, n, dtype, group);
}

int lopt_solver_set_group_double(lopt_solver *s, int group, const char *name, double value)
{
  if (!s) return LOPT_EINVAL;
  const char *k = s->vt->name;
  if (group < 0 || group >= s->n_groups)
    return lopt_fail(s, LOPT_EINVAL, "%s: group %d does not exist (%d registered)", k, group, s->n_groups);
  int idx = name ? lopt_option_index(s, name) : -1;
  if (idx < 0) return lopt_solver_set_double(s, name, value); /* the options engine words the error */
  int rc = lopt_option_check_double(s, idx, value);
  if (rc) return rc;
  s->groups[group].override[idx] = value;
  if (s->is_setup && !s->vt->options[idx].mutable_after_setup) s->is_setup = 0; /* takes effect at setup */
  return LOPT_OK;
}

int lopt_solver_setup_push(lopt_solver *s)
{
  if (!s) return LOPT_EINVAL;
  const char *k = s->vt->name;
  s->message[0] = '\0';
  if (!s->vt->push_setup) return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: this kind has no push mode", k);
  if (s->n_groups == 0)
    return lopt_fail(s, LOPT_ESTATE, "%s: register parameters with lopt_solver_add_params before setup_push", k);
  /* Release the previous run but keep the groups. */
  if (s->vt->release) s->vt->release(s);
  s->impl = NULL;
  lopt_free(s, s->x);
  s->x = NULL;
  s->problem = NULL;
  s->n = 0;
  for (int g = 0; g < s->n_groups; g++) s->n += s->groups[g].n;
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
  int rc = s->vt->push_setup(s);
  if (rc) {
    if (s->vt->release) s->vt->release(s);
    s->impl = NULL;
    s->is_setup = 0;
    return rc;
  }
  s->is_setup = 1;
  s->push_mode = 1;
  return LOPT_OK;
}

static int check_push(lopt_solver *s, const void *const *arrays, const char *what)
{
  const char *k = s->vt->name;
  if (!s->is_setup || !s->push_mode)
    return lopt_fail(s, LOPT_ESTATE, "%s: call lopt_solver_setup_push (after add_params) before %s", k, what);
  if (s->stop != LOPT_STOP_RUNNING)
    return lopt_fail(s, LOPT_ESTATE, "%s: the run ended (%s); call lopt_solver_setup_push to start again", k,
                     lopt_stop_name(s->stop));
  if (!arrays) return lopt_fail(s, LOPT_EINVAL, "%s: %s was given a NULL array list", k, what);
  for (int g = 0; g < s->n_groups; g++)
    if (!arrays[g]) return lopt_fail(s, LOPT_EINVAL, "%s: %s array for group %d is NULL", k, what, g);
  return LOPT_OK;
}

int lopt_solver_push(lopt_solver *s, const void *const *grads, double loss)
{
  if (!s) return LOPT_EINVAL;
  int rc = check_push(s, grads, "push");
  if (rc) return rc;
  double t0 = lopt_now();
  rc = s->vt->push_step(s, grads, loss);
  s->t_elapsed += lopt_now() - t0;
  if (rc) return rc;
  if (s->stop != LOPT_STOP_RUNNING) return LOPT_OK; /* the step was refused (non-finite input) */
  s->iter++;
  s->ngev++;
  s->objective = loss;
  if (s->monitor && s->ix_monitor_every >= 0) {
    int64_t every = s->opt[s->ix_monitor_every].i;
    if (every > 0 && s->iter % every == 0) {
      lopt_monitor_info info = {s->iter, loss, NAN, s->gradient_norm, s->t_elapsed, NULL, 0};
      int answer = s->monitor(&info, s->monitor_ctx);
      if (answer == LOPT_MONITOR_STOP) s->stop = LOPT_STOP_USER_SUCCESS;
      if (answer == LOPT_MONITOR_ABORT) s->stop = LOPT_STOP_USER_ABORT;
    }
  }
  if (s->stop == LOPT_STOP_RUNNING && atomic_load(&s->stop_requested)) s->stop = LOPT_STOP_INTERRUPTED;
  return LOPT_OK;
}

int lopt_solver_push_curvature(lopt_solver *s, const void *const *curv)
{
  if (!s) return LOPT_EINVAL;
  if (!s->vt->push_curvature)
    return lopt_fail(s, LOPT_EUNSUPPORTED, "%s: this kind takes no curvature input", s->vt->name);
  int rc = check_push(s, curv, "push_curvature");
  return rc ? rc : s->vt->push_curvature(s, curv);
}

const void *lopt_solver_probe(const lopt_solver *s, int group)
{
  if (!s || !s->is_setup || !s->vt->probe || group < 0 || group >= s->n_groups) return NULL;
  return s->vt->probe(s, group);
}
