/* tests/test_api.c: the public API under misuse. Every refusal is checked twice: the status it
 * returns and the sentence it leaves (lopt_solver_message, or lopt_error.message for constructors),
 * which must name what was wrong. Also: call order, options engine, monitor and log, callbacks,
 * allocation failure at every allocation, threads, checkpoints and the result struct.
 * Public API only; problems are small so the suite stays fast under the sanitizers. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libopt.h"
#include "problems/problems.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------- */

#define ASSERT_HAS(text, sub)                                                                        \
  do {                                                                                               \
    const char *t_ = (text);                                                                         \
    ck_assert_msg(t_ != NULL && strstr(t_, (sub)) != NULL, "expected \"%s\" in the message \"%s\"", \
                  (sub), t_ ? t_ : "(null)");                                                        \
  } while (0)
#define ASSERT_MSG(s, sub) ASSERT_HAS(lopt_solver_message(s), sub)
#define ASSERT_RC(call, want)                                                                        \
  do {                                                                                               \
    int rc_ = (call);                                                                                \
    ck_assert_msg(rc_ == (want), "%s returned %s (%d), expected %s", #call, lopt_status_name(rc_), rc_, \
                  lopt_status_name(want));                                                           \
  } while (0)

static const lopt_kind linear_kinds[] = {LOPT_PCG, LOPT_CONJ_DIRECTION};
enum { N_LINEAR_KINDS = sizeof linear_kinds / sizeof linear_kinds[0] };

/* A x = b with A borrowed by the problem (both freed together). */
typedef struct linsys {
  lopt_matrix *A;
  lopt_problem *P;
  int64_t n;
} linsys;

static void random_vector(double *v, int64_t n, uint64_t seed)
{
  test_rng rng = {seed * 0x9E3779B97F4A7C15ULL + 7};
  for (int64_t i = 0; i < n; i++) v[i] = 0.5 + test_rng_uniform(&rng);
}

static linsys system_from(lopt_matrix *A, uint64_t seed)
{
  ck_assert_ptr_nonnull(A);
  linsys L = {A, NULL, lopt_matrix_nrows(A)};
  double *b = malloc((size_t)L.n * sizeof *b);
  random_vector(b, L.n, seed);
  lopt_error err;
  ck_assert_int_eq(lopt_problem_create_linear(&L.P, A, b, &err), LOPT_OK);
  free(b);
  return L;
}

static linsys poisson_system(int64_t N, lopt_stype stype) { return system_from(poisson2d(N, stype), (uint64_t)N); }

static void linsys_free(linsys *L)
{
  lopt_problem_destroy(&L->P);
  lopt_matrix_destroy(&L->A);
}

static lopt_solver *new_solver(lopt_kind kind)
{
  lopt_solver *s = NULL;
  ck_assert_int_eq(lopt_solver_create(&s, kind), LOPT_OK);
  ck_assert_ptr_nonnull(s);
  return s;
}

static lopt_solver *setup_solver(lopt_kind kind, const char *precond, const lopt_problem *P)
{
  lopt_solver *s = new_solver(kind);
  if (precond) ASSERT_RC(lopt_solver_set_choice(s, "precond", precond), LOPT_OK);
  int rc = lopt_solver_setup(s, P, NULL);
  ck_assert_msg(rc == LOPT_OK, "setup: %s: %s", lopt_status_name(rc), lopt_solver_message(s));
  return s;
}

static lopt_result solve_ok(lopt_solver *s)
{
  lopt_result r;
  memset(&r, 0, sizeof r);
  r.size = sizeof r;
  int rc = lopt_solver_solve(s, &r);
  ck_assert_msg(rc == LOPT_OK, "solve: %s: %s", lopt_status_name(rc), lopt_solver_message(s));
  return r;
}

static double figure(const lopt_solver *s, const char *name)
{
  double v = NAN;
  ASSERT_RC(lopt_solver_figure(s, name, &v), LOPT_OK);
  return v;
}

/* y = A x through the wrapped matrix, failing (with `code`) from call number `fail_from` on. */
typedef struct op_ctx {
  const lopt_matrix *A;
  int calls, fail_from, code;
} op_ctx;

static int op_apply(void *ctx, const double *x, double *y)
{
  op_ctx *c = ctx;
  if (c->fail_from >= 0 && c->calls++ >= c->fail_from) return c->code;
  if (c->fail_from < 0) c->calls++;
  return lopt_matrix_apply(c->A, x, y) == LOPT_OK ? 0 : -1;
}

/* ---- names ---------------------------------------------------------------------------------- */

START_TEST(test_status_names_are_distinct_and_known)
{
  const int all[] = {LOPT_OK,         LOPT_EINVAL,    LOPT_ENOMEM,  LOPT_ESTATE, LOPT_EUNSUPPORTED,
                     LOPT_ECALLBACK,  LOPT_ELINALG,   LOPT_EFORMAT, LOPT_EIO};
  const size_t n = sizeof all / sizeof all[0];
  for (size_t i = 0; i < n; i++) {
    const char *name = lopt_status_name(all[i]);
    ck_assert_ptr_nonnull(name);
    ck_assert_int_gt((int)strlen(name), 0);
    ck_assert_str_ne(name, "unknown");
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(name, lopt_status_name(all[j]));
  }
  ck_assert_str_eq(lopt_status_name(LOPT_OK), "ok");
  ck_assert_str_eq(lopt_status_name(LOPT_EINVAL), "einval");
  ck_assert_str_eq(lopt_status_name(1), "unknown");
  ck_assert_str_eq(lopt_status_name(-9), "unknown");
}
END_TEST

START_TEST(test_stop_names_are_distinct_and_known)
{
  for (int v = LOPT_STOP_STAGNATION; v <= LOPT_STOP_USER_SUCCESS; v++) {
    const char *name = lopt_stop_name(v), *text = lopt_stop_description(v);
    ck_assert_ptr_nonnull(name);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_gt((int)strlen(name), 0);
    ck_assert_int_gt((int)strlen(text), 0);
    ck_assert_msg(strcmp(name, "unknown") != 0, "stop %d has no name", v);
    ck_assert_msg(strcmp(text, lopt_stop_description(999)) != 0, "stop %d has no description", v);
    for (int w = LOPT_STOP_STAGNATION; w < v; w++) ck_assert_str_ne(name, lopt_stop_name(w));
  }
  ck_assert_str_eq(lopt_stop_name(LOPT_STOP_RTOL), "rtol");
  ck_assert_str_eq(lopt_stop_name(LOPT_STOP_NOT_SPD), "not_spd");
  ck_assert_str_eq(lopt_stop_name(LOPT_STOP_USER_SUCCESS + 1), "unknown");
  ck_assert_str_eq(lopt_stop_name(LOPT_STOP_STAGNATION - 1), "unknown");
}
END_TEST

START_TEST(test_kind_names_round_trip_for_every_listed_kind)
{
  size_t count = lopt_kind_list(NULL, 0);
  ck_assert_uint_ge(count, 2);
  lopt_kind *kinds = calloc(count + 1, sizeof *kinds);
  kinds[count] = (lopt_kind)12345; /* sentinel: list must not write past cap */
  ck_assert_uint_eq(lopt_kind_list(kinds, count), count);
  ck_assert_int_eq(kinds[count], 12345);
  for (size_t i = 0; i < count; i++) {
    const char *name = lopt_kind_name(kinds[i]);
    ck_assert_str_ne(name, "unknown");
    ck_assert_int_eq(lopt_kind_from_name(name), kinds[i]);
    ck_assert_ptr_nonnull(lopt_kind_summary(kinds[i]));
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(name, lopt_kind_name(kinds[j]));
    lopt_solver *s = new_solver(kinds[i]);
    ck_assert_int_eq(lopt_solver_kind(s), kinds[i]);
    ck_assert_str_eq(lopt_solver_message(s), "");
    lopt_solver_destroy(&s);
  }
  lopt_kind one[2] = {LOPT_KIND_NONE, LOPT_KIND_NONE};
  ck_assert_uint_eq(lopt_kind_list(one, 1), count);
  ck_assert_int_eq(one[0], kinds[0]);
  ck_assert_int_eq(one[1], LOPT_KIND_NONE);
  free(kinds);
  ck_assert_str_eq(lopt_kind_name(LOPT_PCG), "pcg");
  ck_assert_str_eq(lopt_kind_name(LOPT_KIND_NONE), "unknown");
  ck_assert_str_eq(lopt_kind_name((lopt_kind)999), "unknown");
  ck_assert_ptr_null(lopt_kind_summary((lopt_kind)999));
  ck_assert_int_eq(lopt_kind_from_name("pcgg"), LOPT_KIND_NONE);
  ck_assert_int_eq(lopt_kind_from_name("unknown"), LOPT_KIND_NONE);
  ck_assert_int_eq(lopt_kind_from_name(""), LOPT_KIND_NONE);
  ck_assert_int_eq(lopt_kind_from_name(NULL), LOPT_KIND_NONE);
}
END_TEST

START_TEST(test_option_type_names_are_distinct_and_known)
{
  for (int t = LOPT_OPT_BOOL; t <= LOPT_OPT_CALLBACK; t++) {
    const char *name = lopt_option_type_name((lopt_option_type)t);
    ck_assert_str_ne(name, "unknown");
    for (int u = LOPT_OPT_BOOL; u < t; u++) ck_assert_str_ne(name, lopt_option_type_name((lopt_option_type)u));
  }
  ck_assert_str_eq(lopt_option_type_name((lopt_option_type)0), "unknown");
}
END_TEST

START_TEST(test_version_matches_the_header)
{
  int major = -1, minor = -1, patch = -1;
  lopt_version(&major, &minor, &patch);
  ck_assert_int_eq(major, LOPT_VERSION_MAJOR);
  ck_assert_int_eq(minor, LOPT_VERSION_MINOR);
  ck_assert_int_eq(patch, LOPT_VERSION_PATCH);
  lopt_version(NULL, NULL, NULL); /* NULL-safe */
}
END_TEST

/* ---- the option tables ---------------------------------------------------------------------- */

static int in_range(const lopt_option_info *o, double v)
{
  return !isnan(v) && (o->min_exclusive ? v > o->min : v >= o->min) && (o->max_exclusive ? v < o->max : v <= o->max);
}

START_TEST(test_every_option_has_name_doc_valid_type_and_in_range_default)
{
  lopt_kind kinds[256];
  size_t nk = lopt_kind_list(kinds, 256);
  ck_assert_uint_le(nk, 256);
  for (size_t k = 0; k < nk; k++) {
    size_t count = lopt_kind_option_count(kinds[k]);
    ck_assert_uint_gt(count, 0);
    ck_assert_ptr_null(lopt_kind_option(kinds[k], count));
    lopt_solver *s = new_solver(kinds[k]);
    for (size_t i = 0; i < count; i++) {
      const lopt_option_info *o = lopt_kind_option(kinds[k], i);
      ck_assert_ptr_nonnull(o);
      ck_assert_ptr_nonnull(o->name);
      ck_assert_int_gt((int)strlen(o->name), 0);
      ck_assert_msg(o->doc && strlen(o->doc) > 0, "%s.%s has no doc", lopt_kind_name(kinds[k]), o->name);
      ck_assert_msg(o->type >= LOPT_OPT_BOOL && o->type <= LOPT_OPT_CALLBACK, "%s has type %d", o->name, o->type);
      for (size_t j = 0; j < i; j++) ck_assert_str_ne(o->name, lopt_kind_option(kinds[k], j)->name);
      switch (o->type) {
      case LOPT_OPT_BOOL: {
        ck_assert_msg(o->def == 0 || o->def == 1, "%s default %g", o->name, o->def);
        int b = -1;
        ASSERT_RC(lopt_solver_get_bool(s, o->name, &b), LOPT_OK);
        ck_assert_int_eq(b, (int)o->def);
        break;
      }
      case LOPT_OPT_INT: {
        ck_assert_msg(o->min <= o->max, "%s range", o->name);
        ck_assert_msg(in_range(o, o->def) && o->def == floor(o->def), "%s default %g outside its range", o->name,
                      o->def);
        int64_t v = -1;
        ASSERT_RC(lopt_solver_get_int(s, o->name, &v), LOPT_OK);
        ck_assert_int_eq(v, (int64_t)o->def);
        ASSERT_RC(lopt_solver_set_int(s, o->name, (int64_t)o->def), LOPT_OK);
        break;
      }
      case LOPT_OPT_DOUBLE: {
        ck_assert_msg(o->min <= o->max, "%s range", o->name);
        ck_assert_msg(in_range(o, o->def), "%s default %g outside %c%g, %g%c", o->name, o->def,
                      o->min_exclusive ? '(' : '[', o->min, o->max, o->max_exclusive ? ')' : ']');
        double v = NAN;
        ASSERT_RC(lopt_solver_get_double(s, o->name, &v), LOPT_OK);
        ck_assert_msg(v == o->def, "%s reads %g, default %g", o->name, v, o->def);
        ASSERT_RC(lopt_solver_set_double(s, o->name, o->def), LOPT_OK);
        break;
      }
      case LOPT_OPT_CHOICE: {
        ck_assert_ptr_nonnull(o->choices);
        ck_assert_ptr_nonnull(o->choices[0]);
        const char *v = NULL;
        ASSERT_RC(lopt_solver_get_choice(s, o->name, &v), LOPT_OK);
        ck_assert_str_eq(v, o->choices[0]);
        for (size_t c = 0; o->choices[c]; c++) ASSERT_RC(lopt_solver_set_choice(s, o->name, o->choices[c]), LOPT_OK);
        break;
      }
      case LOPT_OPT_CALLBACK: ASSERT_RC(lopt_solver_set_callback(s, o->name, NULL, NULL), LOPT_OK); break;
      }
    }
    /* A name shared across kinds has one type everywhere (api.md: shared names). */
    for (size_t k2 = 0; k2 < k; k2++)
      for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < lopt_kind_option_count(kinds[k2]); j++) {
          const lopt_option_info *o = lopt_kind_option(kinds[k], i), *p = lopt_kind_option(kinds[k2], j);
          if (strcmp(o->name, p->name) == 0)
            ck_assert_msg(o->type == p->type, "option '%s' is a %s in %s but a %s in %s", o->name,
                          lopt_option_type_name(o->type), lopt_kind_name(kinds[k]), lopt_option_type_name(p->type),
                          lopt_kind_name(kinds[k2]));
        }
    lopt_solver_destroy(&s);
  }
  /* The linear kinds share rtol, max_iter and monitor_every. */
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = new_solver(linear_kinds[k]);
    double d;
    int64_t i64;
    ASSERT_RC(lopt_solver_get_double(s, "rtol", &d), LOPT_OK);
    ASSERT_RC(lopt_solver_get_int(s, "max_iter", &i64), LOPT_OK);
    ASSERT_RC(lopt_solver_get_int(s, "monitor_every", &i64), LOPT_OK);
    lopt_solver_destroy(&s);
  }
  ck_assert_uint_eq(lopt_kind_option_count(LOPT_KIND_NONE), 0);
  ck_assert_ptr_null(lopt_kind_option(LOPT_KIND_NONE, 0));
}
END_TEST

