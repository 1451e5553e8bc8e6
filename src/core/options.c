/* src/core/options.c: the options engine. Each kind has one static table (lopt_option_info); it
 * is the single source of truth for defaults, validation, run-time listing and docs. Values are
 * checked where they are set, and refused with a sentence naming the option and what is allowed. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *lopt_option_type_name(lopt_option_type t)
{
  switch (t) {
  case LOPT_OPT_BOOL: return "bool";
  case LOPT_OPT_INT: return "int";
  case LOPT_OPT_DOUBLE: return "double";
  case LOPT_OPT_CHOICE: return "choice";
  case LOPT_OPT_CALLBACK: return "callback";
  default: return "unknown";
  }
}

size_t lopt_kind_option_count(lopt_kind kind)
{
  const lopt_kind_vtable *vt = lopt_registry_find(kind);
  return vt ? vt->n_options : 0;
}

const lopt_option_info *lopt_kind_option(lopt_kind kind, size_t i)
{
  const lopt_kind_vtable *vt = lopt_registry_find(kind);
  return (vt && i < vt->n_options) ? &vt->options[i] : NULL;
}

/* ---- choices ----------------------------------------------------------------------------- */

static int choice_index(const char *const *list, const char *value)
{
  for (int k = 0; list && list[k]; k++)
    if (strcmp(list[k], value) == 0) return k;
  return -1;
}

/* "a|b|c" for messages. */
static const char *choice_list(const char *const *list, char *buf, size_t cap)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; list && list[k] && used + 1 < cap; k++) {
    int w = snprintf(buf + used, cap - used, "%s%s", k ? "|" : "", list[k]);
    if (w < 0) break;
    used += (size_t)w;
  }
  return buf;
}

/* ---- defaults and lookup ------------------------------------------------------------------- */

void lopt_options_reset(lopt_solver *s)
{
  for (size_t i = 0; i < s->vt->n_options; i++) {
    const lopt_option_info *o = &s->vt->options[i];
    lopt_opt_value v;
    memset(&v, 0, sizeof v);
    switch (o->type) {
    case LOPT_OPT_BOOL: v.b = o->def != 0; break;
    case LOPT_OPT_INT: v.i = (int64_t)o->def; break;
    case LOPT_OPT_DOUBLE: v.d = o->def; break;
    default: break; /* choice 0, callback NULL */
    }
    s->opt[i] = v;
  }
}

int lopt_option_index(const lopt_solver *s, const char *name)
{
  for (size_t i = 0; i < s->vt->n_options; i++)
    if (strcmp(s->vt->options[i].name, name) == 0) return (int)i;
  return -1;
}

double lopt_opt_d(const lopt_solver *s, int idx) { return s->opt[idx].d; }
int64_t lopt_opt_i(const lopt_solver *s, int idx) { return s->opt[idx].i; }
int lopt_opt_b(const lopt_solver *s, int idx) { return s->opt[idx].b; }
int lopt_opt_choice(const lopt_solver *s, int idx) { return s->opt[idx].choice; }
lopt_opt_value lopt_opt_raw(const lopt_solver *s, int idx) { return s->opt[idx]; }

/* Levenshtein distance, capped, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 64;
  size_t prev[64], cur[64];
  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
  }
  return prev[lb];
}

/* Find the option or fail with "no option named X; did you mean Y?". */
static int find_option(const lopt_solver *s, const char *name, int *idx)
{
  if (!s) return LOPT_EINVAL;
  if (!name) return lopt_fail(s, LOPT_EINVAL, "%s: option name is NULL", s->vt->name);
  int i = lopt_option_index(s, name);
  if (i >= 0) {
    *idx = i;
    return LOPT_OK;
  }
  size_t best = (size_t)-1;
  const char *near = NULL;
  for (size_t k = 0; k < s->vt->n_options; k++) {
    size_t d = edit_distance(name, s->vt->options[k].name);
    if (d < best) best = d, near = s->vt->options[k].name;
  }
  char list[LOPT_MSG_LEN / 2] = "";
  size_t used = 0;
  for (size_t k = 0; k < s->vt->n_options && used + 2 < sizeof list; k++) {
    int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", s->vt->options[k].name);
    if (w < 0) break;
    used += (size_t)w;
  }
  return lopt_fail(s, LOPT_EINVAL, "%s: no option named '%s'; did you mean '%s'? (options: %s)", s->vt->name,
                   name, near ? near : "", list);
}

