/* src/stochastic/diffgrad.c: diffGrad (Adam with a friction coefficient from the gradient change).
 * Dubey, Chakraborty, Roy, Mukherjee, Singh & Chaudhuri, "diffGrad: An Optimization Method for
 * Convolutional Neural Networks", IEEE TNNLS 31(11), 2020 (arXiv 1909.11015): Adam's update with the
 * diffGrad friction coefficient (DFC). Semantics follow the authors' shivram1987/diffGrad diffGrad_v2.py
 * (reference §10):
 *   g <- g + wd x                                       (L2, coupled)
 *   m <- m b1 + (1 - b1) g;  v <- v b2 + (1 - b2) g^2
 *   xi = 1 / (1 + exp(-|prev - g|))                     (friction in [0.5, 1); prev0 = 0: xi1 = sigma(|g1|))
 *   prev <- g
 *   x <- x + (-(lr sqrt(1 - b2^t) / (1 - b1^t))) (m xi) / (sqrt(v) + eps)
 * Differs from the paper: eps is added to sqrt(v) before the bias correction is folded into the step
 * (Kingma's "efficient" form; the paper writes sqrt(v_hat) + eps; torch Adam adds eps after the
 * correction); m is stored without the friction. The v1 code (diffGrad.py) aliases prev to the live
 * gradient, which makes xi = 0.5 when a framework reuses the gradient buffer; that bug is not
 * reproduced (v2 semantics: prev is a copy). maximize (not in the reference) negates g.
 * State: m, v, prev (3 arrays). */
#include "sto.h"

enum { O_BETA1 = STO_N_COMMON, O_BETA2, O_EPS };

typedef struct diffgrad_coef {
  double gscale, l2, b1, one_minus_b1, b2, one_minus_b2, eps, neg_step;
} diffgrad_coef;

#define STO_KERNEL "diffgrad.inc"
#include "instantiate.h"

static int diffgrad_n_state(const lopt_solver *s)
{
  (void)s;
  return 3;
}

static void diffgrad_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g,
                            void *const *state)
{
  const lopt_solver *s = st->s;
  const double b1 = lopt_group_opt_d(s, st->group, O_BETA1), b2 = lopt_group_opt_d(s, st->group, O_BETA2);
  const double t = (double)st->t;
  diffgrad_coef c = {
    .gscale = st->gscale,
    .l2 = st->wd,
    .b1 = b1,
    .one_minus_b1 = 1.0 - b1,
    .b2 = b2,
    .one_minus_b2 = 1.0 - b2,
    .eps = lopt_group_opt_d(s, st->group, O_EPS),
    .neg_step = -(st->lr * sqrt(1.0 - pow(b2, t)) / (1.0 - pow(b1, t))),
  };
  if (dtype == LOPT_F32) diffgrad_update_f32(n, x, g, state[0], state[1], state[2], &c);
  else diffgrad_update_f64(n, x, g, state[0], state[1], state[2], &c);
}

static const sto_rule diffgrad_rule = {.n_state = diffgrad_n_state, .update = diffgrad_update};

static const lopt_option_info diffgrad_options[] = {
  STO_COMMON_OPTIONS(1e-3, 0.0, "L2 penalty: g += wd x before the moments (diffGrad v2 code)"),
  [O_BETA1] = {"beta1", LOPT_OPT_DOUBLE, "decay of the first-moment average", 0.9, 0, 1, 0, 1, NULL, 1},
  [O_BETA2] = {"beta2", LOPT_OPT_DOUBLE, "decay of the second-moment average", 0.999, 0, 1, 0, 1, NULL, 1},
  [O_EPS] = {"eps", LOPT_OPT_DOUBLE, "added to sqrt(v) before bias correction (Kingma form, unlike torch Adam)",
             1e-8, 0, INFINITY, 0, 1, NULL, 1},
};

const lopt_kind_vtable lopt_diffgrad_vtable = {
  .kind = LOPT_DIFFGRAD,
  .name = "diffgrad",
  .summary = "diffGrad: Adam with a gradient-change friction (Dubey et al. 2020), diffGrad v2 code semantics",
  .options = diffgrad_options,
  .n_options = sizeof diffgrad_options / sizeof diffgrad_options[0],
  .family = &diffgrad_rule,
  STO_VTABLE_COMMON,
};
