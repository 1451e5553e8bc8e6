/* src/stochastic/lion.c: Lion (EvoLved Sign Momentum).
 * Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu & Le, "Symbolic Discovery of
 * Optimization Algorithms", NeurIPS 2023 (arXiv 2302.06675), Algorithm 2. Semantics follow the
 * authors' google/automl lion_pytorch.py (reference §6):
 *   x <- x (1 - lr wd)                      (decoupled, lr-scaled)
 *   c  = m b1 + g (1 - b1)                  (interpolation used for the update ...)
 *   x <- x + (-lr) sign(c)                  (sign(0) = 0, as torch.sign)
 *   m <- m b2 + (1 - b2) g                  (... a different beta for the stored momentum)
 * Same math as Algorithm 2 (x - lr (sign(c) + wd x)), with the decay applied first as the code does.
 * Option decoupled_weight_decay_full is lucidrains/lion-pytorch's decoupled_weight_decay=True:
 * wd is divided by lr0, so x *= 1 - (lr/lr0) wd follows the schedule multiplier only. lucidrains'
 * lr0 is the lr at construction; here it is the group's base lr (the lr option, before the schedule),
 * which is the same unless the lr option is changed mid-run. No eps, no bias correction, no step
 * counter; maximize (not in the reference) negates g. State: m (1 array). */
#include "sto.h"

enum { O_BETA1 = STO_N_COMMON, O_BETA2, O_DECOUPLED_FULL };

typedef struct lion_coef {
  double gscale, b1, one_minus_b1, b2, one_minus_b2, keep, neg_lr;
} lion_coef;

#define STO_KERNEL "lion.inc"
#include "instantiate.h"

static int lion_n_state(const lopt_solver *s)
{
  (void)s;
  return 1;
}

static void lion_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g, void *const *state)
{
  const lopt_solver *s = st->s;
  const double b1 = lopt_group_opt_d(s, st->group, O_BETA1), b2 = lopt_group_opt_d(s, st->group, O_BETA2);
  double wd = st->wd;
  if (lopt_opt_b(s, O_DECOUPLED_FULL)) { /* lucidrains: wd / lr0; a zero base lr means lr = 0: no decay */
    const double lr0 = lopt_group_opt_d(s, st->group, STO_LR);
    wd = lr0 > 0 ? wd / lr0 : 0.0;
  }
  lion_coef c = {
    .gscale = st->gscale,
    .b1 = b1,
    .one_minus_b1 = 1.0 - b1,
    .b2 = b2,
    .one_minus_b2 = 1.0 - b2,
    .keep = 1.0 - st->lr * wd,
    .neg_lr = -st->lr,
  };
  if (dtype == LOPT_F32) lion_update_f32(n, x, g, state[0], &c);
  else lion_update_f64(n, x, g, state[0], &c);
}

static const sto_rule lion_rule = {.n_state = lion_n_state, .update = lion_update};

static const lopt_option_info lion_options[] = {
  STO_COMMON_OPTIONS(1e-4, 0.0, "decoupled, lr-scaled decay: x *= 1 - lr wd before the step (automl; lr 3-10x "
                     "smaller than AdamW's wants wd 3-10x larger)"),
  [O_BETA1] = {"beta1", LOPT_OPT_DOUBLE, "update direction: sign(m b1 + g (1 - b1))", 0.9, 0, 1, 0, 1, NULL, 1},
  [O_BETA2] = {"beta2", LOPT_OPT_DOUBLE, "decay of the stored momentum m", 0.99, 0, 1, 0, 1, NULL, 1},
  [O_DECOUPLED_FULL] = {"decoupled_weight_decay_full", LOPT_OPT_BOOL,
                        "lucidrains' fully decoupled decay: x *= 1 - lr wd / lr0, lr0 = the group's base lr", 0, 0,
                        1, 0, 0, NULL, 1},
};

const lopt_kind_vtable lopt_lion_vtable = {
  .kind = LOPT_LION,
  .name = "lion",
  .summary = "Lion sign momentum (Chen et al. 2023), the authors' code semantics",
  .options = lion_options,
  .n_options = sizeof lion_options / sizeof lion_options[0],
  .family = &lion_rule,
  STO_VTABLE_COMMON,
};
