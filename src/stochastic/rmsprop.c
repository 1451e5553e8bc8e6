/* src/stochastic/rmsprop.c: RMSprop, plain or centered, with optional momentum.
 * Tieleman & Hinton, "Lecture 6.5 - rmsprop: Divide the gradient by a running average of its recent
 * magnitude", COURSERA: Neural Networks for Machine Learning, 2012; centered form and momentum:
 * Graves, "Generating Sequences With Recurrent Neural Networks", arXiv 1308.0850, 2013, p. 23.
 * Semantics follow torch.optim.RMSprop 2.11 (reference §5):
 *   g <- g + wd x                                        (L2, coupled)
 *   s <- s alpha + (1 - alpha) g^2                       (no bias correction, s0 = 0)
 *   centered: a <- lerp(a, g, 1 - alpha); den = sqrt(s - a^2) + eps;  else den = sqrt(s) + eps
 *   momentum > 0: b <- b mu + g / den; x <- x + (-lr) b;  else x <- x + (-lr) g / den
 * Differs from Graves: eps is added outside the root (Graves: sqrt(n - g^2 + eps)) and lr sits outside
 * the momentum buffer (Graves: D <- mu D - lr g / ..., so a changed lr rescales nothing here).
 * State, in this order: s; a when centered; b when any group's momentum is > 0 (1 to 3 arrays). */
#include "sto.h"

enum { O_ALPHA = STO_N_COMMON, O_EPS, O_MOMENTUM, O_CENTERED };

typedef struct rmsprop_coef {
  double gscale, l2, alpha, one_minus_alpha, eps, mu, neg_lr;
} rmsprop_coef;

#define STO_KERNEL "rmsprop.inc"
#include "instantiate.h"

static int any_momentum(const lopt_solver *s)
{
  for (int k = 0; k < s->n_groups; k++)
    if (lopt_group_opt_d(s, k, O_MOMENTUM) > 0) return 1;
  return 0;
}

static int rmsprop_n_state(const lopt_solver *s) { return 1 + lopt_opt_b(s, O_CENTERED) + any_momentum(s); }

static void rmsprop_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g,
                           void *const *state)
{
  const lopt_solver *s = st->s;
  const double alpha = lopt_group_opt_d(s, st->group, O_ALPHA), mu = lopt_group_opt_d(s, st->group, O_MOMENTUM);
  const int centered = lopt_opt_b(s, O_CENTERED);
  rmsprop_coef c = {
    .gscale = st->gscale,
    .l2 = st->wd,
    .alpha = alpha,
    .one_minus_alpha = 1.0 - alpha,
    .eps = lopt_group_opt_d(s, st->group, O_EPS),
    .mu = mu,
    .neg_lr = -st->lr,
  };
  void *avg = centered ? state[1] : NULL;
  /* The buffer slot is NULL when no group had momentum at setup (an override set later is ignored). */
  void *buf = mu > 0 ? state[1 + centered] : NULL;
  if (dtype == LOPT_F32) rmsprop_update_f32(n, x, g, state[0], avg, buf, &c);
  else rmsprop_update_f64(n, x, g, state[0], avg, buf, &c);
}

static const sto_rule rmsprop_rule = {.n_state = rmsprop_n_state, .update = rmsprop_update};

static const lopt_option_info rmsprop_options[] = {
  STO_COMMON_OPTIONS(1e-2, 0.0, "L2 penalty: g += wd x before the averages (torch.optim.RMSprop)"),
  [O_ALPHA] = {"alpha", LOPT_OPT_DOUBLE, "decay of the squared-gradient average (torch 0.99; optax 0.9)", 0.99, 0, 1,
               0, 0, NULL, 1},
  [O_EPS] = {"eps", LOPT_OPT_DOUBLE, "added to the root of the average (outside the sqrt)", 1e-8, 0, INFINITY, 0, 1,
             NULL, 1},
  [O_MOMENTUM] = {"momentum", LOPT_OPT_DOUBLE, "mu: b <- mu b + g / den, x -= lr b (0: none, no buffer)", 0, 0,
                  INFINITY, 0, 1, NULL, 0},
  [O_CENTERED] = {"centered", LOPT_OPT_BOOL, "divide by sqrt(E[g^2] - E[g]^2) + eps (Graves 2013) instead of the "
                  "uncentered root", 0, 0, 1, 0, 0, NULL, 0},
};

const lopt_kind_vtable lopt_rmsprop_vtable = {
  .kind = LOPT_RMSPROP,
  .name = "rmsprop",
  .summary = "RMSprop (Tieleman & Hinton 2012), centered and momentum variants, torch.optim semantics",
  .options = rmsprop_options,
  .n_options = sizeof rmsprop_options / sizeof rmsprop_options[0],
  .family = &rmsprop_rule,
  STO_VTABLE_COMMON,
};
