/* src/stochastic/adam.c: Adam and AdamW.
 * Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1; decoupled weight
 * decay: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019, Algorithm 2;
 * AMSGrad: Reddi, Kale & Kumar, ICLR 2018. Semantics follow torch.optim.Adam/AdamW 2.11:
 *   g <- g + wd x (adam)  or  x <- x (1 - lr wd) (adamw, lr-scaled as torch)
 *   m <- lerp(m, g, 1 - b1);  v <- b2 v + (1 - b2) g^2;  u = amsgrad ? max(u, v) : v  (max of raw v)
 *   x <- x - (lr / (1 - b1^t)) m / (sqrt(u) / sqrt(1 - b2^t) + eps)
 * Algorithm 1 adds eps to sqrt(v_hat), not to sqrt(v); we keep that (as torch and optax do) and fold
 * only the bias corrections into scalars. State: m, v (+ vmax with amsgrad), in the parameters' dtype. */
#include "sto.h"

enum { O_BETA1 = STO_N_COMMON, O_BETA2, O_EPS, O_AMSGRAD, O_DECOUPLED };

typedef struct adam_coef {
  double gscale, one_minus_b1, b2, one_minus_b2, l2, keep, step, inv_sqrt_bc2, eps;
} adam_coef;

#define STO_KERNEL "adam.inc"
#include "instantiate.h"

static int adam_n_state(const lopt_solver *s) { return lopt_opt_b(s, O_AMSGRAD) ? 3 : 2; }

static void adam_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g, void *const *state)
{
  const lopt_solver *s = st->s;
  const double b1 = lopt_group_opt_d(s, st->group, O_BETA1), b2 = lopt_group_opt_d(s, st->group, O_BETA2);
  const int decoupled = lopt_opt_b(s, O_DECOUPLED);
  adam_coef c = {
    .gscale = st->gscale,
    .one_minus_b1 = 1.0 - b1,
    .b2 = b2,
    .one_minus_b2 = 1.0 - b2,
    .l2 = decoupled ? 0.0 : st->wd,
    .keep = decoupled ? 1.0 - st->lr * st->wd : 1.0,
    .step = st->lr / (1.0 - pow(b1, (double)st->t)),
    .inv_sqrt_bc2 = 1.0 / sqrt(1.0 - pow(b2, (double)st->t)),
    .eps = lopt_group_opt_d(s, st->group, O_EPS),
  };
  void *vmax = lopt_opt_b(s, O_AMSGRAD) ? state[2] : NULL;
  if (dtype == LOPT_F32) adam_update_f32(n, x, g, state[0], state[1], vmax, &c);
  else adam_update_f64(n, x, g, state[0], state[1], vmax, &c);
}

static const sto_rule adam_rule = {.n_state = adam_n_state, .update = adam_update};

#define ADAM_OPTIONS(DECOUPLED)                                                                                   \
  [O_BETA1] = {"beta1", LOPT_OPT_DOUBLE, "decay of the first-moment average", 0.9, 0, 1, 0, 1, NULL, 1},          \
  [O_BETA2] = {"beta2", LOPT_OPT_DOUBLE, "decay of the second-moment average", 0.999, 0, 1, 0, 1, NULL, 1},       \
  [O_EPS] = {"eps", LOPT_OPT_DOUBLE, "added to sqrt(v_hat) in the denominator", 1e-8, 0, INFINITY, 0, 1, NULL, 1}, \
  [O_AMSGRAD] = {"amsgrad", LOPT_OPT_BOOL, "use the running maximum of v (torch convention: max of raw v)", 0, 0,  \
                 1, 0, 0, NULL, 0},                                                                               \
  [O_DECOUPLED] = {"decoupled_weight_decay", LOPT_OPT_BOOL,                                                       \
                   "decay x by lr*wd before the step (AdamW) instead of adding wd*x to g", DECOUPLED, 0, 1, 0, 0,  \
                   NULL, 0}

static const lopt_option_info adam_options[] = {
  STO_COMMON_OPTIONS(1e-3, 0.0, "L2 penalty: g += wd x (decoupled_weight_decay switches to AdamW's rule)"),
  ADAM_OPTIONS(0),
};

static const lopt_option_info adamw_options[] = {
  STO_COMMON_OPTIONS(1e-3, 1e-2, "decoupled decay: x *= 1 - lr wd before the step (torch AdamW default 1e-2)"),
  ADAM_OPTIONS(1),
};

const lopt_kind_vtable lopt_adam_vtable = {
  .kind = LOPT_ADAM,
  .name = "adam",
  .summary = "Adam (Kingma & Ba 2015), torch.optim semantics, optional AMSGrad",
  .options = adam_options,
  .n_options = sizeof adam_options / sizeof adam_options[0],
  .family = &adam_rule,
  STO_VTABLE_COMMON,
};

const lopt_kind_vtable lopt_adamw_vtable = {
  .kind = LOPT_ADAMW,
  .name = "adamw",
  .summary = "AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019)",
  .options = adamw_options,
  .n_options = sizeof adamw_options / sizeof adamw_options[0],
  .family = &adam_rule,
  STO_VTABLE_COMMON,
};
