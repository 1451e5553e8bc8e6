/* src/stochastic/sophia.c: Sophia, a clipped diagonal-Newton method (Liu, Li, Hall, Liang & Ma,
 * "Sophia: A Scalable Stochastic Second-order Optimizer for Language Model Pre-training", ICLR 2024).
 *
 * One kind, two reference rules, chosen by the option `estimator` (reference §7):
 *
 * estimator = gnb (default): SophiaG exactly as Liuhong99/Sophia `sophia.py` (`_single_tensor_sophiag`):
 *   x <- x (1 - lr wd);  m <- b1 m + (1 - b1) g                       (no bias correction)
 *   r = min(|m| / (rho bs max(h, 0) + 1e-15), 1);  x <- x - lr sign(m) r
 *   curvature (the repo's update_hessian): h <- b2 h + (1 - b2) ghat^2
 *   ghat is the Gauss-Newton-Bartlett gradient: the mini-batch gradient of the loss on labels sampled
 *   from the model's own predictive distribution. max(h, 0) equals the repo's h for every GNB estimate
 *   (h >= 0) and keeps r bounded if a user pushes something negative.
 *   `bs` is the repo's step(bs) argument: the number of predictions B in one GNB mini-batch (tokens
 *   for a language model, examples for classification). The GNB estimator of diag(H) is B ghat^2;
 *   the repo stores the EMA of ghat^2 and multiplies by bs at use time, so rho is per prediction.
 *   Default 5120 as the repo (its GPT-2 runs use 480*1024); it is not the pull-mode sampling
 *   `batch_size`: set bs to batch_size times the predictions per sample when the GNB oracle returns
 *   a mean over the batch.
 *   Curvature is taken after steps k, 2k, ... (k = hess_interval) at the post-step iterate, as the
 *   repo's README and train_sophiag.py do. Pull mode calls the problem's GNB oracle
 *   (lopt_problem_set_batch_gnb) on the step's mini-batch; push mode takes ghat per group through
 *   lopt_solver_push_curvature, whenever the user calls it (curvature_input is not used).
 *
 * estimator = hutchinson: Sophia-H as stanford-crfm/levanter `optim/sophia.py` (`sophia_h`):
 *   m <- (1 - b1) g + b1 m;  m_hat = m / (1 - b1^t)
 *   u = clip(m_hat / max(h_gamma h, h_eps), -h_clip, h_clip) + wd x;  x <- x - lr u
 *   curvature: h <- (1 - b2) d + b2 h, d = z (.) H z with z ~ N(0, I): an EMA of the estimate itself,
 *   not squared, so h may be < 0 (then max(gamma h, eps) = eps and the coordinate is clipped).
 *   Every hess_interval steps levanter evaluates z (.) H z at the iterate *before* the step and enters
 *   it into h *after* that step's update, so it serves from the next step on; pull mode does the same
 *   (H z from the problem's mini-batch HVP oracle, or a forward difference of two mini-batch
 *   gradients). Push mode, option `curvature_input`:
 *     probe_hvp  the user computes H z for z = lopt_solver_probe(s, group) (Gaussian, redrawn after
 *                each curvature push) and pushes H z; the solver forms z (.) H z;
 *     diagonal   the user pushes z (.) H z, or any diagonal estimate, directly.
 *   To follow levanter, push the curvature computed at the pre-step iterate after the push of step t,
 *   for t = k, 2k, ...; pushing it before the step makes it serve one step earlier.
 *   With `maximize` the rule minimises -f, so the Hutchinson estimate of diag(H_f) enters negated.
 *
 * Options. Shared by both rules: lr, weight_decay (decoupled, lr-scaled in both), beta1, beta2,
 * hess_interval. SophiaG only: rho, bs. Sophia-H only: the `h_`-prefixed h_gamma, h_eps, h_clip
 * (h_gamma also avoids the schedule's `gamma`), and curvature_input. The table's defaults are
 * SophiaG's (the repo's): lr 1e-4, b1 0.965, b2 0.99, rho 0.04, wd 0.1, bs 5120, k 10. The Sophia-H
 * options default to levanter's sophia_h() helper: b1 0.965, b2 0.99 (the same as SophiaG),
 * h_gamma 0.01, h_eps 1e-8, h_clip 1, k 10; that helper also uses lr 0.85e-3 and weight_decay 0,
 * which a Sophia-H user sets explicitly (levanter's BaseSophiaConfig instead has b1 0.96,
 * eps 1e-12, wd 0.1). Per-parameter state: m, h (two arrays in the group's dtype) for both rules. */
