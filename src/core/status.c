/* src/core/status.c: names of statuses and stop reasons, messages, logging, version. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void lopt_version(int *major, int *minor, int *patch)
{
  if (major) *major = LOPT_VERSION_MAJOR;
  if (minor) *minor = LOPT_VERSION_MINOR;
  if (patch) *patch = LOPT_VERSION_PATCH;
}

const char *lopt_status_name(int status)
{
  switch (status) {
  case LOPT_OK: return "ok";
  case LOPT_EINVAL: return "einval";
  case LOPT_ENOMEM: return "enomem";
  case LOPT_ESTATE: return "estate";
  case LOPT_EUNSUPPORTED: return "eunsupported";
  case LOPT_ECALLBACK: return "ecallback";
  case LOPT_ELINALG: return "elinalg";
  case LOPT_EFORMAT: return "eformat";
  case LOPT_EIO: return "eio";
  default: return "unknown";
  }
}

static const struct {
  int stop;
  const char *name, *text;
} stop_table[] = {
  {LOPT_STOP_RUNNING, "running", "the run has not ended"},
  {LOPT_STOP_RTOL, "rtol", "converged: residual below rtol times its reference"},
  {LOPT_STOP_ATOL, "atol", "converged: residual below atol"},
  {LOPT_STOP_GTOL, "gtol", "converged: gradient norm below gtol"},
  {LOPT_STOP_FTOL, "ftol", "converged: relative objective decrease below ftol"},
  {LOPT_STOP_XTOL, "xtol", "converged: step below xtol"},
  {LOPT_STOP_TARGET, "target", "converged: objective reached the target"},
  {LOPT_STOP_EXACT, "exact", "solved exactly"},
  {LOPT_STOP_USER_SUCCESS, "user_success", "stopped by the monitor, iterate accepted"},
  {LOPT_STOP_MAX_ITER, "max_iter", "not converged: iteration budget used up"},
  {LOPT_STOP_MAX_TIME, "max_time", "not converged: time budget used up"},
  {LOPT_STOP_MAX_EVAL, "max_eval", "not converged: evaluation budget used up"},
  {LOPT_STOP_NONFINITE, "nonfinite", "not converged: a NaN or Inf appeared"},
  {LOPT_STOP_NOT_SPD, "not_spd", "not converged: matrix or preconditioner not positive definite"},
  {LOPT_STOP_BREAKDOWN, "breakdown", "not converged: the method broke down"},
  {LOPT_STOP_CALLBACK, "callback", "not converged: a user callback failed"},
  {LOPT_STOP_USER_ABORT, "user_abort", "aborted by the monitor"},
  {LOPT_STOP_INTERRUPTED, "interrupted", "interrupted by lopt_solver_request_stop"},
  {LOPT_STOP_LINESEARCH, "linesearch", "not converged: the line search failed"},
  {LOPT_STOP_STAGNATION, "stagnation", "not converged: no further progress at this precision"},
};

const char *lopt_stop_name(int stop)
{
  for (size_t i = 0; i < sizeof stop_table / sizeof stop_table[0]; i++)
    if (stop_table[i].stop == stop) return stop_table[i].name;
  return "unknown";
}

const char *lopt_stop_description(int stop)
{
  for (size_t i = 0; i < sizeof stop_table / sizeof stop_table[0]; i++)
    if (stop_table[i].stop == stop) return stop_table[i].text;
  return "unknown stop reason";
}

int lopt_fail(const lopt_solver *s, int status, const char *fmt, ...)
{
  if (s && s->message) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->message, LOPT_MSG_LEN, fmt, ap);
    va_end(ap);
    lopt_log(s, LOPT_LOG_ERROR, "%s", s->message);
  }
  return status;
}

int lopt_error_set(lopt_error *err, int status, long line, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->status = status;
    err->line = line;
  }
  return status;
}

void lopt_log(const lopt_solver *s, int level, const char *fmt, ...)
{
  if (!s || !s->log || level > s->log_level) return;
  char line[LOPT_MSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  s->log(level, line, s->log_ctx);
}

void lopt_log_stderr(int level, const char *msg, void *ctx)
{
  static const char *const tag[] = {"error", "warning", "info", "debug"};
  (void)ctx;
  fprintf(stderr, "libopt %s: %s\n", (level >= 0 && level <= 3) ? tag[level] : "log", msg);
}
