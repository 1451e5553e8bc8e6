/* bench/lopt_bench.c: the bench harness driver.
 *
 *   lopt_bench [--quick] [--json] [--threads N] [--repeat K] [--list] [--help] [SUITE...]
 *
 * Runs the named suites (default: all, in registry order). Without --json it prints one aligned
 * table per suite, one row per case; with --json every case is one JSON object on its own line
 * of stdout and nothing else goes to stdout (progress and notes go to stderr). A suite is one
 * line in `suites` below plus its bench_<name>.c. Exit status: 0 all cases ran, 1 some case
 * failed, 2 usage error (unknown option or suite). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_common.h"

#ifndef LOPT_SHARED_DIR
#define LOPT_SHARED_DIR "../shared"
#endif

typedef struct bench_suite {
  const char *name;
  const char *summary;
  bench_suite_fn run;
} bench_suite;

/* The registry: one line per suite (optim, ot, bcd, bilevel, smooth go here as they land). */
static const bench_suite suites[] = {
  {"cg", "sparse SPD A x = b: CG, PCG (Jacobi, SSOR, IC0) and CHOLMOD on Poisson and SuiteSparse matrices",
   bench_cg_run},
};
enum { N_SUITES = sizeof suites / sizeof suites[0] };

static void usage(FILE *f)
{
  fprintf(f,
          "usage: lopt_bench [--quick] [--json] [--threads N] [--repeat K] [--list] [--help] [SUITE...]\n"
          "\n"
          "Runs the bench suites named (default: all) and prints one row per case.\n"
          "  --quick       small cases, fewer solvers and repeats (the demo mode)\n"
          "  --json        one JSON object per case per line on stdout, nothing else on stdout\n"
          "  --threads N   OpenMP threads for the library and the triad bound (default: %d)\n"
          "  --repeat K    timed runs per measurement, median reported (default: per suite)\n"
          "  --list        list the suites and exit\n"
          "  --help        this text\n"
          "Environment: LOPT_SHARED_DIR overrides the shared data tree (default %s).\n"
          "Suites:",
#ifdef _OPENMP
          omp_get_max_threads(),
#else
          1,
#endif
          LOPT_SHARED_DIR);
  for (int k = 0; k < N_SUITES; k++) fprintf(f, " %s", suites[k].name);
  fputc('\n', f);
}

static const bench_suite *find_suite(const char *name)
{
  for (int k = 0; k < N_SUITES; k++)
    if (!strcmp(suites[k].name, name)) return &suites[k];
  return NULL;
}

/* A positive int from text, or 0 when it is not one. */
static int parse_count(const char *text)
{
  if (!text || !*text) return 0;
  errno = 0;
  char *end;
  long v = strtol(text, &end, 10);
  if (errno || *end || v < 1 || v > 1 << 20) return 0;
  return (int)v;
}

/* "--opt N" or "--opt=N": the value text, advancing *k past a separate argument; NULL if absent. */
static const char *option_value(int argc, char **argv, int *k, const char *opt)
{
  size_t len = strlen(opt);
  if (!strncmp(argv[*k], opt, len) && argv[*k][len] == '=') return argv[*k] + len + 1;
  if (!strcmp(argv[*k], opt)) return *k + 1 < argc ? argv[++*k] : NULL;
  return NULL;
}

/* Thread placement. Unbound, libgomp leaves placement to the kernel, and on small VMs (seen on
 * 2 vCPUs) the master and a worker can share one vCPU for tens of milliseconds after start-up or
 * after another pool (OpenBLAS) ran: every barrier then waits for a timer tick and a 0.2 ms loop
 * takes 4-8 ms. Results must not depend on that, so unless the user chose a binding (any
 * OMP_PROC_BIND value, e.g. "false" to measure unbound) the harness re-executes itself with
 * OMP_PROC_BIND=close and OMP_PLACES=cores: libgomp reads them when it is loaded, before main.
 * The binding in effect is reported in every JSON record's `omp_proc_bind` field (via env). */