START_TEST(test_option_values_round_trip_through_typed_getters)
{
  lopt_solver *s = new_solver(LOPT_PCG);
  double d = 0;
  int64_t i = 0;
  int b = -1;
  const char *c = NULL;
  ASSERT_RC(lopt_solver_set_double(s, "rtol", 1e-6), LOPT_OK);
  ASSERT_RC(lopt_solver_get_double(s, "rtol", &d), LOPT_OK);
  ck_assert(d == 1e-6);
  ASSERT_RC(lopt_solver_set_int(s, "max_iter", 77), LOPT_OK);
  ASSERT_RC(lopt_solver_get_int(s, "max_iter", &i), LOPT_OK);
  ck_assert_int_eq(i, 77);
  ASSERT_RC(lopt_solver_get_double(s, "max_iter", &d), LOPT_OK); /* ints read as doubles */
  ck_assert(d == 77.0);
  ASSERT_RC(lopt_solver_set_double(s, "max_iter", 12.0), LOPT_OK); /* integral doubles set ints */
  ASSERT_RC(lopt_solver_get_int(s, "max_iter", &i), LOPT_OK);
  ck_assert_int_eq(i, 12);
  ASSERT_RC(lopt_solver_set_int(s, "atol", 3), LOPT_OK); /* ints set doubles */
  ASSERT_RC(lopt_solver_get_double(s, "atol", &d), LOPT_OK);
  ck_assert(d == 3.0);
  ASSERT_RC(lopt_solver_set_bool(s, "check_symmetry", 0), LOPT_OK);
  ASSERT_RC(lopt_solver_get_bool(s, "check_symmetry", &b), LOPT_OK);
  ck_assert_int_eq(b, 0);
  ASSERT_RC(lopt_solver_set_bool(s, "check_symmetry", 42), LOPT_OK);
  ASSERT_RC(lopt_solver_get_bool(s, "check_symmetry", &b), LOPT_OK);
  ck_assert_int_eq(b, 1);
  ASSERT_RC(lopt_solver_set_choice(s, "precond", "ssor"), LOPT_OK);
  ASSERT_RC(lopt_solver_get_choice(s, "precond", &c), LOPT_OK);
  ck_assert_str_eq(c, "ssor");
  ASSERT_RC(lopt_solver_set_double(s, "ssor_omega", 1.5), LOPT_OK);
  ASSERT_RC(lopt_solver_get_double(s, "ssor_omega", &d), LOPT_OK);
  ck_assert(d == 1.5);
  lopt_solver_destroy(&s);
}
END_TEST