static int wrong_type(const lopt_solver *s, const lopt_option_info *o, const char *given)
{
  char buf[256];
  if (o->type == LOPT_OPT_CHOICE)
    return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' is a choice (one of %s), not a %s", s->vt->name, o->name,
                     choice_list(o->choices, buf, sizeof buf), given);
  return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' is a%s %s, not a%s %s", s->vt->name, o->name,
                   o->type == LOPT_OPT_INT ? "n" : "", lopt_option_type_name(o->type), given[0] == 'i' ? "n" : "",
                   given);
}

/* An immutable option changed after setup: the next step must be preceded by a new setup. */
static void note_change(lopt_solver *s, const lopt_option_info *o)
{
  if (s->is_setup && !o->mutable_after_setup) s->is_setup = 0;
}

static int check_range(const lopt_solver *s, const lopt_option_info *o, double v)
{
  int ok = !isnan(v) && (o->min_exclusive ? v > o->min : v >= o->min) &&
           (o->max_exclusive ? v < o->max : v <= o->max);
  if (ok) return LOPT_OK;
  return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' must be in %c%.17g, %.17g%c; got %.17g (%s)", s->vt->name,
                   o->name, o->min_exclusive ? '(' : '[', o->min, o->max, o->max_exclusive ? ')' : ']', v, o->doc);
}

int lopt_option_check_double(const lopt_solver *s, int idx, double v)
{
  const lopt_option_info *o = &s->vt->options[idx];
  if (o->type != LOPT_OPT_DOUBLE)
    return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' is a %s; only double options can be set per group", s->vt->name,
                     o->name, lopt_option_type_name(o->type));
  return check_range(s, o, v);
}

int lopt_solver_set_double(lopt_solver *s, const char *name, double value)
{
  int i = -1, rc = find_option(s, name, &i);
  if (rc) return rc;
  const lopt_option_info *o = &s->vt->options[i];
  if (o->type == LOPT_OPT_INT) {
    if (!(value == floor(value)) || fabs(value) > 9.007199254740992e15)
      return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' is an int; %.17g is not a whole number", s->vt->name,
                       o->name, value);
    return lopt_solver_set_int(s, name, (int64_t)value);
  }
  if (o->type != LOPT_OPT_DOUBLE) return wrong_type(s, o, "double");
  if ((rc = check_range(s, o, value))) return rc;
  s->opt[i].d = value;
  note_change(s, o);
  return LOPT_OK;
}

int lopt_solver_set_int(lopt_solver *s, const char *name, int64_t value)
{
  int i = -1, rc = find_option(s, name, &i);
  if (rc) return rc;
  const lopt_option_info *o = &s->vt->options[i];
  if (o->type == LOPT_OPT_DOUBLE) return lopt_solver_set_double(s, name, (double)value);
  if (o->type != LOPT_OPT_INT) return wrong_type(s, o, "int");
  if ((rc = check_range(s, o, (double)value))) return rc;
  s->opt[i].i = value;
  note_change(s, o);
  return LOPT_OK;
}

int lopt_solver_set_bool(lopt_solver *s, const char *name, int value)
{
  int i = -1, rc = find_option(s, name, &i);
  if (rc) return rc;
  const lopt_option_info *o = &s->vt->options[i];
  if (o->type != LOPT_OPT_BOOL) return wrong_type(s, o, "bool");
  s->opt[i].b = value != 0;
  note_change(s, o);
  return LOPT_OK;
}

int lopt_solver_set_choice(lopt_solver *s, const char *name, const char *value)
{
  int i = -1, rc = find_option(s, name, &i);
  if (rc) return rc;
  const lopt_option_info *o = &s->vt->options[i];
  if (o->type != LOPT_OPT_CHOICE) return wrong_type(s, o, "choice");
  int k = value ? choice_index(o->choices, value) : -1;
  char buf[256];
  if (k < 0)
    return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' must be one of %s; got '%s'", s->vt->name, o->name,
                     choice_list(o->choices, buf, sizeof buf), value ? value : "(null)");
  s->opt[i].choice = k;
  note_change(s, o);
  return LOPT_OK;
}

