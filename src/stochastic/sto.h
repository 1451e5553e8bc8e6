/* src/stochastic/sto.h: the stochastic family's shared driver and the interface of an update rule.
 * Private to src/stochastic/.
 *
 * One driver, many rules. The driver owns everything around the update: parameter groups (pull
 * mode: the solver's x as one float64 group; push mode: the user's arrays), per-parameter state
 * arrays in each group's dtype, mini-batch sampling by shuffled epochs, learning-rate schedules,
 * global-norm clipping, the non-finite check, curvature probes, and checkpoints. A rule (one file
 * per kind) says how many state arrays it keeps and applies one fused pass per group. */
#ifndef LOPT_STO_H
#define LOPT_STO_H

#include <math.h>

#include "../core/internal.h"

/* Options every stochastic kind has, in this order, at the start of its table. */
enum {
  STO_LR,
  STO_WEIGHT_DECAY,
  STO_MAXIMIZE,
  STO_BATCH_SIZE,
  STO_MAX_EPOCHS,
  STO_MAX_ITER,
  STO_MAX_TIME,
  STO_TARGET_LOSS,
  STO_MONITOR_EVERY,
  STO_SEED,
  STO_LR_SCHEDULE,
  STO_WARMUP_STEPS,
  STO_TOTAL_STEPS,
  STO_LR_MIN,
  STO_STEP_SIZE,
  STO_GAMMA,
  STO_LR_START_FACTOR,
  STO_LR_END_FACTOR,
  STO_CLIP_NORM,
  STO_CHECK_FINITE,
  STO_N_COMMON
};

extern const char *const sto_schedule_names[];

/* The common table entries, with the kind's lr and weight_decay defaults (reference values). */
#define STO_COMMON_OPTIONS(LR, WD, WD_DOC)                                                                          \
  [STO_LR] = {"lr", LOPT_OPT_DOUBLE, "learning rate (base value of the schedule)", LR, 0, INFINITY, 0, 1, NULL, 1}, \
  [STO_WEIGHT_DECAY] = {"weight_decay", LOPT_OPT_DOUBLE, WD_DOC, WD, 0, INFINITY, 0, 1, NULL, 1},                   \
  [STO_MAXIMIZE] = {"maximize", LOPT_OPT_BOOL, "maximize instead of minimize (gradient negated)", 0, 0, 1, 0, 0,   \
                    NULL, 0},                                                                                      \
  [STO_BATCH_SIZE] = {"batch_size", LOPT_OPT_INT, "pull mode: samples per mini-batch", 32, 1, 9.2e18, 0, 0, NULL, \
                      0},                                                                                          \
  [STO_MAX_EPOCHS] = {"max_epochs", LOPT_OPT_INT, "pull mode: epoch budget (0: none)", 10, 0, 9.2e18, 0, 0, NULL, \
                      1},                                                                                          \
  [STO_MAX_ITER] = {"max_iter", LOPT_OPT_INT, "step budget (0: none)", 0, 0, 9.2e18, 0, 0, NULL, 1},                \
  [STO_MAX_TIME] = {"max_time", LOPT_OPT_DOUBLE, "wall-time budget in seconds", INFINITY, 0, INFINITY, 1, 0, NULL, \
                    1},                                                                                            \
  [STO_TARGET_LOSS] = {"target_loss", LOPT_OPT_DOUBLE, "pull mode: stop when an epoch's mean loss is <= this",    \
                       -INFINITY, -INFINITY, INFINITY, 0, 0, NULL, 1},                                              \
  [STO_MONITOR_EVERY] = {"monitor_every", LOPT_OPT_INT, "monitor every k epochs (pull) or steps (push); 0: never", \
                         1, 0, 9.2e18, 0, 0, NULL, 1},                                                             \
  [STO_SEED] = {"seed", LOPT_OPT_INT, "seed of the solver's random numbers (sampling, probes)", 0, 0, 9.2e18, 0, 0, \
                NULL, 0},                                                                                          \
  [STO_LR_SCHEDULE] = {"lr_schedule", LOPT_OPT_CHOICE, "learning-rate schedule after warm-up", 0, 0, 0, 0, 0,      \
                       sto_schedule_names, 1},                                                                     \
  [STO_WARMUP_STEPS] = {"warmup_steps", LOPT_OPT_INT, "linear warm-up lr*t/W for t <= W (0: none)", 0, 0, 9.2e18, \
                        0, 0, NULL, 1},                                                                            \
  [STO_TOTAL_STEPS] = {"total_steps", LOPT_OPT_INT, "T for cosine and linear schedules", 1000, 1, 9.2e18, 0, 0,    \
                       NULL, 1},                                                                                   \
  [STO_LR_MIN] = {"lr_min", LOPT_OPT_DOUBLE, "cosine: final learning rate", 0, 0, INFINITY, 0, 1, NULL, 1},         \
  [STO_STEP_SIZE] = {"step_size", LOPT_OPT_INT, "step schedule: decay every s steps", 100, 1, 9.2e18, 0, 0, NULL,  \
                     1},                                                                                           \
  [STO_GAMMA] = {"gamma", LOPT_OPT_DOUBLE, "step schedule: decay factor", 0.1, 0, 1, 0, 0, NULL, 1},                \
  [STO_LR_START_FACTOR] = {"lr_start_factor", LOPT_OPT_DOUBLE, "linear schedule: factor at the first step", 1.0, 0, \
                           INFINITY, 0, 1, NULL, 1},                                                               \
  [STO_LR_END_FACTOR] = {"lr_end_factor", LOPT_OPT_DOUBLE, "linear schedule: factor at step T", 0.0, 0, INFINITY,  \
                         0, 1, NULL, 1},                                                                           \
  [STO_CLIP_NORM] = {"clip_norm", LOPT_OPT_DOUBLE,                                                                 \
                     "clip by global norm: g *= min(1, c / (||g|| + 1e-6)) over all groups (0: off)", 0, 0,        \
                     INFINITY, 0, 1, NULL, 1},                                                                     \
  [STO_CHECK_FINITE] = {"check_finite", LOPT_OPT_BOOL,                                                             \
                        "scan gradients before updating; a non-finite one ends the run, parameters untouched", 1, 0, \
                        1, 0, 0, NULL, 1}