#include "sto.h"

enum {
  O_ESTIMATOR = STO_N_COMMON,
  O_BETA1,
  O_BETA2,
  O_HESS_INTERVAL,
  O_RHO,
  O_BS,
  O_H_GAMMA,
  O_H_EPS,
  O_H_CLIP,
  O_CURV_INPUT
};

static const char *const estimator_names[] = {"gnb", "hutchinson", NULL};
enum { EST_GNB, EST_HUTCHINSON };
static const char *const curv_input_names[] = {"probe_hvp", "diagonal", NULL};
enum { CI_PROBE_HVP, CI_DIAGONAL };

typedef struct sophia_coef {
  double gscale, b1, one_minus_b1, b2, one_minus_b2, keep, neg_lr, rho_bs, wd, inv_bc1, gamma, eps, clip, curv_sign;
} sophia_coef;

#define STO_KERNEL "sophia.inc"
#include "instantiate.h"

static int is_gnb(const lopt_solver *s) { return lopt_opt_choice(s, O_ESTIMATOR) == EST_GNB; }

static int sophia_n_state(const lopt_solver *s)
{
  (void)s;
  return 2; /* m, h */
}

static int sophia_validate(lopt_solver *s)
{
  if (is_gnb(s) && lopt_opt_choice(s, O_CURV_INPUT) != CI_PROBE_HVP)
    return lopt_fail(s, LOPT_EINVAL, "%s: curvature_input 'diagonal' applies to estimator 'hutchinson'; with "
                     "estimator 'gnb' push the sampled-label gradient ghat itself", s->vt->name);
  return LOPT_OK;
}

static void sophia_update(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g, void *const *state)
{
  const lopt_solver *s = st->s;
  const int k = st->group;
  const double b1 = lopt_group_opt_d(s, k, O_BETA1);
  sophia_coef c = {.gscale = st->gscale, .b1 = b1, .one_minus_b1 = 1.0 - b1, .neg_lr = -st->lr, .wd = st->wd};
  if (is_gnb(s)) {
    c.keep = 1.0 - st->lr * st->wd;
    c.rho_bs = lopt_group_opt_d(s, k, O_RHO) * lopt_group_opt_d(s, k, O_BS);
    if (dtype == LOPT_F32) sophiag_update_f32(n, x, g, state[0], state[1], &c);
    else sophiag_update_f64(n, x, g, state[0], state[1], &c);
  } else {
    c.inv_bc1 = 1.0 / (1.0 - pow(b1, (double)st->t));
    c.gamma = lopt_group_opt_d(s, k, O_H_GAMMA);
    c.eps = lopt_group_opt_d(s, k, O_H_EPS);
    c.clip = lopt_group_opt_d(s, k, O_H_CLIP);
    if (dtype == LOPT_F32) sophiah_update_f32(n, x, g, state[0], state[1], &c);
    else sophiah_update_f64(n, x, g, state[0], state[1], &c);
  }
}

static void sophia_take_curvature(const sto_step *st, lopt_dtype dtype, int64_t n, const void *d, void *const *state)
{
  const double b2 = lopt_group_opt_d(st->s, st->group, O_BETA2);
  sophia_coef c = {.b2 = b2, .one_minus_b2 = 1.0 - b2, .curv_sign = lopt_opt_b(st->s, STO_MAXIMIZE) ? -1.0 : 1.0};
  int gnb = is_gnb(st->s);
  if (dtype == LOPT_F32) sophia_curv_f32(n, state[1], d, &c, gnb);
  else sophia_curv_f64(n, state[1], d, &c, gnb);
}

static sto_curv sophia_curvature_mode(const lopt_solver *s)
{
  if (is_gnb(s)) return STO_CURV_GNB;
  return lopt_opt_choice(s, O_CURV_INPUT) == CI_DIAGONAL ? STO_CURV_DIAGONAL : STO_CURV_PROBE_HVP;
}

