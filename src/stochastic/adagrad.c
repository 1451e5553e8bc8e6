/* src/stochastic/adagrad.c: AdaGrad (diagonal).
 * Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 12:2121-2159, 2011, Figure 1 (ADAGRAD with diagonal matrices). Semantics follow
 * torch.optim.Adagrad 2.11 (reference §5):
 *   g <- g + wd x                               (L2, coupled)
 *   clr = lr / (1 + (t - 1) lr_decay)
 *   s <- s + g^2                                (s starts at initial_accumulator_value)
 *   x <- x + (-clr) g / (sqrt(s) + eps)
 * Differs from the paper: lr_decay, initial_accumulator_value and L2 decay are torch's additions (the
 * paper handles regularisers by composite mirror descent); eps plays the paper's delta, outside the
 * root as there. torch creates the accumulator eagerly at construction; here it is filled at setup
 * (init_state hook). State: s (1 array). */
#include "sto.h"

enum { O_LR_DECAY = STO_N_COMMON, O_INIT_ACC, O_EPS };

typedef struct adagrad_coef {
  double gscale, l2, neg_clr, eps;
} adagrad_coef;

#define STO_KERNEL "adagrad.inc"
#include "instantiate.h"

static int adagrad_n_state(const lopt_solver *s)
{
  (void)s;
  return 1;
}

static void adagrad_init_state(const lopt_solver *s, int group, lopt_dtype dtype, int64_t n, void *const *state)
{
  const double v = lopt_group_opt_d(s, group, O_INIT_ACC);
  if (v == 0) return; /* already zero */
  if (dtype == LOPT_F32) adagrad_fill_f32(n, state[0], v);
  else adagrad_fill_f64(n, state[0], v);
}

static void adagrad_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g,
                           void *const *state)
{
  const lopt_solver *s = st->s;
  const double lr_decay = lopt_group_opt_d(s, st->group, O_LR_DECAY);
  adagrad_coef c = {
    .gscale = st->gscale,
    .l2 = st->wd,
    .neg_clr = -(st->lr / (1.0 + (double)(st->t - 1) * lr_decay)),
    .eps = lopt_group_opt_d(s, st->group, O_EPS),
  };
  if (dtype == LOPT_F32) adagrad_update_f32(n, x, g, state[0], &c);
  else adagrad_update_f64(n, x, g, state[0], &c);
}

static const sto_rule adagrad_rule = {
  .n_state = adagrad_n_state, .init_state = adagrad_init_state, .update = adagrad_update};

static const lopt_option_info adagrad_options[] = {
  STO_COMMON_OPTIONS(1e-2, 0.0, "L2 penalty: g += wd x before accumulating (torch.optim.Adagrad)"),
  [O_LR_DECAY] = {"lr_decay", LOPT_OPT_DOUBLE, "step t uses lr / (1 + (t - 1) lr_decay)", 0, 0, INFINITY, 0, 1, NULL,
                  1},
  [O_INIT_ACC] = {"initial_accumulator_value", LOPT_OPT_DOUBLE,
                  "starting value of the sum of squared gradients (set at setup)", 0, 0, INFINITY, 0, 1, NULL, 0},
  [O_EPS] = {"eps", LOPT_OPT_DOUBLE, "added to sqrt(sum) in the denominator", 1e-10, 0, INFINITY, 0, 1, NULL, 1},
};

const lopt_kind_vtable lopt_adagrad_vtable = {
  .kind = LOPT_ADAGRAD,
  .name = "adagrad",
  .summary = "AdaGrad, diagonal (Duchi, Hazan & Singer 2011), torch.optim semantics",
  .options = adagrad_options,
  .n_options = sizeof adagrad_options / sizeof adagrad_options[0],
  .family = &adagrad_rule,
  STO_VTABLE_COMMON,
};