/* What a rule's update sees for one group at one step. Scalars are double, computed once. */
typedef struct sto_step {
  const lopt_solver *s;
  int group;
  int64_t t;        /* 1-based step number */
  double lr;        /* scheduled learning rate of this group */
  double wd;        /* weight decay of this group */
  double gscale;    /* multiply gradients by this (clip factor; -1 folded in for maximize) */
  double gnorm;     /* global 2-norm of the raw gradients over all groups (NaN when not computed) */
} sto_step;

/* Curvature input modes (sophia's `estimator`, and `curvature_input` of sophia/adahessian). */
typedef enum sto_curv { STO_CURV_NONE = 0, STO_CURV_PROBE_HVP, STO_CURV_DIAGONAL, STO_CURV_GNB } sto_curv;

/* When pull mode takes a due curvature estimate, relative to the step t it is due at. */
typedef enum sto_curv_timing {
  STO_CURV_BEFORE = 0, /* estimate at the pre-step iterate and enter it before step t (AdaHessian) */
  STO_CURV_AFTER,      /* estimate at the post-step iterate and enter it after step t (SophiaG) */
  STO_CURV_BEFORE_NEXT /* estimate at the pre-step iterate, enter it after step t (levanter Sophia-H) */
} sto_curv_timing;

typedef struct sto_rule {
  /* Per-parameter state arrays kept by this configuration (e.g. 2 for Adam, 3 with AMSGrad). */
  int (*n_state)(const lopt_solver *s);
  /* Cross-option checks at setup; NULL: none. */
  int (*validate)(lopt_solver *s);
  /* Initial values of a group's state arrays (they start at zero); NULL: zeros. Called at setup,
   * after allocation, once per group. */
  void (*init_state)(const lopt_solver *s, int group, lopt_dtype dtype, int64_t n, void *const *state);
  /* One fused pass over a group: x (n), gradient g (n, raw from the user or oracle), state arrays.
   * x, g, state and curvature are in `dtype`. */
  void (*update)(const sto_step *st, lopt_dtype dtype, int64_t n, void *x, const void *g, void *const *state);
  /* Curvature (NULL when the rule takes none): the mode the options select, the probe's
   * distribution (0 Gaussian, 1 Rademacher), how often pull mode refreshes it (steps), when pull
   * mode estimates and enters it (a function: one kind may hold two rules; NULL: STO_CURV_BEFORE),
   * and the update of the rule's curvature state from an estimate d (diag(H) estimate, or ghat for
   * GNB) in the group's dtype. */
  sto_curv (*curvature_mode)(const lopt_solver *s);
  int probe_rademacher;
  int64_t (*curvature_every)(const lopt_solver *s);
  sto_curv_timing (*curvature_timing)(const lopt_solver *s);
  void (*take_curvature)(const sto_step *st, lopt_dtype dtype, int64_t n, const void *d, void *const *state);
  /* Rules that need a curvature estimate before every step (AdaHessian). */
  int curvature_every_step;
  /* The rule reads st->gnorm (e.g. Adan's own max_grad_norm). */
  int (*needs_gnorm)(const lopt_solver *s);
} sto_rule;

/* Driver entry points, shared by every stochastic kind's vtable. */
LOPT_INTERNAL int sto_setup(lopt_solver *s, const lopt_problem *p, const double *x0);
LOPT_INTERNAL int sto_step_pull(lopt_solver *s);
LOPT_INTERNAL void sto_release(lopt_solver *s);
LOPT_INTERNAL int sto_push_setup(lopt_solver *s);
LOPT_INTERNAL int sto_push_step(lopt_solver *s, const void *const *grads, double loss);
LOPT_INTERNAL int sto_push_curvature(lopt_solver *s, const void *const *curv);
LOPT_INTERNAL const void *sto_probe(const lopt_solver *s, int group);
LOPT_INTERNAL int sto_figure(const lopt_solver *s, const char *name, double *value);
LOPT_INTERNAL size_t sto_state_size(const lopt_solver *s);
LOPT_INTERNAL void sto_state_write(const lopt_solver *s, unsigned char *buf);
LOPT_INTERNAL int sto_state_read(lopt_solver *s, const unsigned char *buf, size_t len);
extern const char *const sto_figure_names[];

/* The vtable entries every stochastic kind shares. */
#define STO_VTABLE_COMMON                                                                                         \
  .setup = sto_setup, .step = sto_step_pull, .release = sto_release, .figure_names = sto_figure_names,           \
  .figure = sto_figure, .push_setup = sto_push_setup, .push_step = sto_push_step,                               \
  .push_curvature = sto_push_curvature, .probe = sto_probe, .state_size = sto_state_size,                      \
  .state_write = sto_state_write, .state_read = sto_state_read

/* Sign helper shared by sign-based rules: sign(0) = 0 as torch.sign. */
#define STO_SIGN(v) (((v) > 0) - ((v) < 0))

#endif