static void bind_threads(char **argv)
{
  if (getenv("OMP_PROC_BIND")) return;
  if (setenv("OMP_PROC_BIND", "close", 1) || setenv("OMP_PLACES", "cores", 0)) return;
  execv("/proc/self/exe", argv);
  execvp(argv[0], argv);
  /* still here: exec failed; run unbound, and say so */
  unsetenv("OMP_PROC_BIND");
  fprintf(stderr, "lopt_bench: could not re-execute with OMP_PROC_BIND=close (%s); threads are unbound\n",
          strerror(errno));
}

/* The 1-minute load average (Linux /proc/loadavg), or -1 when unknown. */
static double load_average(void)
{
  FILE *f = fopen("/proc/loadavg", "r");
  double l = -1;
  if (f) {
    if (fscanf(f, "%lf", &l) != 1) l = -1;
    fclose(f);
  }
  return l;
}

static int is_option(const char *arg, const char *opt)
{
  size_t len = strlen(opt);
  return !strncmp(arg, opt, len) && (arg[len] == '\0' || arg[len] == '=');
}

int main(int argc, char **argv)
{
  bind_threads(argv);
  bench_config cfg = {0};
#ifdef _OPENMP
  cfg.threads = omp_get_max_threads();
#else
  cfg.threads = 1;
#endif
  const char *env = getenv("LOPT_SHARED_DIR");
  cfg.shared_dir = env && *env ? env : LOPT_SHARED_DIR;

  const bench_suite *chosen[N_SUITES];
  int n_chosen = 0, list = 0;
  for (int k = 1; k < argc; k++) {
    const char *a = argv[k];
    if (!strcmp(a, "--quick")) cfg.quick = 1;
    else if (!strcmp(a, "--json")) cfg.json = 1;
    else if (!strcmp(a, "--list")) list = 1;
    else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (is_option(a, "--threads")) {
      const char *v = option_value(argc, argv, &k, "--threads");
      if (!(cfg.threads = parse_count(v))) {
        fprintf(stderr, "lopt_bench: --threads needs a positive integer, got '%s'\n", v ? v : "(nothing)");
        return 2;
      }
    } else if (is_option(a, "--repeat")) {
      const char *v = option_value(argc, argv, &k, "--repeat");
      if (!(cfg.repeat = parse_count(v))) {
        fprintf(stderr, "lopt_bench: --repeat needs a positive integer, got '%s'\n", v ? v : "(nothing)");
        return 2;
      }
    } else if (a[0] == '-') {
      fprintf(stderr, "lopt_bench: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    } else {
      const bench_suite *s = find_suite(a);
      if (!s) {
        fprintf(stderr, "lopt_bench: unknown suite '%s'; suites:", a);
        for (int j = 0; j < N_SUITES; j++) fprintf(stderr, " %s", suites[j].name);
        fputc('\n', stderr);
        return 2;
      }
      int dup = 0;
      for (int j = 0; j < n_chosen; j++) dup |= chosen[j] == s;
      if (!dup) chosen[n_chosen++] = s;
    }
  }

  if (list) {
    for (int k = 0; k < N_SUITES; k++) printf("%-10s %s\n", suites[k].name, suites[k].summary);
    return 0;
  }
  if (n_chosen == 0)
    for (int k = 0; k < N_SUITES; k++) chosen[n_chosen++] = &suites[k];

#ifdef _OPENMP
  omp_set_num_threads(cfg.threads);
#endif
  const char *bind = getenv("OMP_PROC_BIND");
  cfg.proc_bind = bind && *bind ? bind : "unset";
  bench_note("%s mode, %d thread%s (OMP_PROC_BIND=%s), shared data in %s", cfg.quick ? "quick" : "full", cfg.threads,
             cfg.threads == 1 ? "" : "s", cfg.proc_bind, cfg.shared_dir);
  double load = load_average();
  if (load >= 0.5 * cfg.threads)
    bench_note("load average %.2f before start: other work on this machine shares cores and memory bandwidth; "
               "timings (and the triad bound) will be noisy", load);
  int failed = 0;
  for (int k = 0; k < n_chosen; k++) {
    double t0 = bench_now();
    bench_note("suite %s ...", chosen[k]->name);
    if (chosen[k]->run(&cfg)) failed = 1;
    bench_note("suite %s done in %.1f s", chosen[k]->name, bench_now() - t0);
  }
  return failed;
}
