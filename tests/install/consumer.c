/* consumer.c: a program outside the source tree that uses an *installed* libopt.
 *
 * Built by scripts/install_check.sh twice, against the installed package: once through CMake
 * (find_package(libopt) -> libopt::libopt, see CMakeLists.txt here) and once through pkg-config.
 * Solves a 2x2 SPD system with pcg and checks the closed-form answer. Exit 0 on success. */
#include <libopt.h>

#include <math.h>
#include <stdio.h>

int main(void) {
  /* A = [4 1; 1 3] (column-major), b = [1; 2]  =>  x = A^-1 b = [1/11; 7/11]. */
  const double a[4] = {4.0, 1.0, 1.0, 3.0};
  const double b[2] = {1.0, 2.0};
  const double expect[2] = {1.0 / 11.0, 7.0 / 11.0};
  double x[2] = {0.0, 0.0};
  lopt_matrix *A = NULL;
  lopt_problem *p = NULL;
  lopt_solver *s = NULL;
  lopt_error err = {0};
  lopt_result r = {.size = sizeof r};
  int rc, ok = 0;

  int major = -1, minor = -1, patch = -1;
  lopt_version(&major, &minor, &patch);
  if (major != LOPT_VERSION_MAJOR || minor != LOPT_VERSION_MINOR || patch != LOPT_VERSION_PATCH) {
    fprintf(stderr, "consumer: header says %d.%d.%d but the library is %d.%d.%d\n",
            LOPT_VERSION_MAJOR, LOPT_VERSION_MINOR, LOPT_VERSION_PATCH, major, minor, patch);
    return 1;
  }

  if ((rc = lopt_matrix_create_dense(&A, 2, 2, a, 2, LOPT_COPY, &err)) != LOPT_OK) {
    fprintf(stderr, "consumer: lopt_matrix_create_dense: %s: %s\n", lopt_status_name(rc), err.message);
    goto done;
  }
  if ((rc = lopt_problem_create_linear(&p, A, b, &err)) != LOPT_OK) {
    fprintf(stderr, "consumer: lopt_problem_create_linear: %s: %s\n", lopt_status_name(rc), err.message);
    goto done;
  }
  if ((rc = lopt_solver_create(&s, LOPT_PCG)) != LOPT_OK) {
    fprintf(stderr, "consumer: lopt_solver_create(pcg): %s\n", lopt_status_name(rc));
    goto done;
  }
  if ((rc = lopt_solver_set_double(s, "rtol", 1e-12)) != LOPT_OK ||
      (rc = lopt_solver_setup(s, p, NULL)) != LOPT_OK ||
      (rc = lopt_solver_solve(s, &r)) != LOPT_OK ||
      (rc = lopt_solver_get_x(s, x, 2)) != LOPT_OK) {
    fprintf(stderr, "consumer: pcg: %s: %s\n", lopt_status_name(rc), lopt_solver_message(s));
    goto done;
  }
  if (r.stop <= 0) {
    fprintf(stderr, "consumer: pcg did not converge: %s (%s)\n", lopt_stop_name(r.stop),
            lopt_solver_message(s));
    goto done;
  }
  for (int i = 0; i < 2; ++i) {
    if (!(fabs(x[i] - expect[i]) <= 1e-10)) {
      fprintf(stderr, "consumer: x[%d] = %.17g, expected %.17g\n", i, x[i], expect[i]);
      goto done;
    }
  }
  printf("consumer: libopt %d.%d.%d pcg solved the 2x2 system in %lld iterations (%s)\n", major,
         minor, patch, (long long)r.iterations, lopt_stop_name(r.stop));
  ok = 1;

done:
  lopt_solver_destroy(&s);
  lopt_problem_destroy(&p);
  lopt_matrix_destroy(&A);
  return ok ? 0 : 1;
}
