/* src/stochastic/adahessian.c: AdaHessian (Yao, Gholami, Shen, Mustafa, Keutzer & Mahoney, "ADAHESSIAN:
 * An Adaptive Second Order Optimizer for Machine Learning", AAAI 2021). Semantics follow the
 * reference code amirgholami/adahessian `image_classification/optim_adahessian.py` (reference §8):
 *   D = |H z| with z Rademacher, fresh every step      (= |z (.) H z| since z_i^2 = 1)
 *   D <- mean of D over consecutive blocks of `block_size` entries of the group's flattened array
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) D^2
 *   den = sqrt(v)^p / sqrt(1 - b2^t)^p + eps            (p = hessian_power in [0, 1])
 *   x <- x - lr ((m / (1 - b1^t)) / den + wd x)          (decay decoupled and not preconditioned)
 * Block averaging generalises the reference's spatial average over a conv kernel (there: the kh*kw
 * entries of each 4-D kernel slice, i.e. consecutive blocks of kh*kw; the `instruction/` variant's
 * spatial_average_block_size b > 0 is exactly this); 1 = none. b must divide every group's length
 * (reference §13.1: the reference raises on its reshape), checked at setup; block_size is a double
 * option holding an integer so that it can be set per group (conv kernels and biases as separate
 * groups).
 * Curvature is needed before every step. Pull mode draws z, computes H z on the step's mini-batch
 * (the problem's HVP oracle, else a forward difference of two mini-batch gradients) at the pre-step
 * iterate and enters it before the step, as the reference does. Push mode: push the curvature, then
 * the gradient, every step (a push without a curvature push first is refused). Option
 * `curvature_input`:
 *   probe_hvp  the user computes H z for z = lopt_solver_probe(s, group) (Rademacher, redrawn after
 *              each curvature push) and pushes H z;
 *   diagonal   the user pushes a Hessian-diagonal estimate d directly (z (.) H z, or exact diag(H));
 *              D = |d|.
 * Each curvature push enters v once: push it exactly once per step. State: m, v in the group's dtype.
 * Defaults are the reference's: lr 0.15, betas (0.9, 0.999), eps 1e-4, weight_decay 0,
 * hessian_power 1. */
#include "sto.h"

enum { O_BETA1 = STO_N_COMMON, O_BETA2, O_EPS, O_POWER, O_BLOCK, O_CURV_INPUT };

static const char *const curv_input_names[] = {"probe_hvp", "diagonal", NULL};
enum { CI_PROBE_HVP, CI_DIAGONAL };

typedef struct adah_coef {
  double gscale, b1, one_minus_b1, b2, one_minus_b2, lr, wd, inv_bc1, cden, eps, power;
} adah_coef;

#define STO_KERNEL "adahessian.inc"
#include "instantiate.h"

static int adah_n_state(const lopt_solver *s)
{
  (void)s;
  return 2; /* m, v */
}

static int adah_validate(lopt_solver *s)
{
  for (int k = 0; k < s->n_groups; k++) {
    double b = lopt_group_opt_d(s, k, O_BLOCK);
    int64_t n = s->groups[k].n;
    if (b != floor(b) || b > (double)n || n % (int64_t)b != 0)
      return lopt_fail(s, LOPT_EINVAL, "%s: block_size %.17g must be a whole number that divides the length %lld "
                       "of group %d", s->vt->name, b, (long long)n, k);
  }
  return LOPT_OK;
}

static void adah_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g, void *const *state)
{
  const lopt_solver *s = st->s;
  const int k = st->group;
  const double b1 = lopt_group_opt_d(s, k, O_BETA1), b2 = lopt_group_opt_d(s, k, O_BETA2);
  const double p = lopt_group_opt_d(s, k, O_POWER), t = (double)st->t;
  adah_coef c = {
    .gscale = st->gscale,
    .b1 = b1,
    .one_minus_b1 = 1.0 - b1,
    .lr = st->lr,
    .wd = st->wd,
    .inv_bc1 = 1.0 / (1.0 - pow(b1, t)),
    .cden = 1.0 / pow(sqrt(1.0 - pow(b2, t)), p),
    .eps = lopt_group_opt_d(s, k, O_EPS),
    .power = p,
  };
  if (dtype == LOPT_F32) adahessian_update_f32(n, x, g, state[0], state[1], &c);
  else adahessian_update_f64(n, x, g, state[0], state[1], &c);
}

