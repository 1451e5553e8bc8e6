/* libopt.h: umbrella header. Include this one; the pieces live in libopt/. */
#ifndef LIBOPT_H
#define LIBOPT_H

#include "libopt/core.h"
#include "libopt/matrix.h"
#include "libopt/problem.h"
#include "libopt/solver.h"
#include "libopt/ot.h"

#endif
