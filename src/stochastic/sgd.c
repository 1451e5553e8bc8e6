/* src/stochastic/sgd.c: stochastic gradient descent with momentum, dampening and Nesterov momentum.
 * Robbins & Monro, "A Stochastic Approximation Method", Ann. Math. Statist. 22(3), 1951 (the
 * iteration); heavy-ball momentum: Polyak, "Some methods of speeding up the convergence of iteration
 * methods", USSR Comput. Math. Math. Phys. 4(5), 1964; Nesterov momentum as Sutskever, Martens, Dahl &
 * Hinton, "On the importance of initialization and momentum in deep learning", ICML 2013, eqs. (3)-(4).
 * Semantics follow torch.optim.SGD 2.11 (reference §3):
 *   d <- g + wd x                                            (L2, coupled)
 *   b <- d at t = 1, else mu b + (1 - dampening) d           (no dampening on the first step)
 *   d <- nesterov ? d + mu b : b
 *   x <- x + (-lr) d
 * Differs from the papers: lr sits outside the buffer (Sutskever: v <- mu v - lr g), so changing lr
 * does not rescale stored momentum; Nesterov is torch's form (the look-ahead folded into d + mu b);
 * dampening is torch's addition. torch creates the buffer lazily (b = d when none exists yet); the
 * state here starts at zero, so "first step" is t == 1. That equals torch for every group registered
 * before lopt_solver_setup_push; a group registered later would (in torch) start its buffer at its own
 * first step, but add_params ends the run and setup_push restarts t, so libopt has no such case; a
 * loaded checkpoint carries the buffer and t. State: the momentum buffer b (1 array) when any group's
 * momentum is nonzero, else none. */
#include "sto.h"

enum { O_MOMENTUM = STO_N_COMMON, O_DAMPENING, O_NESTEROV };

typedef struct sgd_coef {
  double gscale, l2, neg_lr, mu, one_minus_damp;
  int first, nesterov;
} sgd_coef;

#define STO_KERNEL "sgd.inc"
#include "instantiate.h"

/* One buffer when any group uses momentum (momentum is a per-group option). */
static int sgd_n_state(const lopt_solver *s)
{
  for (int k = 0; k < s->n_groups; k++)
    if (lopt_group_opt_d(s, k, O_MOMENTUM) != 0) return 1;
  return 0;
}

static int sgd_validate(lopt_solver *s)
{
  if (!lopt_opt_b(s, O_NESTEROV)) return LOPT_OK;
  for (int k = 0; k < s->n_groups; k++) {
    double mu = lopt_group_opt_d(s, k, O_MOMENTUM), damp = lopt_group_opt_d(s, k, O_DAMPENING);
    if (mu <= 0 || damp != 0)
      return lopt_fail(s, LOPT_EINVAL, "%s: option 'nesterov' needs 'momentum' > 0 and 'dampening' = 0; group %d has "
                       "momentum %g and dampening %g", s->vt->name, k, mu, damp);
  }
  return LOPT_OK;
}

static void sgd_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g, void *const *state)
{
  const lopt_solver *s = st->s;
  const double mu = lopt_group_opt_d(s, st->group, O_MOMENTUM);
  sgd_coef c = {
    .gscale = st->gscale,
    .l2 = st->wd,
    .neg_lr = -st->lr,
    .mu = mu,
    .one_minus_damp = 1.0 - lopt_group_opt_d(s, st->group, O_DAMPENING),
    .first = st->t == 1,
    .nesterov = lopt_opt_b(s, O_NESTEROV),
  };
  /* No buffer when momentum is 0 (or was overridden to nonzero after setup: plain SGD until the next
   * setup, since state cannot be allocated here). */
  void *buf = mu != 0 ? state[0] : NULL;
  if (dtype == LOPT_F32) sgd_update_f32(n, x, g, buf, &c);
  else sgd_update_f64(n, x, g, buf, &c);
}

static const sto_rule sgd_rule = {.n_state = sgd_n_state, .validate = sgd_validate, .update = sgd_update};

static const lopt_option_info sgd_options[] = {
  STO_COMMON_OPTIONS(1e-3, 0.0, "L2 penalty: g += wd x before the momentum buffer (torch.optim.SGD)"),
  [O_MOMENTUM] = {"momentum", LOPT_OPT_DOUBLE, "heavy-ball factor mu: b <- mu b + (1 - dampening) d (0: plain SGD, "
                  "no state)", 0, 0, INFINITY, 0, 1, NULL, 0},
  [O_DAMPENING] = {"dampening", LOPT_OPT_DOUBLE, "the new gradient enters the buffer times 1 - dampening (not on "
                   "the first step, as torch)", 0, 0, 1, 0, 0, NULL, 0},
  [O_NESTEROV] = {"nesterov", LOPT_OPT_BOOL, "Nesterov momentum: step along d + mu b (needs momentum > 0 and "
                  "dampening 0)", 0, 0, 1, 0, 0, NULL, 0},
};

const lopt_kind_vtable lopt_sgd_vtable = {
  .kind = LOPT_SGD,
  .name = "sgd",
  .summary = "SGD with momentum, dampening and Nesterov momentum, torch.optim semantics",
  .options = sgd_options,
  .n_options = sizeof sgd_options / sizeof sgd_options[0],
  .family = &sgd_rule,
  STO_VTABLE_COMMON,
};
