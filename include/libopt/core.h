/* libopt/core.h: statuses, stop reasons, errors, allocator, version.
 *
 * Two questions, two enums. `lopt_status` answers "did this call work?" (every public function
 * returns one: 0 is success, negative is an error). `lopt_stop` answers "why did the run end?"
 * (> 0 converged, by which test; < 0 did not converge; 0 still running). */
#ifndef LIBOPT_CORE_H
#define LIBOPT_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(LOPT_BUILDING_SHARED)
#define LOPT_API __declspec(dllexport)
#elif defined(__GNUC__)
#define LOPT_API __attribute__((visibility("default")))
#else
#define LOPT_API
#endif

#define LOPT_VERSION_MAJOR 0
#define LOPT_VERSION_MINOR 1
#define LOPT_VERSION_PATCH 0

/* The version of the library actually linked (may differ from the header's macros). */
LOPT_API void lopt_version(int *major, int *minor, int *patch);

/* Did the call work? */
typedef enum lopt_status {
  LOPT_OK = 0,
  LOPT_EINVAL = -1,       /* an argument or option value is invalid */
  LOPT_ENOMEM = -2,       /* an allocation failed; nothing leaked, the handle is still usable */
  LOPT_ESTATE = -3,       /* the call is not allowed in the handle's current state (e.g. step before setup) */
  LOPT_EUNSUPPORTED = -4, /* the problem lacks what the solver kind needs, or the feature does not exist */
  LOPT_ECALLBACK = -5,    /* a user callback returned non-zero */
  LOPT_ELINALG = -6,      /* BLAS/LAPACK/CHOLMOD reported a failure */
  LOPT_EFORMAT = -7,      /* malformed input file or state blob */
  LOPT_EIO = -8           /* a file could not be opened, read or written */
} lopt_status;

/* Why did the run end? > 0 converged, < 0 not converged, 0 still running. */
typedef enum lopt_stop {
  LOPT_STOP_RUNNING = 0,
  /* converged */
  LOPT_STOP_RTOL = 1,          /* residual <= rtol * reference (e.g. ||b - Ax|| <= rtol ||b||) */
  LOPT_STOP_ATOL = 2,          /* residual <= atol */
  LOPT_STOP_GTOL = 3,          /* gradient norm test */
  LOPT_STOP_FTOL = 4,          /* relative objective decrease test */
  LOPT_STOP_XTOL = 5,          /* step size test */
  LOPT_STOP_TARGET = 6,        /* objective reached the requested target */
  LOPT_STOP_EXACT = 7,         /* solved exactly (direct method, or trivial case such as b = 0) */
  LOPT_STOP_USER_SUCCESS = 8,  /* the monitor asked to stop and accept the iterate */
  /* not converged */
  LOPT_STOP_MAX_ITER = -1,     /* iteration budget used up */
  LOPT_STOP_MAX_TIME = -2,     /* time budget used up */
  LOPT_STOP_MAX_EVAL = -3,     /* evaluation budget used up */
  LOPT_STOP_NONFINITE = -4,    /* a NaN or Inf appeared */
  LOPT_STOP_NOT_SPD = -5,      /* the matrix or preconditioner is not symmetric positive definite */
  LOPT_STOP_BREAKDOWN = -6,    /* the method cannot continue (e.g. zero search direction) */
  LOPT_STOP_CALLBACK = -7,     /* a user callback reported failure */
  LOPT_STOP_USER_ABORT = -8,   /* the monitor asked to abort */
  LOPT_STOP_INTERRUPTED = -9,  /* lopt_solver_request_stop() was called */
  LOPT_STOP_LINESEARCH = -10,  /* the line search failed to find an acceptable step */
  LOPT_STOP_STAGNATION = -11   /* no progress possible at this precision */
} lopt_stop;

/* Stable lower_snake names ("einval", "rtol", "not_spd", ...); never NULL ("unknown" for others). */
LOPT_API const char *lopt_status_name(int status);
LOPT_API const char *lopt_stop_name(int stop);
/* A one-line description of a stop reason, as a sentence fragment. */
LOPT_API const char *lopt_stop_description(int stop);

/* Error report for calls that create a handle (no handle exists to hold the message when they fail).
 * Pass NULL when not interested. `line` is set by file readers (0 when not applicable). */
typedef struct lopt_error {
  int status;
  long line;
  char message[512];
} lopt_error;

/* Custom allocator. `alloc` returns memory aligned for any type (as malloc) or NULL; `free`
 * accepts NULL. Used for everything a solver allocates, so tests can fail the k-th allocation. */
typedef struct lopt_allocator {
  void *(*alloc)(size_t size, void *ctx);
  void (*free)(void *ptr, void *ctx);
  void *ctx;
} lopt_allocator;

/* Log sink: level is one of LOPT_LOG_*; `msg` is one line without the trailing newline. */
enum { LOPT_LOG_ERROR = 0, LOPT_LOG_WARN = 1, LOPT_LOG_INFO = 2, LOPT_LOG_DEBUG = 3 };
typedef void (*lopt_log_fn)(int level, const char *msg, void *ctx);
/* A ready-made sink that writes "libopt <level>: msg" to stderr, for examples and the bench. */
LOPT_API void lopt_log_stderr(int level, const char *msg, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