START_TEST(test_unknown_option_is_einval_suggesting_nearest_name)
{
  lopt_solver *s = new_solver(LOPT_PCG);
  double d;
  ASSERT_RC(lopt_solver_set_double(s, "rtoll", 1e-6), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtoll'");
  ASSERT_MSG(s, "did you mean 'rtol'");
  ASSERT_RC(lopt_solver_set_int(s, "max_iters", 5), LOPT_EINVAL);
  ASSERT_MSG(s, "did you mean 'max_iter'");
  ASSERT_RC(lopt_solver_set_choice(s, "precnd", "jacobi"), LOPT_EINVAL);
  ASSERT_MSG(s, "did you mean 'precond'");
  ASSERT_RC(lopt_solver_set(s, "rtoll", "1e-6"), LOPT_EINVAL);
  ASSERT_MSG(s, "did you mean 'rtol'");
  ASSERT_RC(lopt_solver_get_double(s, "rtoll", &d), LOPT_EINVAL);
  ASSERT_MSG(s, "did you mean 'rtol'");
  ASSERT_RC(lopt_solver_set_bool(s, "gtol", 1), LOPT_EINVAL); /* a shared name this kind does not have */
  ASSERT_MSG(s, "'gtol'");
  ASSERT_RC(lopt_solver_get_double(s, "rtol", &d), LOPT_OK);
  ck_assert(d == 1e-8); /* nothing was changed */
  lopt_solver_destroy(&s);
}
END_TEST

START_TEST(test_wrong_option_type_is_einval_naming_option_and_types)
{
  lopt_solver *s = new_solver(LOPT_PCG);
  int b;
  const char *c;
  int64_t i;
  ASSERT_RC(lopt_solver_set_double(s, "precond", 1.0), LOPT_EINVAL);
  ASSERT_MSG(s, "'precond'");
  ASSERT_MSG(s, "choice");
  ASSERT_MSG(s, "jacobi"); /* lists the valid choices */
  ASSERT_RC(lopt_solver_set_int(s, "precond", 1), LOPT_EINVAL);
  ASSERT_MSG(s, "'precond'");
  ASSERT_RC(lopt_solver_set_bool(s, "rtol", 1), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_MSG(s, "double");
  ASSERT_RC(lopt_solver_set_choice(s, "rtol", "jacobi"), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_RC(lopt_solver_set_callback(s, "rtol", op_apply, NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_RC(lopt_solver_set_double(s, "max_iter", 2.5), LOPT_EINVAL);
  ASSERT_MSG(s, "'max_iter'");
  ASSERT_MSG(s, "whole number");
  ASSERT_RC(lopt_solver_get_bool(s, "precond", &b), LOPT_EINVAL);
  ASSERT_MSG(s, "'precond'");
  ASSERT_RC(lopt_solver_get_choice(s, "rtol", &c), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_RC(lopt_solver_get_int(s, "rtol", &i), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  lopt_solver_destroy(&s);
}
END_TEST

START_TEST(test_out_of_range_option_is_einval_naming_option_and_range)
{
  lopt_solver *s = new_solver(LOPT_PCG);
  double d;
  ASSERT_RC(lopt_solver_set_double(s, "rtol", -1), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_MSG(s, "[0, 1]");
  ASSERT_MSG(s, "-1");
  ASSERT_RC(lopt_solver_set_double(s, "rtol", NAN), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_RC(lopt_solver_set_double(s, "rtol", 1.5), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_double(s, "rtol", 1.0), LOPT_OK); /* inclusive bound */
  ASSERT_RC(lopt_solver_set_double(s, "ssor_omega", 2.0), LOPT_EINVAL); /* exclusive bound */
  ASSERT_MSG(s, "'ssor_omega'");
  ASSERT_MSG(s, "(0, 2)");
  ASSERT_RC(lopt_solver_set_double(s, "ssor_omega", 0.0), LOPT_EINVAL);
  ASSERT_MSG(s, "'ssor_omega'");
  ASSERT_RC(lopt_solver_set_double(s, "ssor_omega", 1.99), LOPT_OK);
  ASSERT_RC(lopt_solver_set_int(s, "max_iter", -1), LOPT_EINVAL);
  ASSERT_MSG(s, "'max_iter'");
  ASSERT_MSG(s, "-1");
  ASSERT_RC(lopt_solver_set_double(s, "max_iter", -1), LOPT_EINVAL);
  ASSERT_MSG(s, "'max_iter'");
  ASSERT_RC(lopt_solver_set_int(s, "monitor_every", -3), LOPT_EINVAL);
  ASSERT_MSG(s, "'monitor_every'");
  ASSERT_RC(lopt_solver_set_double(s, "atol", INFINITY), LOPT_EINVAL);
  ASSERT_MSG(s, "'atol'");
  ASSERT_RC(lopt_solver_set_double(s, "ic_shift", 0), LOPT_EINVAL);
  ASSERT_MSG(s, "'ic_shift'");
  ASSERT_RC(lopt_solver_set_double(s, "max_time", 0), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_double(s, "max_time", INFINITY), LOPT_OK);
  ASSERT_RC(lopt_solver_set_choice(s, "precond", "jacobbi"), LOPT_EINVAL);
  ASSERT_MSG(s, "'precond'");
  ASSERT_MSG(s, "'jacobbi'");
  ASSERT_MSG(s, "none|jacobi|ssor|ic0");
  /* A refused value leaves the option as it was. */
  ASSERT_RC(lopt_solver_get_double(s, "ssor_omega", &d), LOPT_OK);
  ck_assert(d == 1.99);
  ASSERT_RC(lopt_solver_get_double(s, "rtol", &d), LOPT_OK);
  ck_assert(d == 1.0);
  lopt_solver_destroy(&s);
}
END_TEST

START_TEST(test_set_from_text_parses_by_option_type)
{
  lopt_solver *s = new_solver(LOPT_PCG);
  double d;
  int64_t i;
  int b;
  const char *c;
  ASSERT_RC(lopt_solver_set(s, "rtol", "1e-6"), LOPT_OK);
  ASSERT_RC(lopt_solver_get_double(s, "rtol", &d), LOPT_OK);
  ck_assert(d == 1e-6);
  ASSERT_RC(lopt_solver_set(s, "rtol", " 2e-7 "), LOPT_OK);
  ASSERT_RC(lopt_solver_get_double(s, "rtol", &d), LOPT_OK);
  ck_assert(d == 2e-7);
  ASSERT_RC(lopt_solver_set(s, "precond", "jacobi"), LOPT_OK);
  ASSERT_RC(lopt_solver_get_choice(s, "precond", &c), LOPT_OK);
  ck_assert_str_eq(c, "jacobi");
  ASSERT_RC(lopt_solver_set(s, "check_symmetry", "false"), LOPT_OK);
  ASSERT_RC(lopt_solver_get_bool(s, "check_symmetry", &b), LOPT_OK);
  ck_assert_int_eq(b, 0);
  ASSERT_RC(lopt_solver_set(s, "check_symmetry", "true"), LOPT_OK);
  ASSERT_RC(lopt_solver_get_bool(s, "check_symmetry", &b), LOPT_OK);
  ck_assert_int_eq(b, 1);
  ASSERT_RC(lopt_solver_set(s, "max_iter", "250"), LOPT_OK);
  ASSERT_RC(lopt_solver_get_int(s, "max_iter", &i), LOPT_OK);
  ck_assert_int_eq(i, 250);
  ASSERT_RC(lopt_solver_set(s, "max_time", "inf"), LOPT_OK);

  ASSERT_RC(lopt_solver_set(s, "rtol", "abc"), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_MSG(s, "'abc'");
  ASSERT_RC(lopt_solver_set(s, "rtol", "1e-6x"), LOPT_EINVAL);
  ASSERT_MSG(s, "'1e-6x'");
  ASSERT_RC(lopt_solver_set(s, "rtol", ""), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_RC(lopt_solver_set(s, "rtol", "1e999"), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_RC(lopt_solver_set(s, "rtol", "-1"), LOPT_EINVAL); /* parsed, then range-checked */
  ASSERT_MSG(s, "[0, 1]");
  ASSERT_RC(lopt_solver_set(s, "max_iter", "2.5"), LOPT_EINVAL);
  ASSERT_MSG(s, "'max_iter'");
  ASSERT_RC(lopt_solver_set(s, "check_symmetry", "maybe"), LOPT_EINVAL);
  ASSERT_MSG(s, "'maybe'");
  ASSERT_RC(lopt_solver_set(s, "precond", "abc"), LOPT_EINVAL);
  ASSERT_MSG(s, "'abc'");
  ASSERT_MSG(s, "jacobi");
  ASSERT_RC(lopt_solver_set(s, "precond_fn", "f"), LOPT_EINVAL);
  ASSERT_MSG(s, "'precond_fn'");
  ASSERT_MSG(s, "callback");
  ASSERT_RC(lopt_solver_set(s, "rtol", NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_MSG(s, "NULL");
  /* Refused text changed nothing. */
  ASSERT_RC(lopt_solver_get_double(s, "rtol", &d), LOPT_OK);
  ck_assert(d == 2e-7);
  ASSERT_RC(lopt_solver_get_choice(s, "precond", &c), LOPT_OK);
  ck_assert_str_eq(c, "jacobi");
  lopt_solver_destroy(&s);
}
END_TEST

/* ---- NULL handles, arrays and outputs -------------------------------------------------------- */

static int dummy_monitor(const lopt_monitor_info *info, void *ctx)
{
  (void)info, (void)ctx;
  return LOPT_MONITOR_CONTINUE;
}

static void dummy_log(int level, const char *msg, void *ctx)
{
  (void)level, (void)msg, (void)ctx;
}

START_TEST(test_null_solver_handle_is_einval_and_queries_are_safe)
{
  double d, x[2] = {0, 0};
  int64_t i;
  int b;
  const char *c;
  size_t len;
  lopt_result r = {.size = sizeof r};
  linsys L = poisson_system(3, LOPT_GENERAL);
  ASSERT_RC(lopt_solver_set_bool(NULL, "check_symmetry", 1), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_int(NULL, "max_iter", 1), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_double(NULL, "rtol", 1e-3), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_choice(NULL, "precond", "none"), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_callback(NULL, "precond_fn", op_apply, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set(NULL, "rtol", "1e-3"), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_get_bool(NULL, "check_symmetry", &b), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_get_int(NULL, "max_iter", &i), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_get_double(NULL, "rtol", &d), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_get_choice(NULL, "precond", &c), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_monitor(NULL, dummy_monitor, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_set_log(NULL, dummy_log, NULL, LOPT_LOG_INFO), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_setup(NULL, L.P, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_step(NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_solve(NULL, &r), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_solve(NULL, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_get_x(NULL, x, 2), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_result(NULL, &r), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_figure(NULL, "cg_iters", &d), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_state_save(NULL, NULL, 0, &len), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_state_load(NULL, x, sizeof x), LOPT_EINVAL);
  lopt_solver_request_stop(NULL);
  ck_assert_str_eq(lopt_solver_message(NULL), "");
  ck_assert_int_eq(lopt_solver_kind(NULL), LOPT_KIND_NONE);
  ck_assert_int_eq(lopt_solver_stop_reason(NULL), LOPT_STOP_RUNNING);
  ck_assert_ptr_null(lopt_solver_x(NULL));
  linsys_free(&L);
}
END_TEST

START_TEST(test_solver_create_refuses_null_out_invalid_kind_and_half_allocator)
{
  lopt_solver *s = (lopt_solver *)&s; /* garbage: create must overwrite it with NULL on failure */
  ASSERT_RC(lopt_solver_create(NULL, LOPT_PCG), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_create(&s, LOPT_KIND_NONE), LOPT_EINVAL);
  ck_assert_ptr_null(s);
  s = (lopt_solver *)&s;
  ASSERT_RC(lopt_solver_create(&s, (lopt_kind)999), LOPT_EINVAL);
  ck_assert_ptr_null(s);
  test_alloc a;
  test_alloc_init(&a);
  lopt_allocator half = a.base;
  half.free = NULL;
  s = (lopt_solver *)&s;
  ASSERT_RC(lopt_solver_create_ex(&s, LOPT_PCG, &half), LOPT_EINVAL);
  ck_assert_ptr_null(s);
  half = a.base;
  half.alloc = NULL;
  ASSERT_RC(lopt_solver_create_ex(&s, LOPT_PCG, &half), LOPT_EINVAL);
  ck_assert_ptr_null(s);
  ASSERT_RC(lopt_solver_create_ex(NULL, LOPT_PCG, &a.base), LOPT_EINVAL);
  ck_assert_int_eq(a.live_blocks, 0);
  ASSERT_RC(lopt_solver_create_ex(&s, LOPT_PCG, NULL), LOPT_OK); /* NULL allocator: malloc */
  lopt_solver_destroy(&s);
  ASSERT_RC(lopt_solver_create_ex(&s, LOPT_PCG, &a.base), LOPT_OK);
  ck_assert_int_gt(a.live_blocks, 0);
  lopt_solver_destroy(&s);
  ck_assert_int_eq(a.live_blocks, 0);
}
END_TEST

START_TEST(test_destroy_is_null_safe_and_nulls_the_pointer)
{
  lopt_solver_destroy(NULL);
  lopt_matrix_destroy(NULL);
  lopt_problem_destroy(NULL);
  lopt_solver *s = NULL;
  lopt_matrix *m = NULL;
  lopt_problem *p = NULL;
  lopt_solver_destroy(&s);
  lopt_matrix_destroy(&m);
  lopt_problem_destroy(&p);
  linsys L = poisson_system(3, LOPT_GENERAL);
  s = setup_solver(LOPT_PCG, "jacobi", L.P);
  lopt_solver_destroy(&s);
  ck_assert_ptr_null(s);
  lopt_solver_destroy(&s); /* twice: still safe */
  lopt_problem_destroy(&L.P);
  ck_assert_ptr_null(L.P);
  lopt_matrix_destroy(&L.A);
  ck_assert_ptr_null(L.A);
  lopt_matrix_destroy(&L.A);
}
END_TEST

START_TEST(test_null_option_name_and_outputs_are_einval_with_sentence)
{
  lopt_solver *s = new_solver(LOPT_PCG);
  ASSERT_RC(lopt_solver_set_double(s, NULL, 1), LOPT_EINVAL);
  ASSERT_MSG(s, "NULL");
  ASSERT_RC(lopt_solver_set(s, NULL, "1"), LOPT_EINVAL);
  ASSERT_MSG(s, "option name");
  ASSERT_RC(lopt_solver_get_double(s, "rtol", NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "'rtol'");
  ASSERT_MSG(s, "NULL");
  ASSERT_RC(lopt_solver_get_int(s, "max_iter", NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "'max_iter'");
  ASSERT_RC(lopt_solver_get_bool(s, "check_symmetry", NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_get_choice(s, "precond", NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "'precond'");
  ASSERT_RC(lopt_solver_set_choice(s, "precond", NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "'precond'");
  ASSERT_RC(lopt_solver_set_log(s, dummy_log, NULL, 7), LOPT_EINVAL);
  ASSERT_MSG(s, "level 7");
  ASSERT_RC(lopt_solver_set_log(s, dummy_log, NULL, -1), LOPT_EINVAL);
  ASSERT_MSG(s, "level -1");
  lopt_solver_destroy(&s);
}
END_TEST

START_TEST(test_matrix_create_refuses_null_out_and_null_arrays_with_sentence)
{
  const double a[4] = {2, 0, 0, 2};
  const int64_t ptr[3] = {0, 1, 2}, idx[2] = {0, 1};
  const double val[2] = {1, 1};
  lopt_matrix *m = NULL;
  lopt_error err;

  memset(&err, 0, sizeof err);
  ASSERT_RC(lopt_matrix_create_dense(NULL, 2, 2, a, 2, LOPT_COPY, &err), LOPT_EINVAL);
  ck_assert_int_eq(err.status, LOPT_EINVAL);
  ASSERT_HAS(err.message, "lopt_matrix_create_dense");
  ASSERT_HAS(err.message, "output pointer");
  ASSERT_RC(lopt_matrix_create_dense(&m, 2, 2, NULL, 2, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "data is NULL");
  ck_assert_ptr_null(m);
  ASSERT_RC(lopt_matrix_create_dense(&m, 2, 2, NULL, 2, LOPT_COPY, NULL), LOPT_EINVAL); /* err optional */

  ASSERT_RC(lopt_matrix_create_csr(NULL, 2, 2, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "lopt_matrix_create_csr");
  ASSERT_HAS(err.message, "output pointer");
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, NULL, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "pointer array");
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, ptr, NULL, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "index or value array");
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, ptr, idx, NULL, LOPT_GENERAL, LOPT_VIEW, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "index or value array");
  ASSERT_RC(lopt_matrix_create_csc(&m, 2, 2, ptr, NULL, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "lopt_matrix_create_csc");
  ck_assert_ptr_null(m);

  ASSERT_RC(lopt_matrix_create_coo(&m, 2, 2, 2, NULL, idx, val, LOPT_GENERAL, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "lopt_matrix_create_coo");
  ASSERT_HAS(err.message, "NULL");
  ASSERT_RC(lopt_matrix_create_coo(NULL, 2, 2, 2, idx, idx, val, LOPT_GENERAL, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "output pointer");
  ASSERT_RC(lopt_matrix_create_coo(&m, 2, 2, -1, idx, idx, val, LOPT_GENERAL, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "nnz -1");

  ASSERT_RC(lopt_matrix_create_operator(&m, 2, 2, NULL, NULL, 1, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "apply callback is NULL");
  ASSERT_RC(lopt_matrix_create_operator(NULL, 2, 2, op_apply, NULL, 1, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "output pointer");
  ck_assert_ptr_null(m);

  ASSERT_RC(lopt_matrix_read_mm(&m, NULL, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "path");
  ASSERT_RC(lopt_matrix_read_mm(NULL, "x.mtx", &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "output pointer");
  ASSERT_RC(lopt_matrix_read_mm(&m, "/nonexistent/dir/none.mtx", &err), LOPT_EIO);
  ASSERT_HAS(err.message, "/nonexistent/dir/none.mtx");
  ASSERT_RC(lopt_matrix_write_mm(NULL, "/tmp/x.mtx", &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "matrix is NULL");
  ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_matrix_queries_on_null_or_wrong_storage_are_safe)
{
  double y[2], x[2] = {1, 1};
  const double *data;
  const int64_t *p;
  int64_t ld;
  ck_assert_int_eq(lopt_matrix_nrows(NULL), 0);
  ck_assert_int_eq(lopt_matrix_ncols(NULL), 0);
  ck_assert_int_eq(lopt_matrix_nnz(NULL), 0);
  ck_assert_int_eq(lopt_matrix_is_symmetric(NULL), 0);
  ASSERT_RC(lopt_matrix_apply(NULL, x, y), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_diagonal(NULL, y), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_sparse_arrays(NULL, &p, NULL, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_dense_data(NULL, &data, &ld), LOPT_EINVAL);
  ck_assert_int_eq(lopt_problem_dim(NULL), 0);
  ck_assert_int_eq(lopt_problem_get_type(NULL), 0);

  const double a[4] = {2, 1, 1, 2};
  lopt_matrix *m = NULL;
  ASSERT_RC(lopt_matrix_create_dense(&m, 2, 2, a, 2, LOPT_VIEW, NULL), LOPT_OK);
  ASSERT_RC(lopt_matrix_apply(m, NULL, y), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_apply(m, x, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_diagonal(m, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_sparse_arrays(m, &p, NULL, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_apply(m, x, y), LOPT_OK);
  ck_assert(y[0] == 3 && y[1] == 3);
  lopt_matrix_destroy(&m);
  op_ctx c = {NULL, 0, -1, 0};
  ASSERT_RC(lopt_matrix_create_operator(&m, 2, 2, op_apply, &c, 1, NULL), LOPT_OK);
  ASSERT_RC(lopt_matrix_diagonal(m, y), LOPT_EINVAL);
  ASSERT_RC(lopt_matrix_dense_data(m, &data, &ld), LOPT_EINVAL);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_problem_create_linear_refuses_null_out_A_and_b)
{
  const double b[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  lopt_matrix *A = poisson2d(3, LOPT_GENERAL);
  lopt_problem *p = (lopt_problem *)&p;
  lopt_error err;
  ASSERT_RC(lopt_problem_create_linear(NULL, A, b, &err), LOPT_EINVAL);
  ck_assert_int_eq(err.status, LOPT_EINVAL);
  ASSERT_HAS(err.message, "lopt_problem_create_linear");
  ASSERT_HAS(err.message, "output pointer");
  ASSERT_RC(lopt_problem_create_linear(&p, NULL, b, &err), LOPT_EINVAL);
  ck_assert_ptr_null(p);
  ASSERT_HAS(err.message, "matrix A is NULL");
  ASSERT_RC(lopt_problem_create_linear(&p, A, NULL, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "right-hand side b is NULL");
  ASSERT_RC(lopt_problem_create_linear(&p, A, NULL, NULL), LOPT_EINVAL);
  ASSERT_RC(lopt_problem_create_linear(&p, A, b, &err), LOPT_OK);
  ck_assert_int_eq(lopt_problem_dim(p), 9);
  ck_assert_int_eq(lopt_problem_get_type(p), LOPT_PROBLEM_LINEAR);
  lopt_problem_destroy(&p);
  lopt_matrix_destroy(&A);
}
END_TEST

START_TEST(test_problem_create_linear_refuses_non_square_A)
{
  const double a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {1, 1, 1};
  lopt_matrix *A = NULL;
  lopt_problem *p = NULL;
  lopt_error err;
  ASSERT_RC(lopt_matrix_create_dense(&A, 2, 3, a, 2, LOPT_COPY, &err), LOPT_OK);
  ASSERT_RC(lopt_problem_create_linear(&p, A, b, &err), LOPT_EINVAL);
  ck_assert_ptr_null(p);
  ASSERT_HAS(err.message, "2 x 3");
  ASSERT_HAS(err.message, "square");
  lopt_matrix_destroy(&A);
}
END_TEST

START_TEST(test_problem_create_linear_refuses_nonfinite_b)
{
  double b[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  lopt_matrix *A = poisson2d(3, LOPT_GENERAL);
  lopt_problem *p = NULL;
  lopt_error err;
  b[4] = NAN;
  ASSERT_RC(lopt_problem_create_linear(&p, A, b, &err), LOPT_EINVAL);
  ck_assert_ptr_null(p);
  ASSERT_HAS(err.message, "b[4]");
  ASSERT_HAS(err.message, "finite");
  b[4] = 1;
  b[8] = -INFINITY;
  ASSERT_RC(lopt_problem_create_linear(&p, A, b, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "b[8]");
  lopt_matrix_destroy(&A);
}
END_TEST

START_TEST(test_setup_refuses_null_problem_and_nonfinite_x0)
{
  linsys L = poisson_system(3, LOPT_GENERAL);
  double x0[9] = {0};
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = new_solver(linear_kinds[k]);
    ASSERT_RC(lopt_solver_setup(s, NULL, NULL), LOPT_EINVAL);
    ASSERT_MSG(s, lopt_kind_name(linear_kinds[k]));
    ASSERT_MSG(s, "problem");
    x0[7] = NAN;
    ASSERT_RC(lopt_solver_setup(s, L.P, x0), LOPT_EINVAL);
    ASSERT_MSG(s, "x0[7]");
    x0[7] = 0;
    ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE); /* a refused setup leaves the solver not set up */
    ASSERT_MSG(s, "setup");
    ASSERT_RC(lopt_solver_setup(s, L.P, x0), LOPT_OK);
    ck_assert_str_eq(lopt_solver_message(s), "");
    lopt_solver_destroy(&s);
  }
  linsys_free(&L);
}
END_TEST

START_TEST(test_get_x_checks_state_output_and_length)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  lopt_solver *s = new_solver(LOPT_PCG);
  double x[16];
  ASSERT_RC(lopt_solver_get_x(s, x, 16), LOPT_ESTATE);
  ASSERT_MSG(s, "setup");
  ck_assert_ptr_null(lopt_solver_x(s));
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  ASSERT_RC(lopt_solver_get_x(s, NULL, 16), LOPT_EINVAL);
  ASSERT_MSG(s, "NULL");
  ASSERT_RC(lopt_solver_get_x(s, x, 5), LOPT_EINVAL);
  ASSERT_MSG(s, "5");
  ASSERT_MSG(s, "16");
  ASSERT_RC(lopt_solver_get_x(s, x, 17), LOPT_EINVAL);
  ASSERT_MSG(s, "17");
  ASSERT_RC(lopt_solver_get_x(s, x, -1), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_get_x(s, x, 16), LOPT_OK);
  ck_assert_ptr_nonnull(lopt_solver_x(s));
  ck_assert_int_eq(memcmp(x, lopt_solver_x(s), sizeof x), 0);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_result_requires_size_pointer_and_setup)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  lopt_solver *s = new_solver(LOPT_PCG);
  lopt_result r;
  memset(&r, 0, sizeof r);
  r.size = sizeof r;
  ASSERT_RC(lopt_solver_result(s, &r), LOPT_ESTATE);
  ASSERT_MSG(s, "setup");
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  ASSERT_RC(lopt_solver_result(s, NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "NULL");
  r.size = 0;
  ASSERT_RC(lopt_solver_result(s, &r), LOPT_EINVAL);
  ASSERT_MSG(s, "size 0");
  ASSERT_MSG(s, "sizeof");
  r.size = sizeof r - 1;
  ASSERT_RC(lopt_solver_result(s, &r), LOPT_EINVAL);
  ASSERT_MSG(s, "sizeof");
  /* solve refuses a too-small result before doing any work */
  r.size = 0;
  ASSERT_RC(lopt_solver_solve(s, &r), LOPT_EINVAL);
  ASSERT_MSG(s, "sizeof");
  r.size = sizeof r;
  ASSERT_RC(lopt_solver_result(s, &r), LOPT_OK);
  ck_assert_int_eq(r.iterations, 0);
  ck_assert_int_eq(r.stop, LOPT_STOP_RUNNING);
  ck_assert_int_eq(r.usable, 0);
  ASSERT_RC(lopt_solver_solve(s, NULL), LOPT_OK); /* a NULL result is fine for solve */
  ck_assert_int_gt(lopt_solver_stop_reason(s), 0);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_result_with_larger_size_is_accepted_and_tail_untouched)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  lopt_solver *s = setup_solver(LOPT_PCG, NULL, L.P);
  struct {
    lopt_result r;
    unsigned char tail[64];
  } big;
  memset(&big, 0xAB, sizeof big);
  big.r.size = sizeof big;
  ASSERT_RC(lopt_solver_solve(s, &big.r), LOPT_OK);
  ck_assert_uint_eq(big.r.size, sizeof big);
  for (size_t i = 0; i < sizeof big.tail; i++) ck_assert_uint_eq(big.tail[i], 0xAB);
  ck_assert_int_eq(big.r.stop, LOPT_STOP_RTOL);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_figure_unknown_name_lists_valid_names)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  double v;
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = new_solver(linear_kinds[k]);
    ASSERT_RC(lopt_solver_figure(s, "rel_residual", &v), LOPT_ESTATE);
    ASSERT_MSG(s, "setup");
    ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
    ASSERT_RC(lopt_solver_figure(s, "nope", &v), LOPT_EINVAL);
    ASSERT_MSG(s, "'nope'");
    ASSERT_MSG(s, "rel_residual");
    ASSERT_MSG(s, "matvecs");
    ASSERT_RC(lopt_solver_figure(s, NULL, &v), LOPT_EINVAL);
    ASSERT_MSG(s, "NULL");
    ASSERT_RC(lopt_solver_figure(s, "rel_residual", NULL), LOPT_EINVAL);
    ASSERT_MSG(s, "NULL");
    solve_ok(s);
    ASSERT_RC(lopt_solver_figure(s, "rel_residual", &v), LOPT_OK);
    ck_assert(v >= 0 && v < 1e-6);
    lopt_solver_destroy(&s);
  }
  lopt_solver *s = setup_solver(LOPT_PCG, NULL, L.P);
  ASSERT_RC(lopt_solver_figure(s, "inner_iters", &v), LOPT_EINVAL);
  ASSERT_MSG(s, "cg_iters");
  ASSERT_MSG(s, "ic_shift");
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

/* ---- matrix validation ----------------------------------------------------------------------- */

START_TEST(test_csr_with_decreasing_ptr_is_einval_naming_the_row)
{
  const int64_t ptr[4] = {0, 2, 1, 3}, idx[3] = {0, 1, 2};
  const double val[3] = {1, 1, 1};
  lopt_matrix *m = NULL;
  lopt_error err;
  ASSERT_RC(lopt_matrix_create_csr(&m, 3, 3, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ck_assert_ptr_null(m);
  ASSERT_HAS(err.message, "ptr decreases at row 1");
  ASSERT_RC(lopt_matrix_create_csc(&m, 3, 3, ptr, idx, val, LOPT_GENERAL, LOPT_VIEW, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "ptr decreases at column 1");
  const int64_t ptr1[4] = {1, 1, 2, 3};
  ASSERT_RC(lopt_matrix_create_csr(&m, 3, 3, ptr1, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "ptr[0] is 1");
}
END_TEST

START_TEST(test_csr_with_index_out_of_range_is_einval_naming_it)
{
  const int64_t ptr[4] = {0, 1, 2, 3}, idx[3] = {0, 5, 2}, neg[3] = {0, 1, -1};
  const double val[3] = {1, 1, 1};
  lopt_matrix *m = NULL;
  lopt_error err;
  ASSERT_RC(lopt_matrix_create_csr(&m, 3, 3, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ck_assert_ptr_null(m);
  ASSERT_HAS(err.message, "row 1");
  ASSERT_HAS(err.message, "index 5");
  ASSERT_HAS(err.message, "[0, 3)");
  ASSERT_RC(lopt_matrix_create_csr(&m, 3, 3, ptr, neg, val, LOPT_GENERAL, LOPT_VIEW, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "index -1");
  ASSERT_RC(lopt_matrix_create_csc(&m, 3, 3, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "column 1 has row index 5");
  const int64_t rows[2] = {0, 3}, cols[2] = {0, 0};
  ASSERT_RC(lopt_matrix_create_coo(&m, 3, 3, 2, rows, cols, val, LOPT_GENERAL, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "triplet 1");
  ASSERT_HAS(err.message, "(3, 0)");
}
END_TEST

START_TEST(test_csr_with_nan_value_is_einval_naming_the_entry)
{
  const int64_t ptr[4] = {0, 1, 2, 3}, idx[3] = {0, 1, 2};
  const double val[3] = {1, NAN, 1};
  lopt_matrix *m = NULL;
  lopt_error err;
  ASSERT_RC(lopt_matrix_create_csr(&m, 3, 3, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ck_assert_ptr_null(m);
  ASSERT_HAS(err.message, "entry (1, 1)");
  ASSERT_HAS(err.message, "finite");
  const double inf[3] = {1, 1, INFINITY};
  ASSERT_RC(lopt_matrix_create_csc(&m, 3, 3, ptr, idx, inf, LOPT_GENERAL, LOPT_VIEW, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "entry (2, 2)");
  const double dense[4] = {1, 0, NAN, 1};
  ASSERT_RC(lopt_matrix_create_dense(&m, 2, 2, dense, 2, LOPT_VIEW, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "entry (0, 1)");
  const int64_t rows[1] = {0};
  const double nanv[1] = {NAN};
  ASSERT_RC(lopt_matrix_create_coo(&m, 3, 3, 1, rows, rows, nanv, LOPT_GENERAL, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "triplet 0");
}
END_TEST

START_TEST(test_csr_duplicates_are_refused_for_view_and_copy)
{
  const int64_t ptr[3] = {0, 1, 3}, idx[3] = {0, 1, 1};
  const double val[3] = {1, 1, 1};
  lopt_matrix *m = NULL;
  lopt_error err;
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, ptr, idx, val, LOPT_GENERAL, LOPT_VIEW, &err), LOPT_EINVAL);
  ck_assert_ptr_null(m);
  ASSERT_HAS(err.message, "row 1");
  ASSERT_HAS(err.message, "repeated");
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ck_assert_ptr_null(m);
  ASSERT_HAS(err.message, "entry (1, 1) is given twice");
  ASSERT_RC(lopt_matrix_create_csc(&m, 2, 2, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "given twice");
  /* unsorted but unique: a view refuses, a copy sorts */
  const int64_t uptr[3] = {0, 2, 3}, uidx[3] = {1, 0, 1};
  const double uval[3] = {5, 7, 9};
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, uptr, uidx, uval, LOPT_GENERAL, LOPT_VIEW, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "unsorted");
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, uptr, uidx, uval, LOPT_GENERAL, LOPT_COPY, &err), LOPT_OK);
  const int64_t *p, *ix;
  const double *v;
  ASSERT_RC(lopt_matrix_sparse_arrays(m, &p, &ix, &v), LOPT_OK);
  ck_assert(ix[0] == 0 && ix[1] == 1 && v[0] == 7 && v[1] == 5);
  lopt_matrix_destroy(&m);
  /* coo sums duplicates, as documented */
  const int64_t r[3] = {0, 0, 1}, c[3] = {0, 0, 1};
  ASSERT_RC(lopt_matrix_create_coo(&m, 2, 2, 3, r, c, val, LOPT_GENERAL, &err), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_nnz(m), 2);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_matrix_shape_arguments_are_checked)
{
  const int64_t ptr[3] = {0, 1, 2}, idx[2] = {0, 1};
  const double val[2] = {1, 1}, a[6] = {1, 2, 3, 4, 5, 6};
  lopt_matrix *m = NULL;
  lopt_error err;
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 3, ptr, idx, val, LOPT_LOWER, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "square");
  ASSERT_HAS(err.message, "2 x 3");
  ASSERT_RC(lopt_matrix_create_csr(&m, -2, 2, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "negative");
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, ptr, idx, val, (lopt_stype)5, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "stype 5");
  ASSERT_RC(lopt_matrix_create_csr(&m, 2, 2, ptr, idx, val, LOPT_GENERAL, (lopt_ownership)9, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "ownership 9");
  ASSERT_RC(lopt_matrix_create_dense(&m, 3, 2, a, 2, LOPT_COPY, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "leading dimension 2");
  ASSERT_RC(lopt_matrix_create_operator(&m, 2, 3, op_apply, NULL, 1, &err), LOPT_EINVAL);
  ASSERT_HAS(err.message, "square");
  ck_assert_ptr_null(m);
}
END_TEST

/* ---- what setup requires --------------------------------------------------------------------- */

START_TEST(test_user_precond_without_precond_fn_is_einval_naming_precond_fn)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  lopt_solver *s = new_solver(LOPT_PCG);
  ASSERT_RC(lopt_solver_set_choice(s, "precond", "user"), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "precond_fn");
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  ASSERT_MSG(s, "setup");
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_operator_not_declared_symmetric_is_einval)
{
  lopt_matrix *B = poisson2d(4, LOPT_GENERAL), *A = NULL;
  op_ctx c = {B, 0, -1, 0};
  ASSERT_RC(lopt_matrix_create_operator(&A, 16, 16, op_apply, &c, 0, NULL), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_is_symmetric(A), 0);
  linsys L = system_from(A, 1);
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = new_solver(linear_kinds[k]);
    ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_EINVAL);
    ASSERT_MSG(s, lopt_kind_name(linear_kinds[k]));
    ASSERT_MSG(s, "symmetric");
    lopt_solver_destroy(&s);
  }
  linsys_free(&L);
  lopt_matrix_destroy(&B);
}
END_TEST

START_TEST(test_assembled_precond_on_operator_is_eunsupported)
{
  static const char *const assembled[] = {"jacobi", "ssor", "ic0", "cholmod"};
  lopt_matrix *B = poisson2d(4, LOPT_GENERAL), *A = NULL;
  op_ctx c = {B, 0, -1, 0};
  ASSERT_RC(lopt_matrix_create_operator(&A, 16, 16, op_apply, &c, 1, NULL), LOPT_OK);
  linsys L = system_from(A, 1);
  for (size_t k = 0; k < sizeof assembled / sizeof assembled[0]; k++) {
    lopt_solver *s = new_solver(LOPT_PCG);
    ASSERT_RC(lopt_solver_set_choice(s, "precond", assembled[k]), LOPT_OK);
    ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_EUNSUPPORTED);
    ASSERT_MSG(s, assembled[k]);
    ASSERT_MSG(s, "operator");
    lopt_solver_destroy(&s);
  }
  lopt_solver *s = setup_solver(LOPT_PCG, "none", L.P); /* and none works on it */
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  lopt_solver_destroy(&s);
  linsys_free(&L);
  lopt_matrix_destroy(&B);
}
END_TEST

START_TEST(test_general_nonsymmetric_A_is_einval_naming_the_entry)
{
  const double a[9] = {4, 1, 0, 0, 4, 1, 0, 0, 4}; /* column-major: lower bidiagonal */
  lopt_matrix *A = NULL;
  ASSERT_RC(lopt_matrix_create_dense(&A, 3, 3, a, 3, LOPT_COPY, NULL), LOPT_OK);
  linsys L = system_from(A, 3);
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = new_solver(linear_kinds[k]);
    ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_EINVAL);
    ASSERT_MSG(s, "not symmetric");
    ASSERT_MSG(s, "check_symmetry");
    ASSERT_RC(lopt_solver_set_bool(s, "check_symmetry", 0), LOPT_OK);
    ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
    lopt_solver_destroy(&s);
  }
  linsys_free(&L);
}
END_TEST

/* ---- call order -------------------------------------------------------------------------------- */

START_TEST(test_step_before_setup_is_estate_with_sentence)
{
  size_t len;
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = new_solver(linear_kinds[k]);
    ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
    ASSERT_MSG(s, lopt_kind_name(linear_kinds[k]));
    ASSERT_MSG(s, "lopt_solver_setup");
    ASSERT_RC(lopt_solver_solve(s, NULL), LOPT_ESTATE);
    ASSERT_MSG(s, "lopt_solver_setup");
    ASSERT_RC(lopt_solver_state_save(s, NULL, 0, &len), LOPT_ESTATE);
    ASSERT_MSG(s, "setup");
    ck_assert_int_eq(lopt_solver_stop_reason(s), LOPT_STOP_RUNNING);
    lopt_solver_destroy(&s);
  }
}
END_TEST

START_TEST(test_step_after_the_run_ended_is_estate_with_sentence)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = setup_solver(linear_kinds[k], NULL, L.P);
    lopt_result r = solve_ok(s);
    ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
    ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
    ASSERT_MSG(s, "already ended");
    ASSERT_MSG(s, "rtol");
    ASSERT_MSG(s, "lopt_solver_setup");
    lopt_result again = solve_ok(s); /* solve after the end only reports */
    ck_assert_int_eq(again.iterations, r.iterations);
    ck_assert_int_eq(again.stop, r.stop);
    ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK); /* a new setup starts a new run */
    ASSERT_RC(lopt_solver_step(s), LOPT_OK);
    lopt_solver_destroy(&s);
  }
  linsys_free(&L);
}
END_TEST

START_TEST(test_fixed_option_change_after_setup_requires_setup_again)
{
  linsys L = poisson_system(5, LOPT_GENERAL);
  lopt_solver *s = setup_solver(LOPT_PCG, "jacobi", L.P);
  ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  ASSERT_RC(lopt_solver_set_choice(s, "precond", "ssor"), LOPT_OK);
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  ASSERT_MSG(s, "setup");
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE); /* still, until setup */
  ASSERT_RC(lopt_solver_solve(s, NULL), LOPT_ESTATE);
  ASSERT_MSG(s, "setup");
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  /* the same for a fixed double and bool */
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  ASSERT_RC(lopt_solver_set_double(s, "ssor_omega", 1.2), LOPT_OK);
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  ASSERT_RC(lopt_solver_set_bool(s, "check_symmetry", 0), LOPT_OK);
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_mutable_options_may_change_between_steps)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = setup_solver(linear_kinds[k], NULL, L.P);
    ASSERT_RC(lopt_solver_step(s), LOPT_OK);
    ASSERT_RC(lopt_solver_set_double(s, "rtol", 1e-3), LOPT_OK);
    ASSERT_RC(lopt_solver_step(s), LOPT_OK);
    ASSERT_RC(lopt_solver_set_int(s, "max_iter", 5), LOPT_OK);
    ASSERT_RC(lopt_solver_step(s), LOPT_OK);
    ASSERT_RC(lopt_solver_set_int(s, "monitor_every", 2), LOPT_OK);
    ASSERT_RC(lopt_solver_set_double(s, "max_time", 100.0), LOPT_OK);
    ASSERT_RC(lopt_solver_step(s), LOPT_OK);
    lopt_result r = solve_ok(s);
    ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
    ck_assert_int_eq(r.iterations, 5);
    ck_assert_int_eq(r.usable, 1);
    lopt_solver_destroy(&s);
  }
  linsys_free(&L);
}
END_TEST

START_TEST(test_max_iter_lowered_below_the_count_stops_before_another_step)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  lopt_solver *s = setup_solver(linear_kinds[_i], NULL, L.P);
  for (int k = 0; k < 4; k++) ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  ASSERT_RC(lopt_solver_set_int(s, "max_iter", 2), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
  ck_assert_int_eq(r.iterations, 4);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

/* rtol is declared mutable after setup: a value set after setup must govern the run. */
START_TEST(test_rtol_tightened_after_setup_governs_the_run)
{
  linsys L = poisson_system(10, LOPT_GENERAL);
  lopt_kind kind = linear_kinds[_i];
  lopt_solver *s = new_solver(kind);
  ASSERT_RC(lopt_solver_set_double(s, "rtol", 0.5), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  ASSERT_RC(lopt_solver_set_double(s, "rtol", 1e-10), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  double rel = figure(s, "rel_residual");
  ck_assert_msg(rel <= 1e-9, "%s: rtol set to 1e-10 after setup, but the run stopped at relative residual %g "
                "after %lld iterations (the rtol of 0.5 given before setup was used)",
                lopt_kind_name(kind), rel, (long long)r.iterations);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

/* atol is declared mutable after setup: raising it between steps ends the run at the next test. */
START_TEST(test_atol_raised_between_steps_stops_at_the_next_step)
{
  linsys L = poisson_system(10, LOPT_GENERAL);
  lopt_kind kind = linear_kinds[_i];
  lopt_solver *s = setup_solver(kind, NULL, L.P);
  ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  ASSERT_RC(lopt_solver_set_double(s, "atol", 1e300), LOPT_OK);
  ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  ck_assert_msg(lopt_solver_stop_reason(s) == LOPT_STOP_ATOL,
                "%s: atol = 1e300 set between steps; the next step ended with '%s', not 'atol'",
                lopt_kind_name(kind), lopt_stop_name(lopt_solver_stop_reason(s)));
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_solver_set_up_again_on_another_dimension)
{
  linsys a = poisson_system(4, LOPT_GENERAL), b = poisson_system(6, LOPT_LOWER);
  lopt_solver *s = setup_solver(LOPT_PCG, "ic0", a.P);
  solve_ok(s);
  ASSERT_RC(lopt_solver_setup(s, b.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  double x[36];
  ASSERT_RC(lopt_solver_get_x(s, x, 16), LOPT_EINVAL);
  ASSERT_MSG(s, "36");
  ASSERT_RC(lopt_solver_get_x(s, x, 36), LOPT_OK);
  lopt_solver_destroy(&s);
  linsys_free(&a);
  linsys_free(&b);
}
END_TEST

START_TEST(test_zero_rhs_is_solved_exactly_in_zero_iterations)
{
  lopt_matrix *A = poisson2d(4, LOPT_GENERAL);
  double b[16] = {0}, x0[16], x[16];
  for (int i = 0; i < 16; i++) x0[i] = i + 1;
  lopt_problem *P = NULL;
  ASSERT_RC(lopt_problem_create_linear(&P, A, b, NULL), LOPT_OK);
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = new_solver(linear_kinds[k]);
    ASSERT_RC(lopt_solver_setup(s, P, x0), LOPT_OK);
    lopt_result r = solve_ok(s);
    ck_assert_int_eq(r.stop, LOPT_STOP_EXACT);
    ck_assert_int_eq(r.iterations, 0);
    ck_assert_int_eq(r.usable, 1);
    ASSERT_RC(lopt_solver_get_x(s, x, 16), LOPT_OK);
    for (int i = 0; i < 16; i++) ck_assert(x[i] == 0.0);
    lopt_solver_destroy(&s);
  }
  lopt_problem_destroy(&P);
  lopt_matrix_destroy(&A);
}
END_TEST

START_TEST(test_empty_system_is_solved_exactly)
{
  const int64_t ptr[1] = {0};
  const double b[1] = {0};
  lopt_matrix *A = NULL;
  lopt_error err;
  ASSERT_RC(lopt_matrix_create_csr(&A, 0, 0, ptr, NULL, NULL, LOPT_GENERAL, LOPT_COPY, &err), LOPT_OK);
  linsys L = {A, NULL, 0};
  ASSERT_RC(lopt_problem_create_linear(&L.P, A, b, &err), LOPT_OK);
  ck_assert_int_eq(lopt_problem_dim(L.P), 0);
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = setup_solver(linear_kinds[k], NULL, L.P);
    lopt_result r = solve_ok(s);
    ck_assert_int_eq(r.stop, LOPT_STOP_EXACT);
    ck_assert_int_eq(r.iterations, 0);
    double x[1];
    ASSERT_RC(lopt_solver_get_x(s, x, 0), LOPT_OK);
    lopt_solver_destroy(&s);
  }
  linsys_free(&L);
}
END_TEST

START_TEST(test_converged_x0_ends_the_run_at_setup)
{
  linsys L = poisson_system(5, LOPT_GENERAL);
  double x[25];
  lopt_solver *s = new_solver(linear_kinds[_i]);
  ASSERT_RC(lopt_solver_set_double(s, "rtol", 1e-12), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  solve_ok(s);
  ASSERT_RC(lopt_solver_get_x(s, x, 25), LOPT_OK);
  ASSERT_RC(lopt_solver_set_double(s, "rtol", 1e-6), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, x), LOPT_OK);
  ck_assert_int_eq(lopt_solver_stop_reason(s), LOPT_STOP_RTOL);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.iterations, 0);
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  ck_assert_int_eq(memcmp(lopt_solver_x(s), x, sizeof x), 0);
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  ASSERT_MSG(s, "already ended");
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

/* ---- monitor, stop requests, log ---------------------------------------------------------------- */

typedef struct mon_rec {
  lopt_solver *s;
  int64_t n;
  int count;
  int64_t iters[512];
  double seconds[512];
  int nonfinite, bad_view;
  int64_t act_at; /* iteration at which to answer `answer` / request a stop */
  int answer;
  int request_stop;
  int from_thread;
  double x_at_act[64];
} mon_rec;

static void *stop_thread(void *arg)
{
  lopt_solver_request_stop(arg);
  return NULL;
}

static int recording_monitor(const lopt_monitor_info *info, void *ctx)
{
  mon_rec *m = ctx;
  if (m->count < 512) {
    m->iters[m->count] = info->iteration;
    m->seconds[m->count] = info->seconds;
    m->count++;
  }
  if (!isfinite(info->residual) || info->residual < 0) m->nonfinite++;
  if (!info->x || info->n != m->n) m->bad_view++;
  if (info->iteration == m->act_at) {
    if (info->x && info->n <= 64) memcpy(m->x_at_act, info->x, (size_t)info->n * sizeof *info->x);
    if (m->request_stop && m->from_thread) {
      pthread_t t;
      if (pthread_create(&t, NULL, stop_thread, m->s) == 0) pthread_join(t, NULL);
    } else if (m->request_stop) {
      lopt_solver_request_stop(m->s);
    }
    return m->answer;
  }
  return LOPT_MONITOR_CONTINUE;
}

static mon_rec *new_mon(lopt_solver *s, int64_t n)
{
  mon_rec *m = calloc(1, sizeof *m);
  m->s = s;
  m->n = n;
  m->act_at = -1;
  ASSERT_RC(lopt_solver_set_monitor(s, recording_monitor, m), LOPT_OK);
  return m;
}

START_TEST(test_monitor_called_every_k_iterations_with_increasing_iterations)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  lopt_solver *s = new_solver(linear_kinds[_i]);
  ASSERT_RC(lopt_solver_set_int(s, "monitor_every", 3), LOPT_OK);
  mon_rec *m = new_mon(s, L.n);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  ck_assert_int_gt(r.iterations, 6);
  ck_assert_int_eq(m->nonfinite, 0);
  ck_assert_int_eq(m->bad_view, 0);
  ck_assert_int_gt(m->count, 0);
  for (int j = 0; j < m->count; j++) {
    ck_assert_int_gt(m->iters[j], 0);
    ck_assert_int_le(m->iters[j], r.iterations);
    if (j > 0) {
      ck_assert_int_gt(m->iters[j], m->iters[j - 1]);
      ck_assert(m->seconds[j] >= m->seconds[j - 1]);
    }
    ck_assert_msg(m->iters[j] % 3 == 0 || m->iters[j] == r.iterations, "monitor called at iteration %lld",
                  (long long)m->iters[j]);
  }
  /* every multiple of 3 was seen */
  int seen = 0;
  for (int j = 0; j < m->count; j++) seen += m->iters[j] % 3 == 0;
  ck_assert_int_eq(seen, (int)(r.iterations / 3));
  lopt_solver_destroy(&s);
  free(m);
  linsys_free(&L);
}
END_TEST

START_TEST(test_monitor_every_zero_never_calls_the_monitor)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  lopt_solver *s = new_solver(LOPT_PCG);
  ASSERT_RC(lopt_solver_set_int(s, "monitor_every", 0), LOPT_OK);
  mon_rec *m = new_mon(s, L.n);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  solve_ok(s);
  ck_assert_int_eq(m->count, 0);
  lopt_solver_destroy(&s);
  free(m);
  linsys_free(&L);
}
END_TEST

START_TEST(test_monitor_stop_ends_with_user_success_and_usable_iterate)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  lopt_solver *s = new_solver(linear_kinds[_i]);
  mon_rec *m = new_mon(s, L.n);
  m->act_at = 4;
  m->answer = LOPT_MONITOR_STOP;
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_USER_SUCCESS);
  ck_assert_int_eq(lopt_solver_stop_reason(s), LOPT_STOP_USER_SUCCESS);
  ck_assert_int_eq(r.usable, 1);
  ck_assert_int_eq(r.iterations, 4);
  double x[36];
  ASSERT_RC(lopt_solver_get_x(s, x, L.n), LOPT_OK);
  ck_assert_int_eq(memcmp(x, m->x_at_act, (size_t)L.n * sizeof *x), 0); /* the iterate the monitor saw */
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  ASSERT_MSG(s, "user_success");
  lopt_solver_destroy(&s);
  free(m);
  linsys_free(&L);
}
END_TEST

START_TEST(test_monitor_abort_ends_with_user_abort)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  lopt_solver *s = new_solver(linear_kinds[_i]);
  mon_rec *m = new_mon(s, L.n);
  m->act_at = 3;
  m->answer = LOPT_MONITOR_ABORT;
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_USER_ABORT);
  ck_assert_int_eq(r.iterations, 3);
  ck_assert_int_eq(m->iters[m->count - 1], 3);
  lopt_solver_destroy(&s);
  free(m);
  linsys_free(&L);
}
END_TEST

START_TEST(test_max_iter_budget_ends_with_max_iter_and_usable_iterate)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  lopt_solver *s = new_solver(linear_kinds[_i]);
  ASSERT_RC(lopt_solver_set_int(s, "max_iter", 4), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
  ck_assert_int_eq(r.usable, 1);
  ck_assert_int_eq(r.iterations, 4);
  ck_assert(isfinite(r.residual) && r.residual > 0);
  const double *x = lopt_solver_x(s);
  double nx = 0;
  for (int64_t i = 0; i < L.n; i++) nx += x[i] * x[i];
  ck_assert(nx > 0);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_max_time_budget_ends_with_max_time_and_usable_iterate)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  lopt_solver *s = new_solver(linear_kinds[_i]);
  ASSERT_RC(lopt_solver_set_double(s, "max_time", 1e-300), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_MAX_TIME);
  ck_assert_int_eq(r.usable, 1);
  ck_assert_int_eq(r.iterations, 1);
  ck_assert(r.seconds >= 1e-300);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_request_stop_from_the_monitor_interrupts)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  lopt_solver *s = new_solver(linear_kinds[_i]);
  mon_rec *m = new_mon(s, L.n);
  m->act_at = 3;
  m->request_stop = 1;
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_INTERRUPTED);
  ck_assert_int_eq(r.iterations, 3);
  ck_assert_int_eq(r.usable, 1);
  /* a new setup clears the request */
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  m->act_at = -1;
  r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  lopt_solver_destroy(&s);
  free(m);
  linsys_free(&L);
}
END_TEST

START_TEST(test_request_stop_from_another_thread_interrupts)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  lopt_solver *s = new_solver(linear_kinds[_i]);
  mon_rec *m = new_mon(s, L.n);
  m->act_at = 2;
  m->request_stop = 1;
  m->from_thread = 1;
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_INTERRUPTED);
  ck_assert_int_eq(r.iterations, 2);
  lopt_solver_destroy(&s);
  free(m);
  linsys_free(&L);
}
END_TEST

START_TEST(test_request_stop_before_solve_interrupts_without_iterating)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  lopt_solver *s = setup_solver(linear_kinds[_i], NULL, L.P);
  lopt_solver_request_stop(s);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_INTERRUPTED);
  ck_assert_int_eq(r.iterations, 0);
  /* step after a request: one iteration, then interrupted */
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_solver_request_stop(s);
  ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  ck_assert_int_eq(lopt_solver_stop_reason(s), LOPT_STOP_INTERRUPTED);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

typedef struct log_rec {
  int calls, max_level, min_level;
  char last[512];
} log_rec;

static void recording_log(int level, const char *msg, void *ctx)
{
  log_rec *l = ctx;
  l->calls++;
  if (level > l->max_level) l->max_level = level;
  if (level < l->min_level) l->min_level = level;
  snprintf(l->last, sizeof l->last, "%s", msg ? msg : "(null)");
}

START_TEST(test_log_sink_receives_only_messages_at_or_below_its_level)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  log_rec info = {0, -1, 99, ""}, warn = {0, -1, 99, ""};
  lopt_solver *s = new_solver(LOPT_PCG);
  ASSERT_RC(lopt_solver_set_log(s, recording_log, &info, LOPT_LOG_INFO), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  solve_ok(s);
  ck_assert_int_gt(info.calls, 0); /* the end of a run is reported at info level */
  ck_assert_int_le(info.max_level, LOPT_LOG_INFO);
  ck_assert_int_ge(info.min_level, LOPT_LOG_ERROR);
  ck_assert_int_gt((int)strlen(info.last), 0);

  ASSERT_RC(lopt_solver_set_log(s, recording_log, &warn, LOPT_LOG_WARN), LOPT_OK);
  int before = info.calls;
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  solve_ok(s);
  ck_assert_int_eq(warn.calls, 0); /* nothing at error/warn level in a clean run */
  ck_assert_int_eq(info.calls, before);
  ASSERT_RC(lopt_solver_set_double(s, "rtol", -1), LOPT_EINVAL);
  ck_assert_int_eq(warn.calls, 1); /* a refusal is logged at error level */
  ck_assert_int_eq(warn.max_level, LOPT_LOG_ERROR);
  ck_assert_str_eq(warn.last, lopt_solver_message(s));

  ASSERT_RC(lopt_solver_set_log(s, NULL, NULL, LOPT_LOG_DEBUG), LOPT_OK); /* removed: silent again */
  ASSERT_RC(lopt_solver_set_double(s, "rtol", -1), LOPT_EINVAL);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  solve_ok(s);
  ck_assert_int_eq(warn.calls, 1);
  ck_assert_int_eq(info.calls, before);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_solver_is_silent_on_stderr_by_default)
{
  char path[256];
  test_tmp_path(path, sizeof path, "stderr.txt");
  FILE *f = fopen(path, "w+");
  ck_assert_ptr_nonnull(f);
  fflush(stderr);
  int saved = dup(2);
  ck_assert_int_ge(saved, 0);
  ck_assert_int_ge(dup2(fileno(f), 2), 0);

  linsys L = poisson_system(6, LOPT_GENERAL);
  const double indef[4] = {1, 2, 2, 1}; /* eigenvalues 3 and -1, positive diagonal */
  lopt_matrix *B = NULL;
  lopt_matrix_create_dense(&B, 2, 2, indef, 2, LOPT_COPY, NULL);
  linsys I = system_from(B, 2);
  static const char *const pcs[] = {"none", "jacobi", "ssor", "ic0", "cholmod"};
  int stops[2][5];
  for (size_t k = 0; k < 5; k++) {
    lopt_solver *s = new_solver(LOPT_PCG);
    lopt_solver_set_choice(s, "precond", pcs[k]);
    lopt_solver_set_double(s, "rtol", -1);  /* refused */
    lopt_solver_set_double(s, "rtoll", 1); /* refused */
    lopt_solver_step(s);                   /* refused */
    lopt_solver_setup(s, L.P, NULL);
    lopt_solver_solve(s, NULL);
    stops[0][k] = lopt_solver_stop_reason(s);
    lopt_solver_setup(s, I.P, NULL);
    lopt_solver_solve(s, NULL);
    stops[1][k] = lopt_solver_stop_reason(s);
    lopt_solver_destroy(&s);
  }
  linsys_free(&I);
  linsys_free(&L);

  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  char head[256] = "";
  fseek(f, 0, SEEK_SET);
  size_t got = fread(head, 1, sizeof head - 1, f);
  head[got] = '\0';
  fclose(f);
  remove(path);
  ck_assert_msg(size == 0, "libopt wrote %ld bytes to stderr without a log sink: \"%s\"", size, head);
  for (size_t k = 0; k < 5; k++) {
    ck_assert_msg(stops[0][k] == LOPT_STOP_RTOL, "%s on Poisson ended with %s", pcs[k], lopt_stop_name(stops[0][k]));
    ck_assert_msg(stops[1][k] == LOPT_STOP_NOT_SPD, "%s on an indefinite A ended with %s", pcs[k],
                  lopt_stop_name(stops[1][k]));
  }
}
END_TEST

/* ---- user callbacks that fail ----------------------------------------------------------------- */

START_TEST(test_operator_callback_failure_mid_run_is_stop_callback_with_status_ok)
{
  lopt_matrix *B = poisson2d(6, LOPT_GENERAL), *A = NULL;
  op_ctx c = {B, 0, 5, 4242};
  ASSERT_RC(lopt_matrix_create_operator(&A, 36, 36, op_apply, &c, 1, NULL), LOPT_OK);
  linsys L = system_from(A, 5);
  lopt_solver *s = setup_solver(linear_kinds[_i], NULL, L.P);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_CALLBACK);
  ck_assert_int_eq(lopt_solver_stop_reason(s), LOPT_STOP_CALLBACK);
  ck_assert_int_eq(r.usable, 0);
  ck_assert_int_gt(r.iterations, 0);
  ASSERT_MSG(s, "callback");
  ASSERT_MSG(s, lopt_kind_name(linear_kinds[_i]));
  const double *x = lopt_solver_x(s);
  for (int64_t i = 0; i < L.n; i++) ck_assert(isfinite(x[i]));
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  lopt_solver_destroy(&s);
  linsys_free(&L);
  lopt_matrix_destroy(&B);
}
END_TEST

/* api.md: "Oracles return int (0 = ok, non-zero = cannot evaluate here; the code is reported back)". */
START_TEST(test_operator_callback_failure_reports_the_callbacks_code)
{
  lopt_matrix *B = poisson2d(6, LOPT_GENERAL), *A = NULL;
  op_ctx c = {B, 0, 5, 4242};
  ASSERT_RC(lopt_matrix_create_operator(&A, 36, 36, op_apply, &c, 1, NULL), LOPT_OK);
  linsys L = system_from(A, 5);
  lopt_solver *s = setup_solver(linear_kinds[_i], NULL, L.P);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_CALLBACK);
  double code = figure(s, "callback_code");
  ck_assert_msg(code == 4242 && strstr(lopt_solver_message(s), "4242"),
                "%s: the operator returned 4242; figure callback_code is %g and the message is \"%s\"",
                lopt_kind_name(linear_kinds[_i]), code, lopt_solver_message(s));
  lopt_solver_destroy(&s);
  linsys_free(&L);
  lopt_matrix_destroy(&B);
}
END_TEST

START_TEST(test_operator_callback_failure_on_x0_ends_the_run_at_setup)
{
  lopt_matrix *B = poisson2d(4, LOPT_GENERAL), *A = NULL;
  op_ctx c = {B, 0, 0, 9};
  ASSERT_RC(lopt_matrix_create_operator(&A, 16, 16, op_apply, &c, 1, NULL), LOPT_OK);
  linsys L = system_from(A, 5);
  lopt_solver *s = setup_solver(linear_kinds[_i], NULL, L.P);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_CALLBACK);
  ck_assert_int_eq(r.iterations, 0);
  ASSERT_MSG(s, "callback");
  lopt_solver_destroy(&s);
  linsys_free(&L);
  lopt_matrix_destroy(&B);
}
END_TEST

typedef struct pc_ctx {
  int calls, bad_from;
  double bad_value; /* NaN, or used as a failure code when `code` */
  int code;
} pc_ctx;

/* z = r / 4 (Jacobi for the 2D stencil), going bad from call `bad_from` on. */
static int user_precond(void *ctx, const double *r, double *z)
{
  pc_ctx *c = ctx;
  int bad = c->calls++ >= c->bad_from;
  if (bad && c->code) return c->code;
  for (int64_t i = 0; i < 36; i++) z[i] = r[i] / 4.0;
  if (bad) z[7] = c->bad_value;
  return 0;
}

START_TEST(test_user_preconditioner_returning_nan_stops_nonfinite_with_finite_x)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  pc_ctx c = {0, 4, NAN, 0};
  lopt_solver *s = new_solver(LOPT_PCG);
  ASSERT_RC(lopt_solver_set_choice(s, "precond", "user"), LOPT_OK);
  ASSERT_RC(lopt_solver_set_callback(s, "precond_fn", user_precond, &c), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_NONFINITE);
  ck_assert_int_eq(r.usable, 0);
  ck_assert_int_gt(r.iterations, 0);
  ASSERT_MSG(s, "pcg");
  const double *x = lopt_solver_x(s);
  for (int64_t i = 0; i < L.n; i++) ck_assert_msg(isfinite(x[i]), "x[%lld] = %g", (long long)i, x[i]);
  ck_assert(isfinite(r.residual));
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_user_preconditioner_failure_is_stop_callback_with_its_code)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  pc_ctx c = {0, 3, 0, 77};
  lopt_solver *s = new_solver(LOPT_PCG);
  ASSERT_RC(lopt_solver_set_choice(s, "precond", "user"), LOPT_OK);
  ASSERT_RC(lopt_solver_set_callback(s, "precond_fn", user_precond, &c), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_CALLBACK);
  ck_assert_int_eq(r.usable, 0);
  ASSERT_MSG(s, "preconditioner");
  ASSERT_MSG(s, "77");
  ck_assert(figure(s, "callback_code") == 77);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_direction_callback_failure_is_stop_callback_with_its_code)
{
  linsys L = poisson_system(6, LOPT_GENERAL);
  pc_ctx c = {0, 3, 0, 55};
  lopt_solver *s = new_solver(LOPT_CONJ_DIRECTION);
  ASSERT_RC(lopt_solver_set_callback(s, "direction_fn", user_precond, &c), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_CALLBACK);
  ASSERT_MSG(s, "direction callback");
  ASSERT_MSG(s, "55");
  ck_assert(figure(s, "callback_code") == 55);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

/* A callback that fails before the iterate is updated ends the run; the iteration it interrupted
 * did not complete, so the count (and x) must be those of the last completed iteration. */
START_TEST(test_iteration_that_fails_in_a_callback_is_not_counted)
{
  lopt_matrix *B = poisson2d(6, LOPT_GENERAL), *A = NULL;
  op_ctx c = {B, 0, 5, 4242}; /* call 0 is setup's r = b - A x0; steps 1..4 succeed; step 5 fails */
  ASSERT_RC(lopt_matrix_create_operator(&A, 36, 36, op_apply, &c, 1, NULL), LOPT_OK);
  linsys L = system_from(A, 5);
  lopt_solver *s = new_solver(LOPT_PCG);
  mon_rec *m = new_mon(s, L.n);
  m->act_at = 4;
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_CALLBACK);
  ck_assert_int_eq(memcmp(lopt_solver_x(s), m->x_at_act, (size_t)L.n * sizeof(double)), 0); /* x is x_4 */
  int64_t pcg_iters = r.iterations;
  lopt_solver_destroy(&s);
  free(m);

  linsys P = poisson_system(6, LOPT_GENERAL);
  pc_ctx d = {0, 3, 0, 55}; /* direction calls 0..2 (steps 1..3) succeed; step 4 fails */
  s = new_solver(LOPT_CONJ_DIRECTION);
  ASSERT_RC(lopt_solver_set_callback(s, "direction_fn", user_precond, &d), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, P.P, NULL), LOPT_OK);
  r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_CALLBACK);
  ck_assert_msg(pcg_iters == 4 && r.iterations == 3,
                "pcg: 4 iterations completed before the operator failed, result says %lld; conj_direction: 3 "
                "completed before the direction callback failed, result says %lld",
                (long long)pcg_iters, (long long)r.iterations);
  lopt_solver_destroy(&s);
  linsys_free(&P);
  linsys_free(&L);
  lopt_matrix_destroy(&B);
}
END_TEST

/* ---- allocation failure ------------------------------------------------------------------------ */

static const char *const oom_preconds[] = {"none", "jacobi", "ssor", "ic0"};

/* For k = 0, 1, 2, ...: fail allocation k of create + setup + solve. Every failure must be ENOMEM
 * with a sentence (when a handle exists), leak nothing, and leave the handle usable. */
static void oom_loop(lopt_kind kind, const char *precond)
{
  linsys L = poisson_system(5, LOPT_GENERAL);
  double xref[25], x[25];
  {
    lopt_solver *s = setup_solver(kind, precond, L.P);
    ck_assert_int_gt(solve_ok(s).stop, 0);
    ASSERT_RC(lopt_solver_get_x(s, xref, 25), LOPT_OK);
    lopt_solver_destroy(&s);
  }
  test_alloc alloc;
  test_alloc_init(&alloc);
  char silent[768] = "";
  long k;
  for (k = 0; k < 100000; k++) {
    test_alloc_fail_at(&alloc, k);
    lopt_solver *s = NULL;
    const char *stage = "create";
    lopt_result r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    int rc = lopt_solver_create_ex(&s, kind, &alloc.base);
    if (rc == LOPT_OK && precond) stage = "set precond", rc = lopt_solver_set_choice(s, "precond", precond);
    if (rc == LOPT_OK) stage = "setup", rc = lopt_solver_setup(s, L.P, NULL);
    if (rc == LOPT_OK) stage = "solve", rc = lopt_solver_solve(s, &r);
    int injected = alloc.failure_injected;
    if (!injected) {
      ck_assert_msg(rc == LOPT_OK, "%s: %s", lopt_status_name(rc), lopt_solver_message(s));
      ck_assert_int_gt(r.stop, 0);
      ASSERT_RC(lopt_solver_get_x(s, x, 25), LOPT_OK);
      ck_assert_int_eq(memcmp(x, xref, sizeof x), 0);
      lopt_solver_destroy(&s);
      ck_assert_int_eq(alloc.live_blocks, 0);
      break;
    }
    ck_assert_msg(rc == LOPT_ENOMEM, "%s/%s: allocation %ld failed; %s returned %s (%s)", lopt_kind_name(kind),
                  precond ? precond : "-", k, stage, lopt_status_name(rc), lopt_solver_message(s));
    if (s) {
      /* checked after the loop, so every later k is still run for status and leaks */
      if (!strstr(lopt_solver_message(s), "memory") && !silent[0])
        snprintf(silent, sizeof silent,
                 "%s/%s: allocation %ld failed in %s, which returned ENOMEM with the message \"%s\"",
                 lopt_kind_name(kind), precond ? precond : "-", k, stage, lopt_solver_message(s));
      /* the handle is still usable */
      test_alloc_fail_at(&alloc, -1);
      ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
      ck_assert_int_gt(solve_ok(s).stop, 0);
      ASSERT_RC(lopt_solver_get_x(s, x, 25), LOPT_OK);
      ck_assert_int_eq(memcmp(x, xref, sizeof x), 0);
    } else {
      ck_assert_str_eq(stage, "create");
    }
    lopt_solver_destroy(&s);
    ck_assert_ptr_null(s);
    ck_assert_msg(alloc.live_blocks == 0, "%s/%s: %ld blocks leaked after failing allocation %ld in %s",
                  lopt_kind_name(kind), precond ? precond : "-", alloc.live_blocks, k, stage);
  }
  ck_assert_int_gt(k, 3);
  ck_assert_msg(!silent[0], "%s", silent);
  linsys_free(&L);
}

START_TEST(test_every_allocation_failure_is_enomem_and_leaks_nothing_pcg)
{
  oom_loop(LOPT_PCG, oom_preconds[_i]);
}
END_TEST

START_TEST(test_every_allocation_failure_is_enomem_and_leaks_nothing_conj_direction)
{
  oom_loop(LOPT_CONJ_DIRECTION, NULL);
}
END_TEST

/* ---- threads ----------------------------------------------------------------------------------- */

typedef struct job {
  lopt_kind kind;
  const char *precond;
  const lopt_problem *P;
  int64_t n;
  double *x;
  int64_t iterations;
  int stop, rc;
  char message[512];
  pthread_barrier_t *start;
} job;

static void run_job(job *j)
{
  lopt_solver *s = NULL;
  lopt_result r;
  memset(&r, 0, sizeof r);
  r.size = sizeof r;
  j->rc = lopt_solver_create(&s, j->kind);
  if (!j->rc && j->precond) j->rc = lopt_solver_set_choice(s, "precond", j->precond);
  if (!j->rc) j->rc = lopt_solver_set_double(s, "rtol", 1e-10);
  if (!j->rc) j->rc = lopt_solver_setup(s, j->P, NULL);
  if (!j->rc) j->rc = lopt_solver_solve(s, &r);
  if (!j->rc) j->rc = lopt_solver_get_x(s, j->x, j->n);
  j->iterations = r.iterations;
  j->stop = r.stop;
  snprintf(j->message, sizeof j->message, "%s", lopt_solver_message(s));
  lopt_solver_destroy(&s);
}

static void *job_thread(void *arg)
{
  job *j = arg;
  pthread_barrier_wait(j->start);
  run_job(j);
  return NULL;
}

/* Run the jobs one by one, then three times all at once; every concurrent x must equal the serial x
 * bit for bit (small n: no OpenMP inside, so the arithmetic order is fixed). */
static void check_threads_match_serial(job *jobs, int njobs)
{
  double *ref[8];
  int64_t ref_iters[8];
  for (int t = 0; t < njobs; t++) {
    ref[t] = malloc((size_t)jobs[t].n * sizeof(double));
    jobs[t].x = ref[t];
    run_job(&jobs[t]);
    ck_assert_msg(jobs[t].rc == LOPT_OK, "serial job %d: %s: %s", t, lopt_status_name(jobs[t].rc), jobs[t].message);
    ck_assert_msg(jobs[t].stop > 0, "serial job %d ended with %s", t, lopt_stop_name(jobs[t].stop));
    ref_iters[t] = jobs[t].iterations;
  }
  pthread_barrier_t start;
  for (int round = 0; round < 3; round++) {
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, (unsigned)njobs), 0);
    pthread_t th[8];
    for (int t = 0; t < njobs; t++) {
      jobs[t].x = calloc((size_t)jobs[t].n, sizeof(double));
      jobs[t].start = &start;
      ck_assert_int_eq(pthread_create(&th[t], NULL, job_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < njobs; t++) pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    for (int t = 0; t < njobs; t++) {
      ck_assert_msg(jobs[t].rc == LOPT_OK, "thread %d: %s: %s", t, lopt_status_name(jobs[t].rc), jobs[t].message);
      ck_assert_int_eq(jobs[t].iterations, ref_iters[t]);
      ck_assert_msg(memcmp(jobs[t].x, ref[t], (size_t)jobs[t].n * sizeof(double)) == 0,
                    "thread %d (%s/%s), round %d: x differs from the serial run", t, lopt_kind_name(jobs[t].kind),
                    jobs[t].precond ? jobs[t].precond : "-", round);
      free(jobs[t].x);
    }
  }
  for (int t = 0; t < njobs; t++) free(ref[t]);
}

START_TEST(test_four_threads_sharing_one_problem_match_serial_bit_for_bit)
{
  linsys L = poisson_system(20, LOPT_GENERAL);
  job jobs[4] = {
    {LOPT_PCG, "none", L.P, L.n, NULL, 0, 0, 0, "", NULL},
    {LOPT_PCG, "ic0", L.P, L.n, NULL, 0, 0, 0, "", NULL},
    {LOPT_PCG, "ssor", L.P, L.n, NULL, 0, 0, 0, "", NULL},
    {LOPT_CONJ_DIRECTION, NULL, L.P, L.n, NULL, 0, 0, 0, "", NULL},
  };
  check_threads_match_serial(jobs, 4);
  /* and four identical solvers on the same problem */
  job same[4];
  for (int t = 0; t < 4; t++) same[t] = jobs[1];
  check_threads_match_serial(same, 4);
  linsys_free(&L);
}
END_TEST

START_TEST(test_four_threads_on_distinct_problems_match_serial_bit_for_bit)
{
  linsys a = poisson_system(18, LOPT_GENERAL);
  linsys b = poisson_system(14, LOPT_LOWER);
  linsys c = system_from(poisson3d(7, LOPT_UPPER), 11);
  double *dense = random_spd_dense(40, 100.0, 3);
  lopt_matrix *D = NULL;
  ASSERT_RC(lopt_matrix_create_dense(&D, 40, 40, dense, 40, LOPT_COPY, NULL), LOPT_OK);
  free(dense);
  linsys d = system_from(D, 12);
  job jobs[4] = {
    {LOPT_PCG, "jacobi", a.P, a.n, NULL, 0, 0, 0, "", NULL},
    {LOPT_PCG, "cholmod", b.P, b.n, NULL, 0, 0, 0, "", NULL},
    {LOPT_CONJ_DIRECTION, NULL, c.P, c.n, NULL, 0, 0, 0, "", NULL},
    {LOPT_PCG, "ic0", d.P, d.n, NULL, 0, 0, 0, "", NULL},
  };
  check_threads_match_serial(jobs, 4);
  linsys_free(&a);
  linsys_free(&b);
  linsys_free(&c);
  linsys_free(&d);
}
END_TEST

/* ---- checkpoints -------------------------------------------------------------------------------- */

static const char *const state_preconds[] = {"none", "jacobi", "ssor", "ic0"};

/* pcg on `P` with `precond`, 10 steps, then a saved blob (caller frees). */
static unsigned char *blob_after_steps(lopt_solver **out, const char *precond, const lopt_problem *P, int steps,
                                       size_t *len)
{
  lopt_solver *s = setup_solver(LOPT_PCG, precond, P);
  for (int k = 0; k < steps; k++) ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  ck_assert_int_eq(lopt_solver_stop_reason(s), LOPT_STOP_RUNNING);
  *len = 0;
  ASSERT_RC(lopt_solver_state_save(s, NULL, 0, len), LOPT_OK);
  ck_assert_uint_gt(*len, 0);
  unsigned char *blob = malloc(*len);
  size_t len2 = 0;
  ASSERT_RC(lopt_solver_state_save(s, blob, *len, &len2), LOPT_OK);
  ck_assert_uint_eq(len2, *len);
  if (out) *out = s;
  else lopt_solver_destroy(&s);
  return blob;
}

START_TEST(test_state_resume_gives_identical_iterates_and_iteration_count)
{
  const char *pc = state_preconds[_i];
  linsys L = poisson_system(12, LOPT_GENERAL);
  size_t len;
  lopt_solver *a = NULL;
  unsigned char *blob = blob_after_steps(&a, pc, L.P, 10, &len);
  double *x10 = malloc((size_t)L.n * sizeof *x10), *xa = malloc((size_t)L.n * sizeof *xa),
         *xb = malloc((size_t)L.n * sizeof *xb);
  ASSERT_RC(lopt_solver_get_x(a, x10, L.n), LOPT_OK);
  lopt_result ra = solve_ok(a);
  ck_assert_int_eq(ra.stop, LOPT_STOP_RTOL);
  ck_assert_int_gt(ra.iterations, 10);
  ASSERT_RC(lopt_solver_get_x(a, xa, L.n), LOPT_OK);

  lopt_solver *b = setup_solver(LOPT_PCG, pc, L.P);
  ASSERT_RC(lopt_solver_state_load(b, blob, len), LOPT_OK);
  lopt_result rl;
  memset(&rl, 0, sizeof rl);
  rl.size = sizeof rl;
  ASSERT_RC(lopt_solver_result(b, &rl), LOPT_OK);
  ck_assert_int_eq(rl.iterations, 10);
  ck_assert_int_eq(rl.stop, LOPT_STOP_RUNNING);
  ck_assert_int_eq(memcmp(lopt_solver_x(b), x10, (size_t)L.n * sizeof *x10), 0);
  lopt_result rb = solve_ok(b);
  ASSERT_RC(lopt_solver_get_x(b, xb, L.n), LOPT_OK);
  ck_assert_msg(memcmp(xa, xb, (size_t)L.n * sizeof *xa) == 0, "%s: resumed x differs (rel %g)", pc,
                test_rel_diff(xb, xa, L.n));
  ck_assert_int_eq(rb.iterations, ra.iterations);
  ck_assert_int_eq(rb.stop, ra.stop);
  ck_assert_int_eq(rb.evaluations, ra.evaluations);
  ck_assert(rb.residual == ra.residual);
  /* loading into a solver whose own run already ended resumes the saved run just the same */
  lopt_solver *c = setup_solver(LOPT_PCG, pc, L.P);
  solve_ok(c);
  ASSERT_RC(lopt_solver_state_load(c, blob, len), LOPT_OK);
  ck_assert_int_eq(lopt_solver_stop_reason(c), LOPT_STOP_RUNNING);
  lopt_result rc2 = solve_ok(c);
  ck_assert_int_eq(rc2.iterations, ra.iterations);
  ck_assert_int_eq(memcmp(lopt_solver_x(c), xa, (size_t)L.n * sizeof *xa), 0);
  lopt_solver_destroy(&c);
  lopt_solver_destroy(&a);
  lopt_solver_destroy(&b);
  free(blob), free(x10), free(xa), free(xb);
  linsys_free(&L);
}
END_TEST

START_TEST(test_corrupted_state_blob_is_eformat_and_changes_nothing)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  size_t len;
  unsigned char *blob = blob_after_steps(NULL, "jacobi", L.P, 5, &len);
  lopt_solver *s = setup_solver(LOPT_PCG, "jacobi", L.P);
  ASSERT_RC(lopt_solver_step(s), LOPT_OK);
  double *before = malloc((size_t)L.n * sizeof *before);
  memcpy(before, lopt_solver_x(s), (size_t)L.n * sizeof *before);
  const size_t spots[] = {len / 2, len - 9, len - 1, 40};
  for (size_t k = 0; k < sizeof spots / sizeof spots[0]; k++) {
    blob[spots[k]] ^= 0x10;
    ASSERT_RC(lopt_solver_state_load(s, blob, len), LOPT_EFORMAT);
    ASSERT_MSG(s, "checksum");
    blob[spots[k]] ^= 0x10;
  }
  blob[0] ^= 0x01;
  ASSERT_RC(lopt_solver_state_load(s, blob, len), LOPT_EFORMAT);
  ASSERT_MSG(s, "magic");
  blob[0] ^= 0x01;
  /* refused loads changed nothing: the run continues from where it was */
  ck_assert_int_eq(memcmp(before, lopt_solver_x(s), (size_t)L.n * sizeof *before), 0);
  lopt_result r;
  memset(&r, 0, sizeof r);
  r.size = sizeof r;
  ASSERT_RC(lopt_solver_result(s, &r), LOPT_OK);
  ck_assert_int_eq(r.iterations, 1);
  ASSERT_RC(lopt_solver_state_load(s, blob, len), LOPT_OK); /* the repaired blob loads */
  ASSERT_RC(lopt_solver_result(s, &r), LOPT_OK);
  ck_assert_int_eq(r.iterations, 5);
  lopt_solver_destroy(&s);
  free(blob), free(before);
  linsys_free(&L);
}
END_TEST

START_TEST(test_truncated_state_blob_is_eformat)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  size_t len;
  unsigned char *blob = blob_after_steps(NULL, NULL, L.P, 5, &len);
  lopt_solver *s = setup_solver(LOPT_PCG, NULL, L.P);
  ASSERT_RC(lopt_solver_state_load(s, blob, len - 1), LOPT_EFORMAT);
  ASSERT_MSG(s, "pcg");
  ASSERT_RC(lopt_solver_state_load(s, blob, len - 8), LOPT_EFORMAT);
  ASSERT_RC(lopt_solver_state_load(s, blob, len / 2), LOPT_EFORMAT);
  ASSERT_RC(lopt_solver_state_load(s, blob, 16), LOPT_EFORMAT);
  ASSERT_MSG(s, "16 bytes");
  ASSERT_RC(lopt_solver_state_load(s, blob, 0), LOPT_EFORMAT);
  ASSERT_RC(lopt_solver_state_load(s, NULL, len), LOPT_EINVAL);
  ASSERT_MSG(s, "NULL");
  /* a longer buffer is not a valid blob either */
  unsigned char *longer = calloc(len + 8, 1);
  memcpy(longer, blob, len);
  ASSERT_RC(lopt_solver_state_load(s, longer, len + 8), LOPT_EFORMAT);
  free(longer);
  ck_assert_int_eq(lopt_solver_stop_reason(s), LOPT_STOP_RUNNING);
  lopt_solver_destroy(&s);
  free(blob);
  linsys_free(&L);
}
END_TEST

/* The frame layout (src/core/state.c): "LOPTSTAT" | u32 format | u32 endian | u32 kind | ... */
enum { STATE_KIND_OFFSET = 16 };

START_TEST(test_state_blob_from_another_kind_is_einval_naming_the_kind)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  size_t len;
  unsigned char *blob = blob_after_steps(NULL, NULL, L.P, 5, &len);
  uint32_t kind;
  memcpy(&kind, blob + STATE_KIND_OFFSET, 4);
  ck_assert_uint_eq(kind, LOPT_PCG); /* the layout assumption above holds */
  kind = LOPT_CONJ_DIRECTION;
  memcpy(blob + STATE_KIND_OFFSET, &kind, 4);
  lopt_solver *s = setup_solver(LOPT_PCG, NULL, L.P);
  ASSERT_RC(lopt_solver_state_load(s, blob, len), LOPT_EINVAL);
  ASSERT_MSG(s, "conj_direction");
  lopt_solver_destroy(&s);
  /* a pcg blob given to a kind without checkpoints is refused too */
  kind = LOPT_PCG;
  memcpy(blob + STATE_KIND_OFFSET, &kind, 4);
  s = setup_solver(LOPT_CONJ_DIRECTION, NULL, L.P);
  int rc = lopt_solver_state_load(s, blob, len);
  ck_assert_msg(rc == LOPT_EINVAL || rc == LOPT_EUNSUPPORTED, "load returned %s", lopt_status_name(rc));
  ASSERT_MSG(s, "conj_direction");
  size_t need;
  ASSERT_RC(lopt_solver_state_save(s, NULL, 0, &need), LOPT_EUNSUPPORTED);
  ASSERT_MSG(s, "state");
  lopt_solver_destroy(&s);
  free(blob);
  linsys_free(&L);
}
END_TEST

START_TEST(test_state_load_into_another_dimension_is_einval_naming_both)
{
  linsys a = poisson_system(4, LOPT_GENERAL), b = poisson_system(5, LOPT_GENERAL);
  size_t len;
  unsigned char *blob = blob_after_steps(NULL, NULL, a.P, 3, &len);
  lopt_solver *s = setup_solver(LOPT_PCG, NULL, b.P);
  ASSERT_RC(lopt_solver_state_load(s, blob, len), LOPT_EINVAL);
  ASSERT_MSG(s, "16");
  ASSERT_MSG(s, "25");
  lopt_solver_destroy(&s);
  free(blob);
  linsys_free(&a);
  linsys_free(&b);
}
END_TEST

START_TEST(test_state_load_before_setup_is_estate)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  size_t len;
  unsigned char *blob = blob_after_steps(NULL, NULL, L.P, 3, &len);
  lopt_solver *s = new_solver(LOPT_PCG);
  ASSERT_RC(lopt_solver_state_load(s, blob, len), LOPT_ESTATE);
  ASSERT_MSG(s, "setup");
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  lopt_solver_destroy(&s);
  free(blob);
  linsys_free(&L);
}
END_TEST

START_TEST(test_state_save_into_a_small_buffer_is_einval_naming_sizes)
{
  linsys L = poisson_system(4, LOPT_GENERAL);
  lopt_solver *s = setup_solver(LOPT_PCG, NULL, L.P);
  size_t need = 0, got = 0;
  ASSERT_RC(lopt_solver_state_save(s, NULL, 0, NULL), LOPT_EINVAL);
  ASSERT_MSG(s, "length");
  ASSERT_RC(lopt_solver_state_save(s, NULL, 0, &need), LOPT_OK);
  unsigned char *buf = malloc(need);
  char want[32];
  snprintf(want, sizeof want, "%zu", need);
  ASSERT_RC(lopt_solver_state_save(s, buf, need - 1, &got), LOPT_EINVAL);
  ASSERT_MSG(s, want);
  ASSERT_RC(lopt_solver_state_save(s, buf, need, &got), LOPT_OK);
  ck_assert_uint_eq(got, need);
  lopt_solver_destroy(&s);
  free(buf);
  linsys_free(&L);
}
END_TEST

/* After a fixed option changes, step refuses until setup; a state_load must not bypass that. */
START_TEST(test_state_load_after_fixed_option_change_is_estate)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  size_t len;
  unsigned char *blob = blob_after_steps(NULL, "jacobi", L.P, 5, &len);
  lopt_solver *s = setup_solver(LOPT_PCG, "jacobi", L.P);
  ASSERT_RC(lopt_solver_set_choice(s, "precond", "none"), LOPT_OK);
  ASSERT_RC(lopt_solver_step(s), LOPT_ESTATE);
  int rc = lopt_solver_state_load(s, blob, len);
  int step_rc = lopt_solver_step(s);
  ck_assert_msg(rc == LOPT_ESTATE && step_rc == LOPT_ESTATE,
                "precond changed to 'none' after setup: state_load returned %s and the next step %s, so the run "
                "continues with the preconditioner built for 'jacobi'",
                lopt_status_name(rc), lopt_status_name(step_rc));
  ASSERT_MSG(s, "setup");
  lopt_solver_destroy(&s);
  free(blob);
  linsys_free(&L);
}
END_TEST

/* ---- the result struct --------------------------------------------------------------------------- */

START_TEST(test_result_fields_agree_with_stop_reason_and_figures)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  lopt_kind kind = linear_kinds[_i];
  lopt_solver *s = setup_solver(kind, NULL, L.P);
  lopt_result r = solve_ok(s);
  ck_assert_int_eq(r.stop, lopt_solver_stop_reason(s));
  ck_assert_int_eq(r.stop, LOPT_STOP_RTOL);
  ck_assert_int_eq(r.usable, 1);
  ck_assert_uint_eq(r.size, sizeof r);
  ck_assert_int_gt(r.iterations, 0);
  ck_assert_int_ge(r.evaluations, r.iterations);
  ck_assert_int_eq(r.gradient_evaluations, 0);
  ck_assert(isnan(r.objective));
  ck_assert(isnan(r.gradient_norm));
  ck_assert(r.seconds >= 0 && isfinite(r.seconds));
  ck_assert(r.residual == figure(s, "true_residual"));
  if (kind == LOPT_PCG) ck_assert(r.iterations == figure(s, "cg_iters"));
  /* the residual is the true ||b - A x||, recomputed here through the public API */
  double *Ax = malloc((size_t)L.n * sizeof *Ax), *b = malloc((size_t)L.n * sizeof *b);
  random_vector(b, L.n, 8);
  ASSERT_RC(lopt_matrix_apply(L.A, lopt_solver_x(s), Ax), LOPT_OK);
  double rr = 0, bb = 0;
  for (int64_t i = 0; i < L.n; i++) rr += (b[i] - Ax[i]) * (b[i] - Ax[i]), bb += b[i] * b[i];
  ck_assert_double_eq_tol(r.residual, sqrt(rr), 1e-12 * sqrt(bb));
  ck_assert_double_eq_tol(figure(s, "rel_residual"), sqrt(rr / bb), 1e-12);
  ck_assert(r.residual <= 1e-7 * sqrt(bb));
  free(Ax), free(b);
  /* a not-converged end is reported the same way */
  ASSERT_RC(lopt_solver_set_int(s, "max_iter", 2), LOPT_OK);
  ASSERT_RC(lopt_solver_setup(s, L.P, NULL), LOPT_OK);
  r = solve_ok(s);
  ck_assert_int_eq(r.stop, LOPT_STOP_MAX_ITER);
  ck_assert_int_eq(r.stop, lopt_solver_stop_reason(s));
  ck_assert_int_eq(r.usable, 1);
  ck_assert_int_eq(r.iterations, 2);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

START_TEST(test_not_spd_matrix_ends_with_not_spd_and_unusable_iterate)
{
  const double a[4] = {1, 2, 2, 1};
  lopt_matrix *A = NULL;
  ASSERT_RC(lopt_matrix_create_dense(&A, 2, 2, a, 2, LOPT_COPY, NULL), LOPT_OK);
  linsys L = system_from(A, 4);
  for (size_t k = 0; k < N_LINEAR_KINDS; k++) {
    lopt_solver *s = setup_solver(linear_kinds[k], NULL, L.P);
    lopt_result r = solve_ok(s);
    ck_assert_int_eq(r.stop, LOPT_STOP_NOT_SPD);
    ck_assert_int_eq(r.usable, 0);
    ASSERT_MSG(s, "positive definite");
    lopt_solver_destroy(&s);
  }
  linsys_free(&L);
}
END_TEST

/* result.evaluations counts products with A; the kind's "matvecs" figure counts the same thing. */
START_TEST(test_result_evaluations_equal_the_matvecs_figure)
{
  linsys L = poisson_system(8, LOPT_GENERAL);
  lopt_kind kind = linear_kinds[_i];
  lopt_solver *s = setup_solver(kind, NULL, L.P);
  lopt_result r = solve_ok(s);
  double mv = figure(s, "matvecs");
  ck_assert_msg(r.evaluations == mv, "%s: result.evaluations is %lld but figure matvecs is %g after %lld iterations",
                lopt_kind_name(kind), (long long)r.evaluations, mv, (long long)r.iterations);
  lopt_solver_destroy(&s);
  linsys_free(&L);
}
END_TEST

/* ---- the suite ------------------------------------------------------------------------------------ */

static Suite *api_suite(void)
{
  Suite *su = suite_create("api");
  TCase *tc;

  tc = tcase_create("names");
  tcase_add_test(tc, test_status_names_are_distinct_and_known);
  tcase_add_test(tc, test_stop_names_are_distinct_and_known);
  tcase_add_test(tc, test_kind_names_round_trip_for_every_listed_kind);
  tcase_add_test(tc, test_option_type_names_are_distinct_and_known);
  tcase_add_test(tc, test_version_matches_the_header);
  suite_add_tcase(su, tc);

  tc = tcase_create("options");
  tcase_add_test(tc, test_every_option_has_name_doc_valid_type_and_in_range_default);
  tcase_add_test(tc, test_option_values_round_trip_through_typed_getters);
  tcase_add_test(tc, test_unknown_option_is_einval_suggesting_nearest_name);
  tcase_add_test(tc, test_wrong_option_type_is_einval_naming_option_and_types);
  tcase_add_test(tc, test_out_of_range_option_is_einval_naming_option_and_range);
  tcase_add_test(tc, test_set_from_text_parses_by_option_type);
  suite_add_tcase(su, tc);

  tc = tcase_create("arguments");
  tcase_add_test(tc, test_null_solver_handle_is_einval_and_queries_are_safe);
  tcase_add_test(tc, test_solver_create_refuses_null_out_invalid_kind_and_half_allocator);
  tcase_add_test(tc, test_destroy_is_null_safe_and_nulls_the_pointer);
  tcase_add_test(tc, test_null_option_name_and_outputs_are_einval_with_sentence);
  tcase_add_test(tc, test_matrix_create_refuses_null_out_and_null_arrays_with_sentence);
  tcase_add_test(tc, test_matrix_queries_on_null_or_wrong_storage_are_safe);
  tcase_add_test(tc, test_problem_create_linear_refuses_null_out_A_and_b);
  tcase_add_test(tc, test_problem_create_linear_refuses_non_square_A);
  tcase_add_test(tc, test_problem_create_linear_refuses_nonfinite_b);
  tcase_add_test(tc, test_setup_refuses_null_problem_and_nonfinite_x0);
  tcase_add_test(tc, test_get_x_checks_state_output_and_length);
  tcase_add_test(tc, test_result_requires_size_pointer_and_setup);
  tcase_add_test(tc, test_result_with_larger_size_is_accepted_and_tail_untouched);
  tcase_add_test(tc, test_figure_unknown_name_lists_valid_names);
  suite_add_tcase(su, tc);

  tc = tcase_create("matrices");
  tcase_add_test(tc, test_csr_with_decreasing_ptr_is_einval_naming_the_row);
  tcase_add_test(tc, test_csr_with_index_out_of_range_is_einval_naming_it);
  tcase_add_test(tc, test_csr_with_nan_value_is_einval_naming_the_entry);
  tcase_add_test(tc, test_csr_duplicates_are_refused_for_view_and_copy);
  tcase_add_test(tc, test_matrix_shape_arguments_are_checked);
  suite_add_tcase(su, tc);

  tc = tcase_create("setup_requirements");
  tcase_add_test(tc, test_user_precond_without_precond_fn_is_einval_naming_precond_fn);
  tcase_add_test(tc, test_operator_not_declared_symmetric_is_einval);
  tcase_add_test(tc, test_assembled_precond_on_operator_is_eunsupported);
  tcase_add_test(tc, test_general_nonsymmetric_A_is_einval_naming_the_entry);
  tcase_add_test(tc, test_not_spd_matrix_ends_with_not_spd_and_unusable_iterate);
  suite_add_tcase(su, tc);

  tc = tcase_create("call_order");
  tcase_add_test(tc, test_step_before_setup_is_estate_with_sentence);
  tcase_add_test(tc, test_step_after_the_run_ended_is_estate_with_sentence);
  tcase_add_test(tc, test_fixed_option_change_after_setup_requires_setup_again);
  tcase_add_test(tc, test_mutable_options_may_change_between_steps);
  tcase_add_loop_test(tc, test_max_iter_lowered_below_the_count_stops_before_another_step, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_rtol_tightened_after_setup_governs_the_run, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_atol_raised_between_steps_stops_at_the_next_step, 0, N_LINEAR_KINDS);
  tcase_add_test(tc, test_solver_set_up_again_on_another_dimension);
  tcase_add_test(tc, test_zero_rhs_is_solved_exactly_in_zero_iterations);
  tcase_add_test(tc, test_empty_system_is_solved_exactly);
  tcase_add_loop_test(tc, test_converged_x0_ends_the_run_at_setup, 0, N_LINEAR_KINDS);
  suite_add_tcase(su, tc);

  tc = tcase_create("monitor_and_log");
  tcase_add_loop_test(tc, test_monitor_called_every_k_iterations_with_increasing_iterations, 0, N_LINEAR_KINDS);
  tcase_add_test(tc, test_monitor_every_zero_never_calls_the_monitor);
  tcase_add_loop_test(tc, test_monitor_stop_ends_with_user_success_and_usable_iterate, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_monitor_abort_ends_with_user_abort, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_max_iter_budget_ends_with_max_iter_and_usable_iterate, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_max_time_budget_ends_with_max_time_and_usable_iterate, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_request_stop_from_the_monitor_interrupts, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_request_stop_from_another_thread_interrupts, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_request_stop_before_solve_interrupts_without_iterating, 0, N_LINEAR_KINDS);
  tcase_add_test(tc, test_log_sink_receives_only_messages_at_or_below_its_level);
  tcase_add_test(tc, test_solver_is_silent_on_stderr_by_default);
  suite_add_tcase(su, tc);

  tc = tcase_create("callbacks");
  tcase_add_loop_test(tc, test_operator_callback_failure_mid_run_is_stop_callback_with_status_ok, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_operator_callback_failure_reports_the_callbacks_code, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_operator_callback_failure_on_x0_ends_the_run_at_setup, 0, N_LINEAR_KINDS);
  tcase_add_test(tc, test_user_preconditioner_returning_nan_stops_nonfinite_with_finite_x);
  tcase_add_test(tc, test_user_preconditioner_failure_is_stop_callback_with_its_code);
  tcase_add_test(tc, test_direction_callback_failure_is_stop_callback_with_its_code);
  tcase_add_test(tc, test_iteration_that_fails_in_a_callback_is_not_counted);
  suite_add_tcase(su, tc);

  tc = tcase_create("allocation_failure");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_every_allocation_failure_is_enomem_and_leaks_nothing_pcg, 0,
                      (int)(sizeof oom_preconds / sizeof oom_preconds[0]));
  tcase_add_test(tc, test_every_allocation_failure_is_enomem_and_leaks_nothing_conj_direction);
  suite_add_tcase(su, tc);

  tc = tcase_create("threads");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_four_threads_sharing_one_problem_match_serial_bit_for_bit);
  tcase_add_test(tc, test_four_threads_on_distinct_problems_match_serial_bit_for_bit);
  suite_add_tcase(su, tc);

  tc = tcase_create("state");
  tcase_add_loop_test(tc, test_state_resume_gives_identical_iterates_and_iteration_count, 0,
                      (int)(sizeof state_preconds / sizeof state_preconds[0]));
  tcase_add_test(tc, test_corrupted_state_blob_is_eformat_and_changes_nothing);
  tcase_add_test(tc, test_truncated_state_blob_is_eformat);
  tcase_add_test(tc, test_state_blob_from_another_kind_is_einval_naming_the_kind);
  tcase_add_test(tc, test_state_load_into_another_dimension_is_einval_naming_both);
  tcase_add_test(tc, test_state_load_before_setup_is_estate);
  tcase_add_test(tc, test_state_save_into_a_small_buffer_is_einval_naming_sizes);
  tcase_add_test(tc, test_state_load_after_fixed_option_change_is_estate);
  suite_add_tcase(su, tc);

  tc = tcase_create("result");
  tcase_add_loop_test(tc, test_result_fields_agree_with_stop_reason_and_figures, 0, N_LINEAR_KINDS);
  tcase_add_loop_test(tc, test_result_evaluations_equal_the_matvecs_figure, 0, N_LINEAR_KINDS);
  suite_add_tcase(su, tc);
  return su;
}

int main(void)
{
  SRunner *sr = srunner_create(api_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
