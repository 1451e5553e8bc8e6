/* libopt/ot.h: results of the optimal-transport kinds (sinkhorn, sinkhorn_newton).
 *
 * The iterate x of an OT solver is the pair of dual potentials (f, g), n + m entries, with the plan
 * P_ij = exp((f_i + g_j - C_ij) / eps) (the POT / OTT-JAX convention; the SNS paper's potentials are
 * x = f + eps, y = g). Any constant moved from f to g leaves P unchanged. */
#ifndef LIBOPT_OT_H
#define LIBOPT_OT_H

#include "solver.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copy the potentials f (n) and g (m). */
LOPT_API int lopt_solver_ot_potentials(const lopt_solver *s, double *f, double *g);
/* The plan as a dense n x m column-major array (n * m doubles). */
LOPT_API int lopt_solver_ot_plan_dense(const lopt_solver *s, double *P);
/* The plan as a new sparse CSR matrix (owned by the caller) keeping entries >= threshold;
 * *dropped_mass (may be NULL) receives the total mass of the entries left out. */
LOPT_API int lopt_solver_ot_plan_sparse(const lopt_solver *s, double threshold, lopt_matrix **P,
                                        double *dropped_mass);

#ifdef __cplusplus
}
#endif
#endif
