/* src/stochastic/adan.c: Adan (adaptive Nesterov momentum).
 * Xie, Zhou, Li, Lin & Yan, "Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing Deep
 * Models", IEEE TPAMI 2024 (arXiv 2208.06677), Algorithm 1. Semantics follow the authors' sail-sg/Adan
 * adan.py (reference §9), with c the max_grad_norm factor and p = -g_{t-1} ("neg_pre_grad"):
 *   g <- c g;  w = p + g  (= g_t - g_{t-1}; p = -g at t = 1, so w = 0)
 *   m <- m b1 + (1 - b1) g;  d <- d b2 + (1 - b2) w;  u = w b2 + g;  n <- n b3 + (1 - b3) u^2
 *   den = sqrt(n) / sqrt(1 - b3^t) + eps
 *   no_prox: x <- x (1 - lr wd)
 *   x <- x + (-lr / (1 - b1^t)) m / den;  x <- x + (-lr b2 / (1 - b2^t)) d / den
 *   prox (default): x <- x / (1 + lr wd);  p <- -g
 * Differs from the paper (reference §14.3): the betas are the code's, 1 - the paper's (paper 0.02, 0.08,
 * 0.01); the decay is proximal by default (Algorithm 1) with no_prox for the lr-scaled decoupled form;
 * the code bias-corrects m, d and n separately and adds eps outside the root (paper: lr / sqrt(n + eps),
 * no bias correction); the paper's restart condition is not in the code (restart = set up again).
 * max_grad_norm is the code's own clipping: c = min(max_grad_norm / (||g|| + eps), 1) over all groups,
 * with eps the last group's; the reference forms c in a float32 tensor even for float64 parameters, and
 * so does libopt (sum of squares rounded to float32, then float32 sqrt, add and divide) so that test
 * Adan-4 matches; libopt sums the squares in double first (the reference sums float32 gradients in
 * float32). With clip_norm also set, ||g|| is the norm after the driver's clipping. State: m, d, n, p. */
#include "sto.h"

enum { O_BETA1 = STO_N_COMMON, O_BETA2, O_BETA3, O_EPS, O_NO_PROX, O_MAX_GRAD_NORM };

typedef struct adan_coef {
  double gscale, b1, one_minus_b1, b2, one_minus_b2, b3, one_minus_b3, sqrt_bc3, eps, keep, prox, neg_step,
      neg_step_diff;
  int first;
} adan_coef;

#define STO_KERNEL "adan.inc"
#include "instantiate.h"

static int adan_n_state(const lopt_solver *s)
{
  (void)s;
  return 4;
}

static int adan_needs_gnorm(const lopt_solver *s) { return lopt_opt_d(s, O_MAX_GRAD_NORM) > 0; }

/* The reference's clip factor, in float32 as there (global_grad_norm is a default-dtype tensor). */
static double adan_clip(const sto_step *st)
{
  const lopt_solver *s = st->s;
  const double max_norm = lopt_opt_d(s, O_MAX_GRAD_NORM);
  if (!(max_norm > 0)) return 1.0;
  const double gn = fabs(st->gscale) * st->gnorm; /* norm of the gradient the rule sees */
  const float sumsq = (float)(gn * gn), norm = sqrtf(sumsq);
  const float eps = (float)lopt_group_opt_d(s, s->n_groups - 1, O_EPS);
  const float c = (float)max_norm / (norm + eps);
  return c > 1.0f ? 1.0 : (double)c; /* torch.clamp(max=1.0) keeps a NaN */
}

static void adan_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g, void *const *state)
{
  const lopt_solver *s = st->s;
  const int k = st->group, no_prox = lopt_opt_b(s, O_NO_PROX);
  const double b1 = lopt_group_opt_d(s, k, O_BETA1), b2 = lopt_group_opt_d(s, k, O_BETA2);
  const double b3 = lopt_group_opt_d(s, k, O_BETA3), lr = st->lr, t = (double)st->t;
  adan_coef c = {
    .gscale = st->gscale * adan_clip(st),
    .b1 = b1,
    .one_minus_b1 = 1.0 - b1,
    .b2 = b2,
    .one_minus_b2 = 1.0 - b2,
    .b3 = b3,
    .one_minus_b3 = 1.0 - b3,
    .sqrt_bc3 = sqrt(1.0 - pow(b3, t)),
    .eps = lopt_group_opt_d(s, k, O_EPS),
    .keep = no_prox ? 1.0 - lr * st->wd : 1.0,
    .prox = no_prox ? 1.0 : 1.0 + lr * st->wd,
    .neg_step = -(lr / (1.0 - pow(b1, t))),
    .neg_step_diff = -(lr * b2 / (1.0 - pow(b2, t))),
    .first = st->t == 1,
  };
  if (dtype == LOPT_F32) adan_update_f32(n, x, g, state[0], state[1], state[2], state[3], &c);
  else adan_update_f64(n, x, g, state[0], state[1], state[2], state[3], &c);
}

static const sto_rule adan_rule = {.n_state = adan_n_state, .update = adan_update, .needs_gnorm = adan_needs_gnorm};

static const lopt_option_info adan_options[] = {
  STO_COMMON_OPTIONS(1e-3, 0.0, "proximal decay x <- (x - lr u) / (1 + lr wd) (paper, default); with no_prox: "
                     "decoupled, lr-scaled x *= 1 - lr wd before the step (README suggests 0.02)"),
  [O_BETA1] = {"beta1", LOPT_OPT_DOUBLE, "decay of the gradient average m (code convention: the paper's beta1 is "
               "1 - this = 0.02)", 0.98, 0, 1, 0, 1, NULL, 1},
  [O_BETA2] = {"beta2", LOPT_OPT_DOUBLE, "decay of the gradient-difference average d (code convention: the "
               "paper's beta2 is 1 - this = 0.08)", 0.92, 0, 1, 0, 1, NULL, 1},
  [O_BETA3] = {"beta3", LOPT_OPT_DOUBLE, "decay of the squared extrapolated gradient n (code convention: the "
               "paper's beta3 is 1 - this = 0.01)", 0.99, 0, 1, 0, 1, NULL, 1},
  [O_EPS] = {"eps", LOPT_OPT_DOUBLE, "added to sqrt(n_hat); the last group's also enters the max_grad_norm factor",
             1e-8, 0, INFINITY, 0, 1, NULL, 1},
  [O_NO_PROX] = {"no_prox", LOPT_OPT_BOOL, "decay x *= 1 - lr wd before the step instead of the proximal "
                 "x / (1 + lr wd) after it", 0, 0, 1, 0, 0, NULL, 1},
  [O_MAX_GRAD_NORM] = {"max_grad_norm", LOPT_OPT_DOUBLE, "Adan's own clipping g *= min(1, M / (||g|| + eps)) over "
                       "all groups, factor in float32 as the reference (0: off; solver-wide)", 0, 0, INFINITY, 0,
                       1, NULL, 1},
};

const lopt_kind_vtable lopt_adan_vtable = {
  .kind = LOPT_ADAN,
  .name = "adan",
  .summary = "Adan adaptive Nesterov momentum (Xie et al. 2024), the authors' code semantics",
  .options = adan_options,
  .n_options = sizeof adan_options / sizeof adan_options[0],
  .family = &adan_rule,
  STO_VTABLE_COMMON,
};