static sto_curv_timing sophia_curvature_timing(const lopt_solver *s)
{
  return is_gnb(s) ? STO_CURV_AFTER : STO_CURV_BEFORE_NEXT;
}

static int64_t sophia_curvature_every(const lopt_solver *s) { return lopt_opt_i(s, O_HESS_INTERVAL); }

static const sto_rule sophia_rule = {
  .n_state = sophia_n_state,
  .validate = sophia_validate,
  .update = sophia_update,
  .curvature_mode = sophia_curvature_mode,
  .probe_rademacher = 0,
  .curvature_every = sophia_curvature_every,
  .curvature_timing = sophia_curvature_timing,
  .take_curvature = sophia_take_curvature,
};

static const lopt_option_info sophia_options[] = {
  STO_COMMON_OPTIONS(1e-4, 0.1, "decoupled decay, lr-scaled (gnb: x *= 1 - lr wd first; hutchinson: u += wd x "
                     "after the clip); Sophia-H as levanter's sophia_h(): set 0"),
  [O_ESTIMATOR] = {"estimator", LOPT_OPT_CHOICE,
                   "curvature estimator: gnb (SophiaG, Liuhong99/Sophia) or hutchinson (Sophia-H, levanter)", 0, 0, 0,
                   0, 0, estimator_names, 0},
  [O_BETA1] = {"beta1", LOPT_OPT_DOUBLE, "decay of the gradient average m (both estimators)", 0.965, 0, 1, 0, 1, NULL,
               1},
  [O_BETA2] = {"beta2", LOPT_OPT_DOUBLE, "decay of the Hessian-diagonal average h (both estimators)", 0.99, 0, 1, 0, 1,
               NULL, 1},
  [O_HESS_INTERVAL] = {"hess_interval", LOPT_OPT_INT,
                       "pull mode: refresh h every k steps (gnb: after steps k, 2k, ...; hutchinson: estimate "
                       "before, enter after those steps)", 10, 1, 9.2e18, 0, 0, NULL, 1},
  [O_RHO] = {"rho", LOPT_OPT_DOUBLE, "gnb: clipping scale, r = min(|m| / (rho bs h + 1e-15), 1)", 0.04, 0, INFINITY,
             0, 1, NULL, 1},
  [O_BS] = {"bs", LOPT_OPT_DOUBLE,
            "gnb: predictions per GNB mini-batch B; h is used as bs*h (the repo's step(bs); not batch_size)", 5120,
            0, INFINITY, 1, 1, NULL, 1},
  [O_H_GAMMA] = {"h_gamma", LOPT_OPT_DOUBLE, "hutchinson: u = m_hat / max(h_gamma h, h_eps) (levanter gamma)", 0.01,
                 0, INFINITY, 0, 1, NULL, 1},
  [O_H_EPS] = {"h_eps", LOPT_OPT_DOUBLE, "hutchinson: floor of h_gamma h (levanter sophia_h eps)", 1e-8, 0, INFINITY,
               1, 1, NULL, 1},
  [O_H_CLIP] = {"h_clip", LOPT_OPT_DOUBLE, "hutchinson: clip u to [-c, c] before the decay (inf: no clip)", 1.0, 0,
                INFINITY, 1, 0, NULL, 1},
  [O_CURV_INPUT] = {"curvature_input", LOPT_OPT_CHOICE,
                    "hutchinson, push mode: what push_curvature receives: probe_hvp (H z for z = "
                    "lopt_solver_probe) or diagonal (z (.) H z or any diag(H) estimate)", 0, 0, 0, 0, 0,
                    curv_input_names, 0},
};

const lopt_kind_vtable lopt_sophia_vtable = {
  .kind = LOPT_SOPHIA,
  .name = "sophia",
  .summary = "Sophia: clipped diagonal Newton, SophiaG (GNB, Liuhong99/Sophia) or Sophia-H (Hutchinson, levanter)",
  .options = sophia_options,
  .n_options = sizeof sophia_options / sizeof sophia_options[0],
  .family = &sophia_rule,
  STO_VTABLE_COMMON,
};