static void adah_take_curvature(const sto_step *st, lopt_dtype dtype, int64_t n, const void *d, void *const *state)
{
  const double b2 = lopt_group_opt_d(st->s, st->group, O_BETA2);
  const adah_coef c = {.b2 = b2, .one_minus_b2 = 1.0 - b2};
  const int64_t bsz = (int64_t)lopt_group_opt_d(st->s, st->group, O_BLOCK);
  if (dtype == LOPT_F32) adahessian_curv_f32(n, state[1], d, bsz, &c);
  else adahessian_curv_f64(n, state[1], d, bsz, &c);
}

static sto_curv adah_curvature_mode(const lopt_solver *s)
{
  return lopt_opt_choice(s, O_CURV_INPUT) == CI_DIAGONAL ? STO_CURV_DIAGONAL : STO_CURV_PROBE_HVP;
}

static int64_t adah_curvature_every(const lopt_solver *s)
{
  (void)s;
  return 1;
}

static sto_curv_timing adah_curvature_timing(const lopt_solver *s)
{
  (void)s;
  return STO_CURV_BEFORE;
}

static const sto_rule adahessian_rule = {
  .n_state = adah_n_state,
  .validate = adah_validate,
  .update = adah_update,
  .curvature_mode = adah_curvature_mode,
  .probe_rademacher = 1,
  .curvature_every = adah_curvature_every,
  .curvature_timing = adah_curvature_timing,
  .take_curvature = adah_take_curvature,
  .curvature_every_step = 1,
};

static const lopt_option_info adahessian_options[] = {
  STO_COMMON_OPTIONS(0.15, 0.0, "decoupled, lr-scaled, not preconditioned: x -= lr (m_hat / den + wd x)"),
  [O_BETA1] = {"beta1", LOPT_OPT_DOUBLE, "decay of the gradient average m", 0.9, 0, 1, 0, 1, NULL, 1},
  [O_BETA2] = {"beta2", LOPT_OPT_DOUBLE, "decay of the average v of the squared Hessian diagonal", 0.999, 0, 1, 0, 1,
               NULL, 1},
  [O_EPS] = {"eps", LOPT_OPT_DOUBLE, "added to sqrt(v_hat)^p in the denominator", 1e-4, 0, INFINITY, 0, 1, NULL, 1},
  [O_POWER] = {"hessian_power", LOPT_OPT_DOUBLE, "exponent p of sqrt(v_hat) in the denominator", 1.0, 0, 1, 0, 0,
               NULL, 1},
  [O_BLOCK] = {"block_size", LOPT_OPT_DOUBLE,
               "average |H z| over consecutive blocks of b entries (a whole number dividing the group's length; "
               "1: none; settable per group)", 1, 1, 9.2e18, 0, 0, NULL, 0},
  [O_CURV_INPUT] = {"curvature_input", LOPT_OPT_CHOICE,
                    "push mode: what push_curvature receives: probe_hvp (H z for the Rademacher z = "
                    "lopt_solver_probe) or diagonal (z (.) H z or any diag(H) estimate)", 0, 0, 0, 0, 0,
                    curv_input_names, 0},
};

const lopt_kind_vtable lopt_adahessian_vtable = {
  .kind = LOPT_ADAHESSIAN,
  .name = "adahessian",
  .summary = "AdaHessian (Yao et al. 2021): Adam-like steps preconditioned by a Hutchinson Hessian diagonal",
  .options = adahessian_options,
  .n_options = sizeof adahessian_options / sizeof adahessian_options[0],
  .family = &adahessian_rule,
  STO_VTABLE_COMMON,
};
