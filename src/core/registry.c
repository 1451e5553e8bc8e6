/* src/core/registry.c: the list of kinds. The one file that knows every family: a new kind is one
 * line here plus its own source file. */
#include <string.h>

#include "internal.h"

extern const lopt_kind_vtable lopt_pcg_vtable;
extern const lopt_kind_vtable lopt_conj_direction_vtable;
extern const lopt_kind_vtable lopt_nlcg_vtable;
extern const lopt_kind_vtable lopt_lbfgs_vtable;
extern const lopt_kind_vtable lopt_newton_cg_vtable;
extern const lopt_kind_vtable lopt_adam_vtable;
extern const lopt_kind_vtable lopt_adamw_vtable;
extern const lopt_kind_vtable lopt_sgd_vtable;
extern const lopt_kind_vtable lopt_lion_vtable;
extern const lopt_kind_vtable lopt_adan_vtable;
extern const lopt_kind_vtable lopt_diffgrad_vtable;
extern const lopt_kind_vtable lopt_adagrad_vtable;
extern const lopt_kind_vtable lopt_rmsprop_vtable;
extern const lopt_kind_vtable lopt_sophia_vtable;
extern const lopt_kind_vtable lopt_adahessian_vtable;

static const lopt_kind_vtable *const registry[] = {
  &lopt_pcg_vtable,
  &lopt_conj_direction_vtable,
  &lopt_nlcg_vtable,
  &lopt_lbfgs_vtable,
  &lopt_newton_cg_vtable,
  &lopt_adam_vtable,
  &lopt_adamw_vtable,
  &lopt_sgd_vtable,
  &lopt_lion_vtable,
  &lopt_adan_vtable,
  &lopt_diffgrad_vtable,
  &lopt_adagrad_vtable,
  &lopt_rmsprop_vtable,
  &lopt_sophia_vtable,
  &lopt_adahessian_vtable,
};
enum { N_KINDS = sizeof registry / sizeof registry[0] };

const lopt_kind_vtable *lopt_registry_find(lopt_kind kind)
{
  for (size_t i = 0; i < N_KINDS; i++)
    if (registry[i]->kind == kind) return registry[i];
  return NULL;
}

lopt_kind lopt_kind_from_name(const char *name)
{
  for (size_t i = 0; name && i < N_KINDS; i++)
    if (strcmp(registry[i]->name, name) == 0) return registry[i]->kind;
  return LOPT_KIND_NONE;
}

size_t lopt_kind_list(lopt_kind *kinds, size_t cap)
{
  for (size_t i = 0; kinds && i < N_KINDS && i < cap; i++) kinds[i] = registry[i]->kind;
  return N_KINDS;
}