int lopt_solver_set_callback(lopt_solver *s, const char *name, lopt_apply_fn fn, void *ctx)
{
  int i = -1, rc = find_option(s, name, &i);
  if (rc) return rc;
  const lopt_option_info *o = &s->vt->options[i];
  if (o->type != LOPT_OPT_CALLBACK) return wrong_type(s, o, "callback");
  s->opt[i].cb.fn = fn;
  s->opt[i].cb.ctx = ctx;
  note_change(s, o);
  return LOPT_OK;
}

int lopt_solver_set(lopt_solver *s, const char *name, const char *text)
{
  int i = -1, rc = find_option(s, name, &i);
  if (rc) return rc;
  const lopt_option_info *o = &s->vt->options[i];
  if (!text) return lopt_fail(s, LOPT_EINVAL, "%s: value text for option '%s' is NULL", s->vt->name, o->name);
  char *end = NULL;
  switch (o->type) {
  case LOPT_OPT_BOOL:
    if (!strcmp(text, "1") || !strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "on"))
      return lopt_solver_set_bool(s, name, 1);
    if (!strcmp(text, "0") || !strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "off"))
      return lopt_solver_set_bool(s, name, 0);
    return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' is a bool; '%s' is not one of true/false/1/0/yes/no/on/off",
                     s->vt->name, o->name, text);
  case LOPT_OPT_INT:
  case LOPT_OPT_DOUBLE: {
    errno = 0;
    double v = strtod(text, &end);
    while (end && isspace((unsigned char)*end)) end++;
    if (end == text || (end && *end) || errno == ERANGE)
      return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' is a %s; cannot read '%s' as a number", s->vt->name,
                       o->name, lopt_option_type_name(o->type), text);
    return lopt_solver_set_double(s, name, v);
  }
  case LOPT_OPT_CHOICE: return lopt_solver_set_choice(s, name, text);
  default:
    return lopt_fail(s, LOPT_EINVAL, "%s: option '%s' is a callback and cannot be set from text", s->vt->name,
                     o->name);
  }
}

/* ---- getters ------------------------------------------------------------------------------- */

static int get_checked(const lopt_solver *s, const char *name, lopt_option_type want, const char *tname,
                       const void *value, int *idx)
{
  int rc = find_option(s, name, idx);
  if (rc) return rc;
  if (!value) return lopt_fail(s, LOPT_EINVAL, "%s: output pointer for option '%s' is NULL", s->vt->name, name);
  const lopt_option_info *o = &s->vt->options[*idx];
  if (o->type != want && !(want == LOPT_OPT_DOUBLE && o->type == LOPT_OPT_INT)) return wrong_type(s, o, tname);
  return LOPT_OK;
}

int lopt_solver_get_bool(const lopt_solver *s, const char *name, int *value)
{
  int i = -1, rc = get_checked(s, name, LOPT_OPT_BOOL, "bool", value, &i);
  if (!rc) *value = s->opt[i].b;
  return rc;
}

int lopt_solver_get_int(const lopt_solver *s, const char *name, int64_t *value)
{
  int i = -1, rc = get_checked(s, name, LOPT_OPT_INT, "int", value, &i);
  if (!rc) *value = s->opt[i].i;
  return rc;
}

int lopt_solver_get_double(const lopt_solver *s, const char *name, double *value)
{
  int i = -1, rc = get_checked(s, name, LOPT_OPT_DOUBLE, "double", value, &i);
  if (!rc) *value = s->vt->options[i].type == LOPT_OPT_INT ? (double)s->opt[i].i : s->opt[i].d;
  return rc;
}

int lopt_solver_get_choice(const lopt_solver *s, const char *name, const char **value)
{
  int i = -1, rc = get_checked(s, name, LOPT_OPT_CHOICE, "choice", value, &i);
  if (!rc) *value = s->vt->options[i].choices[s->opt[i].choice];
  return rc;
}
