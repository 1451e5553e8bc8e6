/* tests/problems/mgh.c: the Moré-Garbow-Hillstrom problems 1-32 (see mgh.h for the conventions).
 *
 * Formulas: Moré, Garbow, Hillstrom, ACM TOMS 7(1) 1981, 17-41, Section 3, written here from the
 * paper's definitions. They were cross-read against (never copied from) the documented test-set
 * implementations: netlib uncon/data/<name>.f (Averbukh's Fortran of the MGH set), R funconstrain
 * (jlmelville) and Julia NLSProblems.jl docs, and GSL's multifit test suite, which also supplies
 * the long reference values marked "GSL". Indices below are the paper's (1-based) in comments and
 * C's (0-based) in code. J[i + j m] = d r_i / d x_j. */
#include "mgh.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JAC(i, j) J[(i) + (j) * m]

static const double pi = 3.14159265358979323846;

/* ---- standard starting points ------------------------------------------------------------------ */

static void fill(double *x, int64_t n, double v)
{
  for (int64_t j = 0; j < n; j++) x[j] = v;
}

#define START(name, ...)                                        \
  static void name(const mgh_problem *p, double *x0)            \
  {                                                             \
    static const double v[] = {__VA_ARGS__};                    \
    memcpy(x0, v, (size_t)p->n * sizeof *x0);                   \
  }

START(start_rosenbrock, -1.2, 1.0)
START(start_freudenstein_roth, 0.5, -2.0)
START(start_powell_badly_scaled, 0.0, 1.0)
START(start_brown_badly_scaled, 1.0, 1.0)
START(start_beale, 1.0, 1.0)
START(start_jennrich_sampson, 0.3, 0.4)
START(start_helical_valley, -1.0, 0.0, 0.0)
START(start_bard, 1.0, 1.0, 1.0)
START(start_gaussian, 0.4, 1.0, 0.0)
START(start_meyer, 0.02, 4000.0, 250.0)
START(start_gulf, 5.0, 2.5, 0.15)
START(start_box3d, 0.0, 10.0, 20.0)
START(start_powell_singular, 3.0, -1.0, 0.0, 1.0)
START(start_wood, -3.0, -1.0, -3.0, -1.0)
START(start_kowalik_osborne, 0.25, 0.39, 0.415, 0.39)
START(start_brown_dennis, 25.0, 5.0, -5.0, -1.0)
START(start_osborne1, 0.5, 1.5, -1.0, 0.01, 0.02)
START(start_biggs_exp6, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0)
START(start_osborne2, 1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5)

static void start_zero(const mgh_problem *p, double *x0) { fill(x0, p->n, 0.0); }
static void start_half(const mgh_problem *p, double *x0) { fill(x0, p->n, 0.5); }
static void start_minus_one(const mgh_problem *p, double *x0) { fill(x0, p->n, -1.0); }
static void start_one(const mgh_problem *p, double *x0) { fill(x0, p->n, 1.0); }

/* #21: (-1.2, 1, -1.2, 1, ...) */
static void start_ext_rosenbrock(const mgh_problem *p, double *x0)
{
  for (int64_t j = 0; j < p->n; j++) x0[j] = j % 2 ? 1.0 : -1.2;
}

/* #22: (3, -1, 0, 1, 3, -1, 0, 1, ...) */
static void start_ext_powell(const mgh_problem *p, double *x0)
{
  static const double v[4] = {3.0, -1.0, 0.0, 1.0};
  for (int64_t j = 0; j < p->n; j++) x0[j] = v[j % 4];
}

/* #23: x_j = j */
static void start_penalty1(const mgh_problem *p, double *x0)
{
  for (int64_t j = 0; j < p->n; j++) x0[j] = (double)(j + 1);
}

/* #25: x_j = 1 - j/n */
static void start_variably_dimensioned(const mgh_problem *p, double *x0)
{
  for (int64_t j = 0; j < p->n; j++) x0[j] = 1.0 - (double)(j + 1) / (double)p->n;
}

/* #26: x_j = 1/n */
static void start_trigonometric(const mgh_problem *p, double *x0) { fill(x0, p->n, 1.0 / (double)p->n); }

/* #28, #29: x_j = t_j (t_j - 1), t_j = j h, h = 1/(n+1) */
static void start_discrete(const mgh_problem *p, double *x0)
{
  double h = 1.0 / (double)(p->n + 1);
  for (int64_t j = 0; j < p->n; j++) {
    double t = (double)(j + 1) * h;
    x0[j] = t * (t - 1.0);
  }
}

/* ---- residuals ----------------------------------------------------------------------------------- */

/* #1 Rosenbrock: r1 = 10 (x2 - x1^2), r2 = 1 - x1. */
static void rosenbrock(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  r[0] = 10.0 * (x[1] - x[0] * x[0]);
  r[1] = 1.0 - x[0];
  if (!J) return;
  JAC(0, 0) = -20.0 * x[0], JAC(0, 1) = 10.0;
  JAC(1, 0) = -1.0, JAC(1, 1) = 0.0;
}

/* #2 Freudenstein and Roth: r1 = -13 + x1 + ((5 - x2) x2 - 2) x2,
 *                           r2 = -29 + x1 + ((x2 + 1) x2 - 14) x2. */
static void freudenstein_roth(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  double y = x[1];
  r[0] = -13.0 + x[0] + ((5.0 - y) * y - 2.0) * y;
  r[1] = -29.0 + x[0] + ((y + 1.0) * y - 14.0) * y;
  if (!J) return;
  JAC(0, 0) = 1.0, JAC(0, 1) = (10.0 - 3.0 * y) * y - 2.0;
  JAC(1, 0) = 1.0, JAC(1, 1) = (3.0 * y + 2.0) * y - 14.0;
}

/* #3 Powell badly scaled: r1 = 1e4 x1 x2 - 1, r2 = exp(-x1) + exp(-x2) - 1.0001. */
static void powell_badly_scaled(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  double e1 = exp(-x[0]), e2 = exp(-x[1]);
  r[0] = 1e4 * x[0] * x[1] - 1.0;
  r[1] = e1 + e2 - 1.0001;
  if (!J) return;
  JAC(0, 0) = 1e4 * x[1], JAC(0, 1) = 1e4 * x[0];
  JAC(1, 0) = -e1, JAC(1, 1) = -e2;
}

/* #4 Brown badly scaled: r1 = x1 - 1e6, r2 = x2 - 2e-6, r3 = x1 x2 - 2. */
static void brown_badly_scaled(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  r[0] = x[0] - 1e6;
  r[1] = x[1] - 2e-6;
  r[2] = x[0] * x[1] - 2.0;
  if (!J) return;
  JAC(0, 0) = 1.0, JAC(0, 1) = 0.0;
  JAC(1, 0) = 0.0, JAC(1, 1) = 1.0;
  JAC(2, 0) = x[1], JAC(2, 1) = x[0];
}

/* #5 Beale: r_i = y_i - x1 (1 - x2^i), y = (1.5, 2.25, 2.625). */
static void beale(const mgh_problem *p, const double *x, double *r, double *J)
{
  static const double y[3] = {1.5, 2.25, 2.625};
  int64_t m = p->m;
  double pw = 1.0; /* x2^(i-1) */
  for (int i = 0; i < 3; i++) {
    double pi1 = pw * x[1]; /* x2^i */
    r[i] = y[i] - x[0] * (1.0 - pi1);
    if (J) JAC(i, 0) = -(1.0 - pi1), JAC(i, 1) = x[0] * (double)(i + 1) * pw;
    pw = pi1;
  }
}

/* #6 Jennrich and Sampson: r_i = 2 + 2i - (exp(i x1) + exp(i x2)), i = 1..m (m = 10). */
static void jennrich_sampson(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double k = (double)(i + 1), e1 = exp(k * x[0]), e2 = exp(k * x[1]);
    r[i] = 2.0 + 2.0 * k - (e1 + e2);
    if (J) JAC(i, 0) = -k * e1, JAC(i, 1) = -k * e2;
  }
}

/* #7 Helical valley: r1 = 10 (x3 - 10 theta(x1, x2)), r2 = 10 (sqrt(x1^2 + x2^2) - 1), r3 = x3, with
 * 2 pi theta = arctan(x2/x1) for x1 > 0 and arctan(x2/x1) + pi for x1 < 0. The paper leaves x1 = 0
 * open; we take theta = 1/4 sign(x2) there, the limit from x1 > 0 (MINPACK's test functions do the same). */
static void helical_valley(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  double t;
  if (x[0] > 0) t = atan(x[1] / x[0]) / (2.0 * pi);
  else if (x[0] < 0) t = atan(x[1] / x[0]) / (2.0 * pi) + 0.5;
  else t = x[1] >= 0 ? 0.25 : -0.25;
  double rr = x[0] * x[0] + x[1] * x[1], rho = sqrt(rr);
  r[0] = 10.0 * (x[2] - 10.0 * t);
  r[1] = 10.0 * (rho - 1.0);
  r[2] = x[2];
  if (!J) return;
  /* d theta/dx1 = -x2 / (2 pi rr), d theta/dx2 = x1 / (2 pi rr) */
  JAC(0, 0) = 100.0 * x[1] / (2.0 * pi * rr), JAC(0, 1) = -100.0 * x[0] / (2.0 * pi * rr), JAC(0, 2) = 10.0;
  JAC(1, 0) = 10.0 * x[0] / rho, JAC(1, 1) = 10.0 * x[1] / rho, JAC(1, 2) = 0.0;
  JAC(2, 0) = 0.0, JAC(2, 1) = 0.0, JAC(2, 2) = 1.0;
}

/* #8 Bard: r_i = y_i - (x1 + u_i / (v_i x2 + w_i x3)), u_i = i, v_i = 16 - i, w_i = min(u_i, v_i). */
static void bard(const mgh_problem *p, const double *x, double *r, double *J)
{
  static const double y[15] = {0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39,
                               0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39};
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double u = (double)(i + 1), v = 16.0 - u, w = fmin(u, v), d = v * x[1] + w * x[2];
    r[i] = y[i] - (x[0] + u / d);
    if (J) JAC(i, 0) = -1.0, JAC(i, 1) = u * v / (d * d), JAC(i, 2) = u * w / (d * d);
  }
}

/* #9 Gaussian: r_i = x1 exp(-x2 (t_i - x3)^2 / 2) - y_i, t_i = (8 - i)/2. */
static void gaussian(const mgh_problem *p, const double *x, double *r, double *J)
{
  static const double y[15] = {0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
                               0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009};
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double t = (8.0 - (double)(i + 1)) / 2.0, d = t - x[2], e = exp(-0.5 * x[1] * d * d);
    r[i] = x[0] * e - y[i];
    if (J) JAC(i, 0) = e, JAC(i, 1) = -0.5 * x[0] * e * d * d, JAC(i, 2) = x[0] * x[1] * d * e;
  }
}

/* #10 Meyer: r_i = x1 exp(x2 / (t_i + x3)) - y_i, t_i = 45 + 5i. */
static void meyer(const mgh_problem *p, const double *x, double *r, double *J)
{
  static const double y[16] = {34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744,
                               8261,  7030,  6005,  5147,  4427,  3820,  3307,  2872};
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double d = 45.0 + 5.0 * (double)(i + 1) + x[2], e = exp(x[1] / d);
    r[i] = x[0] * e - y[i];
    if (J) JAC(i, 0) = e, JAC(i, 1) = x[0] * e / d, JAC(i, 2) = -x[0] * x[1] * e / (d * d);
  }
}

/* #11 Gulf research and development: r_i = exp(-|y_i - x2|^x3 / x1) - t_i, t_i = i/100,
 * y_i = 25 + (-50 ln t_i)^(2/3). The paper prints "y_i m i x_2": the "mi" is a minus sign (at the
 * stated x* = (50, 25, 1.5) only y_i - x2 gives f = 0; see funconstrain's note). m = 99, the value
 * Jamil and Yang (2013) use; any 3 <= m <= 100 has f* = 0 at the same x*. */
static void gulf(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double t = (double)(i + 1) / 100.0, y = 25.0 + pow(-50.0 * log(t), 2.0 / 3.0);
    double d = y - x[1], a = fabs(d), pw = pow(a, x[2]), e = exp(-pw / x[0]);
    r[i] = e - t;
    if (!J) continue;
    JAC(i, 0) = e * pw / (x[0] * x[0]);
    /* d|y - x2|^x3 / dx2 = -x3 |d|^(x3-1) sign(d); zero at d = 0 (x3 > 1 near the solution) */
    JAC(i, 1) = a > 0 ? e * x[2] * (pw / a) * (d > 0 ? 1.0 : -1.0) / x[0] : 0.0;
    JAC(i, 2) = a > 0 ? -e * pw * log(a) / x[0] : 0.0;
  }
}

/* #12 Box three-dimensional: r_i = exp(-t_i x1) - exp(-t_i x2) - x3 (exp(-t_i) - exp(-10 t_i)),
 * t_i = 0.1 i, m = 10. */
static void box3d(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double t = 0.1 * (double)(i + 1), e1 = exp(-t * x[0]), e2 = exp(-t * x[1]), c = exp(-t) - exp(-10.0 * t);
    r[i] = e1 - e2 - x[2] * c;
    if (J) JAC(i, 0) = -t * e1, JAC(i, 1) = t * e2, JAC(i, 2) = -c;
  }
}

/* #13 Powell singular: r1 = x1 + 10 x2, r2 = sqrt5 (x3 - x4), r3 = (x2 - 2 x3)^2, r4 = sqrt10 (x1 - x4)^2. */
static void powell_singular_block(const double *x, double *r, double *J, int64_t m, int64_t row, int64_t col)
{
  const double s5 = sqrt(5.0), s10 = sqrt(10.0);
  double a = x[1] - 2.0 * x[2], b = x[0] - x[3];
  r[0] = x[0] + 10.0 * x[1];
  r[1] = s5 * (x[2] - x[3]);
  r[2] = a * a;
  r[3] = s10 * b * b;
  if (!J) return;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) JAC(row + i, col + j) = 0.0;
  JAC(row + 0, col + 0) = 1.0, JAC(row + 0, col + 1) = 10.0;
  JAC(row + 1, col + 2) = s5, JAC(row + 1, col + 3) = -s5;
  JAC(row + 2, col + 1) = 2.0 * a, JAC(row + 2, col + 2) = -4.0 * a;
  JAC(row + 3, col + 0) = 2.0 * s10 * b, JAC(row + 3, col + 3) = -2.0 * s10 * b;
}

static void powell_singular(const mgh_problem *p, const double *x, double *r, double *J)
{
  powell_singular_block(x, r, J, p->m, 0, 0);
}

/* #14 Wood: r1 = 10 (x2 - x1^2), r2 = 1 - x1, r3 = sqrt90 (x4 - x3^2), r4 = 1 - x3,
 * r5 = sqrt10 (x2 + x4 - 2), r6 = (x2 - x4)/sqrt10. */
static void wood(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  const double s90 = sqrt(90.0), s10 = sqrt(10.0);
  r[0] = 10.0 * (x[1] - x[0] * x[0]);
  r[1] = 1.0 - x[0];
  r[2] = s90 * (x[3] - x[2] * x[2]);
  r[3] = 1.0 - x[2];
  r[4] = s10 * (x[1] + x[3] - 2.0);
  r[5] = (x[1] - x[3]) / s10;
  if (!J) return;
  memset(J, 0, (size_t)(m * p->n) * sizeof *J);
  JAC(0, 0) = -20.0 * x[0], JAC(0, 1) = 10.0;
  JAC(1, 0) = -1.0;
  JAC(2, 2) = -2.0 * s90 * x[2], JAC(2, 3) = s90;
  JAC(3, 2) = -1.0;
  JAC(4, 1) = s10, JAC(4, 3) = s10;
  JAC(5, 1) = 1.0 / s10, JAC(5, 3) = -1.0 / s10;
}

/* #15 Kowalik and Osborne: r_i = y_i - x1 (u_i^2 + u_i x2) / (u_i^2 + u_i x3 + x4). */
static void kowalik_osborne(const mgh_problem *p, const double *x, double *r, double *J)
{
  static const double y[11] = {0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627,
                               0.0456, 0.0342, 0.0323, 0.0235, 0.0246};
  static const double u[11] = {4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625};
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double num = u[i] * (u[i] + x[1]), den = u[i] * (u[i] + x[2]) + x[3];
    r[i] = y[i] - x[0] * num / den;
    if (J)
      JAC(i, 0) = -num / den, JAC(i, 1) = -x[0] * u[i] / den, JAC(i, 2) = x[0] * num * u[i] / (den * den),
      JAC(i, 3) = x[0] * num / (den * den);
  }
}

/* #16 Brown and Dennis: r_i = (x1 + t_i x2 - exp(t_i))^2 + (x3 + x4 sin t_i - cos t_i)^2, t_i = i/5,
 * m = 20. */
static void brown_dennis(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double t = (double)(i + 1) / 5.0, s = sin(t);
    double a = x[0] + t * x[1] - exp(t), b = x[2] + x[3] * s - cos(t);
    r[i] = a * a + b * b;
    if (J) JAC(i, 0) = 2.0 * a, JAC(i, 1) = 2.0 * a * t, JAC(i, 2) = 2.0 * b, JAC(i, 3) = 2.0 * b * s;
  }
}

/* #17 Osborne 1: r_i = y_i - (x1 + x2 exp(-t_i x4) + x3 exp(-t_i x5)), t_i = 10 (i - 1), m = 33. */
static void osborne1(const mgh_problem *p, const double *x, double *r, double *J)
{
  static const double y[33] = {0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751,
                               0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490,
                               0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406};
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double t = 10.0 * (double)i, e4 = exp(-t * x[3]), e5 = exp(-t * x[4]);
    r[i] = y[i] - (x[0] + x[1] * e4 + x[2] * e5);
    if (J)
      JAC(i, 0) = -1.0, JAC(i, 1) = -e4, JAC(i, 2) = -e5, JAC(i, 3) = t * x[1] * e4, JAC(i, 4) = t * x[2] * e5;
  }
}

/* #18 Biggs EXP6: r_i = x3 exp(-t_i x1) - x4 exp(-t_i x2) + x6 exp(-t_i x5) - y_i, t_i = 0.1 i,
 * y_i = exp(-t_i) - 5 exp(-10 t_i) + 3 exp(-4 t_i), m = 13. */
static void biggs_exp6(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double t = 0.1 * (double)(i + 1), y = exp(-t) - 5.0 * exp(-10.0 * t) + 3.0 * exp(-4.0 * t);
    double e1 = exp(-t * x[0]), e2 = exp(-t * x[1]), e5 = exp(-t * x[4]);
    r[i] = x[2] * e1 - x[3] * e2 + x[5] * e5 - y;
    if (J)
      JAC(i, 0) = -t * x[2] * e1, JAC(i, 1) = t * x[3] * e2, JAC(i, 2) = e1, JAC(i, 3) = -e2,
      JAC(i, 4) = -t * x[5] * e5, JAC(i, 5) = e5;
  }
}

/* #19 Osborne 2: r_i = y_i - (x1 exp(-t_i x5) + x2 exp(-(t_i - x9)^2 x6) + x3 exp(-(t_i - x10)^2 x7)
 *                             + x4 exp(-(t_i - x11)^2 x8)), t_i = (i - 1)/10, m = 65.
 * y_18 = 0.626 as in the paper and netlib (one transcription, NLSProblems.jl, has 0.625). */
static void osborne2(const mgh_problem *p, const double *x, double *r, double *J)
{
  static const double y[65] = {
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608,
    0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661,
    0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428,
    0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559,
    0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054};
  int64_t m = p->m;
  for (int64_t i = 0; i < m; i++) {
    double t = (double)i / 10.0;
    double d9 = t - x[8], d10 = t - x[9], d11 = t - x[10];
    double e1 = exp(-t * x[4]), e2 = exp(-d9 * d9 * x[5]), e3 = exp(-d10 * d10 * x[6]), e4 = exp(-d11 * d11 * x[7]);
    r[i] = y[i] - (x[0] * e1 + x[1] * e2 + x[2] * e3 + x[3] * e4);
    if (!J) continue;
    JAC(i, 0) = -e1, JAC(i, 1) = -e2, JAC(i, 2) = -e3, JAC(i, 3) = -e4;
    JAC(i, 4) = t * x[0] * e1;
    JAC(i, 5) = d9 * d9 * x[1] * e2;
    JAC(i, 6) = d10 * d10 * x[2] * e3;
    JAC(i, 7) = d11 * d11 * x[3] * e4;
    JAC(i, 8) = -2.0 * d9 * x[5] * x[1] * e2;
    JAC(i, 9) = -2.0 * d10 * x[6] * x[2] * e3;
    JAC(i, 10) = -2.0 * d11 * x[7] * x[3] * e4;
  }
}

/* #20 Watson: for i = 1..29, t_i = i/29,
 *   r_i = sum_{j=2}^{n} (j-1) x_j t_i^(j-2) - (sum_{j=1}^{n} x_j t_i^(j-1))^2 - 1;
 * r_30 = x1, r_31 = x2 - x1^2 - 1 (m = 31). */
static void watson(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  for (int64_t i = 0; i < 29; i++) {
    double t = (double)(i + 1) / 29.0, s1 = 0.0, s2 = 0.0, tp = 1.0; /* tp = t^(j-1), 0-based j */
    for (int64_t j = 0; j < n; j++) {
      s2 += x[j] * tp;
      if (j + 1 < n) s1 += (double)(j + 1) * x[j + 1] * tp;
      tp *= t;
    }
    r[i] = s1 - s2 * s2 - 1.0;
    if (!J) continue;
    double tj = 1.0, tjm1 = 0.0; /* t^j and t^(j-1) for 0-based j */
    for (int64_t j = 0; j < n; j++) {
      JAC(i, j) = (double)j * tjm1 - 2.0 * s2 * tj;
      tjm1 = tj;
      tj *= t;
    }
  }
  r[29] = x[0];
  r[30] = x[1] - x[0] * x[0] - 1.0;
  if (!J) return;
  for (int64_t j = 0; j < n; j++) JAC(29, j) = 0.0, JAC(30, j) = 0.0;
  JAC(29, 0) = 1.0;
  JAC(30, 0) = -2.0 * x[0], JAC(30, 1) = 1.0;
}

/* #21 Extended Rosenbrock: r_{2i-1} = 10 (x_{2i} - x_{2i-1}^2), r_{2i} = 1 - x_{2i-1}. */
static void ext_rosenbrock(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  if (J) memset(J, 0, (size_t)(m * n) * sizeof *J);
  for (int64_t k = 0; k + 1 < n; k += 2) {
    r[k] = 10.0 * (x[k + 1] - x[k] * x[k]);
    r[k + 1] = 1.0 - x[k];
    if (J) JAC(k, k) = -20.0 * x[k], JAC(k, k + 1) = 10.0, JAC(k + 1, k) = -1.0;
  }
}

/* #22 Extended Powell singular: #13 on each block of four. */
static void ext_powell(const mgh_problem *p, const double *x, double *r, double *J)
{
  for (int64_t k = 0; k + 3 < p->n; k += 4) powell_singular_block(x + k, r + k, J, p->m, k, k);
  if (J) /* the blocks zero their own 4 x 4 squares; clear the rest */
    for (int64_t j = 0; j < p->n; j++)
      for (int64_t i = 0; i < p->m; i++)
        if (i / 4 != j / 4) J[i + j * p->m] = 0.0;
}

/* #23 Penalty I: r_i = sqrt(a) (x_i - 1), i = 1..n; r_{n+1} = sum x_j^2 - 1/4; a = 1e-5. */
static void penalty1(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  const double sa = sqrt(1e-5);
  double s = 0.0;
  if (J) memset(J, 0, (size_t)(m * n) * sizeof *J);
  for (int64_t j = 0; j < n; j++) {
    r[j] = sa * (x[j] - 1.0);
    s += x[j] * x[j];
    if (J) JAC(j, j) = sa, JAC(n, j) = 2.0 * x[j];
  }
  r[n] = s - 0.25;
}

/* #24 Penalty II: r_1 = x1 - 0.2;
 *   r_i = sqrt(a) (exp(x_i/10) + exp(x_{i-1}/10) - y_i), 2 <= i <= n, y_i = exp(i/10) + exp((i-1)/10);
 *   r_i = sqrt(a) (exp(x_{i-n+1}/10) - exp(-1/10)), n < i < 2n;
 *   r_{2n} = sum_j (n - j + 1) x_j^2 - 1;   a = 1e-5, m = 2n. */
static void penalty2(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  const double sa = sqrt(1e-5);
  if (J) memset(J, 0, (size_t)(m * n) * sizeof *J);
  r[0] = x[0] - 0.2;
  if (J) JAC(0, 0) = 1.0;
  for (int64_t i = 1; i < n; i++) { /* paper's i = 2..n */
    double y = exp((double)(i + 1) / 10.0) + exp((double)i / 10.0);
    double ea = exp(x[i] / 10.0), eb = exp(x[i - 1] / 10.0);
    r[i] = sa * (ea + eb - y);
    if (J) JAC(i, i) = 0.1 * sa * ea, JAC(i, i - 1) = 0.1 * sa * eb;
  }
  for (int64_t i = n; i < 2 * n - 1; i++) { /* paper's i = n+1..2n-1 uses x_{i-n+1}: 0-based x[i - n + 1] */
    double e = exp(x[i - n + 1] / 10.0);
    r[i] = sa * (e - exp(-0.1));
    if (J) JAC(i, i - n + 1) = 0.1 * sa * e;
  }
  double s = 0.0;
  for (int64_t j = 0; j < n; j++) {
    s += (double)(n - j) * x[j] * x[j];
    if (J) JAC(m - 1, j) = 2.0 * (double)(n - j) * x[j];
  }
  r[m - 1] = s - 1.0;
}

/* #25 Variably dimensioned: r_i = x_i - 1 (i <= n), r_{n+1} = sum_j j (x_j - 1), r_{n+2} = r_{n+1}^2. */
static void variably_dimensioned(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  double s = 0.0;
  if (J) memset(J, 0, (size_t)(m * n) * sizeof *J);
  for (int64_t j = 0; j < n; j++) {
    r[j] = x[j] - 1.0;
    s += (double)(j + 1) * (x[j] - 1.0);
    if (J) JAC(j, j) = 1.0;
  }
  r[n] = s;
  r[n + 1] = s * s;
  if (J)
    for (int64_t j = 0; j < n; j++) JAC(n, j) = (double)(j + 1), JAC(n + 1, j) = 2.0 * s * (double)(j + 1);
}

/* #26 Trigonometric: r_i = n - sum_j cos x_j + i (1 - cos x_i) - sin x_i, m = n. */
static void trigonometric(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  double sc = 0.0;
  for (int64_t j = 0; j < n; j++) sc += cos(x[j]);
  for (int64_t i = 0; i < n; i++) {
    double k = (double)(i + 1);
    r[i] = (double)n - sc + k * (1.0 - cos(x[i])) - sin(x[i]);
    if (!J) continue;
    for (int64_t j = 0; j < n; j++) JAC(i, j) = sin(x[j]);
    JAC(i, i) += k * sin(x[i]) - cos(x[i]);
  }
}

/* #27 Brown almost-linear: r_i = x_i + sum_j x_j - (n + 1), i < n; r_n = prod_j x_j - 1. */
static void brown_almost_linear(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  double s = 0.0, prod = 1.0;
  for (int64_t j = 0; j < n; j++) s += x[j], prod *= x[j];
  for (int64_t i = 0; i + 1 < n; i++) {
    r[i] = x[i] + s - (double)(n + 1);
    if (J)
      for (int64_t j = 0; j < n; j++) JAC(i, j) = i == j ? 2.0 : 1.0;
  }
  r[n - 1] = prod - 1.0;
  if (!J) return;
  for (int64_t j = 0; j < n; j++) { /* product of the others, without dividing (x_j may be 0) */
    double q = 1.0;
    for (int64_t k = 0; k < n; k++)
      if (k != j) q *= x[k];
    JAC(n - 1, j) = q;
  }
}

/* #28 Discrete boundary value: r_i = 2 x_i - x_{i-1} - x_{i+1} + h^2 (x_i + t_i + 1)^3 / 2,
 * h = 1/(n+1), t_i = i h, x_0 = x_{n+1} = 0. */
static void discrete_boundary_value(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  double h = 1.0 / (double)(n + 1);
  if (J) memset(J, 0, (size_t)(m * n) * sizeof *J);
  for (int64_t i = 0; i < n; i++) {
    double t = (double)(i + 1) * h, u = x[i] + t + 1.0;
    double xl = i > 0 ? x[i - 1] : 0.0, xr = i + 1 < n ? x[i + 1] : 0.0;
    r[i] = 2.0 * x[i] - xl - xr + 0.5 * h * h * u * u * u;
    if (!J) continue;
    JAC(i, i) = 2.0 + 1.5 * h * h * u * u;
    if (i > 0) JAC(i, i - 1) = -1.0;
    if (i + 1 < n) JAC(i, i + 1) = -1.0;
  }
}

/* #29 Discrete integral equation:
 *   r_i = x_i + h [ (1 - t_i) sum_{j<=i} t_j (x_j + t_j + 1)^3 + t_i sum_{j>i} (1 - t_j) (x_j + t_j + 1)^3 ] / 2. */
static void discrete_integral_equation(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  double h = 1.0 / (double)(n + 1);
  for (int64_t i = 0; i < n; i++) {
    double ti = (double)(i + 1) * h, s1 = 0.0, s2 = 0.0;
    for (int64_t j = 0; j < n; j++) {
      double tj = (double)(j + 1) * h, u = x[j] + tj + 1.0, c = u * u * u;
      if (j <= i) s1 += tj * c;
      else s2 += (1.0 - tj) * c;
      if (J) /* d/dx_j: the kernel min(t_i, t_j)-shaped weight times 3 u^2 */
        JAC(i, j) = 0.5 * h * (j <= i ? (1.0 - ti) * tj : ti * (1.0 - tj)) * 3.0 * u * u + (i == j ? 1.0 : 0.0);
    }
    r[i] = x[i] + 0.5 * h * ((1.0 - ti) * s1 + ti * s2);
  }
}

/* #30 Broyden tridiagonal: r_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1, x_0 = x_{n+1} = 0. */
static void broyden_tridiagonal(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  if (J) memset(J, 0, (size_t)(m * n) * sizeof *J);
  for (int64_t i = 0; i < n; i++) {
    double xl = i > 0 ? x[i - 1] : 0.0, xr = i + 1 < n ? x[i + 1] : 0.0;
    r[i] = (3.0 - 2.0 * x[i]) * x[i] - xl - 2.0 * xr + 1.0;
    if (!J) continue;
    JAC(i, i) = 3.0 - 4.0 * x[i];
    if (i > 0) JAC(i, i - 1) = -1.0;
    if (i + 1 < n) JAC(i, i + 1) = -2.0;
  }
}

/* #31 Broyden banded: r_i = x_i (2 + 5 x_i^2) + 1 - sum_{j in J_i} x_j (1 + x_j),
 * J_i = { j != i : max(1, i - 5) <= j <= min(n, i + 1) } (m_l = 5, m_u = 1). */
static void broyden_banded(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  if (J) memset(J, 0, (size_t)(m * n) * sizeof *J);
  for (int64_t i = 0; i < n; i++) {
    double s = 0.0;
    int64_t lo = i - 5 > 0 ? i - 5 : 0, hi = i + 1 < n - 1 ? i + 1 : n - 1;
    for (int64_t j = lo; j <= hi; j++) {
      if (j == i) continue;
      s += x[j] * (1.0 + x[j]);
      if (J) JAC(i, j) = -(1.0 + 2.0 * x[j]);
    }
    r[i] = x[i] * (2.0 + 5.0 * x[i] * x[i]) + 1.0 - s;
    if (J) JAC(i, i) = 2.0 + 15.0 * x[i] * x[i];
  }
}

/* #32 Linear function, full rank: r_i = x_i - (2/m) sum_j x_j - 1 (i <= n), r_i = -(2/m) sum_j x_j - 1
 * (i > n); m >= n (here m = 2n). */
static void linear_full_rank(const mgh_problem *p, const double *x, double *r, double *J)
{
  int64_t m = p->m, n = p->n;
  double s = 0.0;
  for (int64_t j = 0; j < n; j++) s += x[j];
  for (int64_t i = 0; i < m; i++) {
    r[i] = (i < n ? x[i] : 0.0) - 2.0 * s / (double)m - 1.0;
    if (J)
      for (int64_t j = 0; j < n; j++) JAC(i, j) = (i == j ? 1.0 : 0.0) - 2.0 / (double)m;
  }
}

/* ---- minimizers --------------------------------------------------------------------------------- */

static const double xs_rosenbrock[2] = {1.0, 1.0};
static const double xs_freudenstein_roth[2] = {5.0, 4.0};
static const double xs_powell_badly_scaled[2] = {1.09815932969975976e-05, 9.10614673986700218}; /* GSL */
static const double xs_brown_badly_scaled[2] = {1e6, 2e-6};
static const double xs_beale[2] = {3.0, 0.5};
static const double xs_jennrich_sampson[2] = {2.578252139935855e-01, 2.578252133471426e-01}; /* GSL */
static const double xs_helical_valley[3] = {1.0, 0.0, 0.0};
static const double xs_bard[3] = {8.241055975623580e-02, 1.133036092245175, 2.343695178435405}; /* GSL */
static const double xs_gaussian[3] = {0.398956137838762825, 1.00001908448786647, 0.0};          /* GSL */
static const double xs_meyer[3] = {5.609636471049458e-03, 6.181346346283188e+03, 3.452236346240292e+02}; /* GSL */
static const double xs_gulf[3] = {50.0, 25.0, 1.5};
static const double xs_box3d[3] = {1.0, 10.0, 1.0};
static const double xs_zero[12] = {0};
static const double xs_one[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const double xs_minus_one[12] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
static const double xs_kowalik_osborne[4] = {1.928069345723978e-01, 1.912823290344599e-01, 1.230565070690708e-01,
                                             1.360623308065148e-01}; /* GSL */
static const double xs_brown_dennis[4] = {-1.159443990239263e+01, 1.320363005221244e+01, -4.034395456782477e-01,
                                          2.367789088597534e-01}; /* GSL */
static const double xs_biggs_exp6[6] = {1.0, 10.0, 1.0, 5.0, 4.0, 3.0};
static const double xs_watson6[6] = {-1.572508640629858e-02, 1.012434869366059e+00, -2.329916259263380e-01,
                                     1.260430087686035e+00,  -1.513728922580576e+00, 9.929964323646112e-01}; /* GSL */

/* ---- the table ---------------------------------------------------------------------------------- */

#define NONE NAN, 0.0 /* no flocal */

/* Columns: number, name, n, m, residuals, start, fstar, ftol, xstar, xstar_unique, xstar_ftol, flocal,
 * flocal_tol, source, xtol. ftol is what a run to ||g||_inf <= 1e-9 meets at a regular minimum
 * (f - f* ~ ||g||^2 / (2 lambda_min(H*))): 1e-12 where f* = 0, between 1e-11 and 1e-6 of f* otherwise
 * (looser for the worse-conditioned fits); larger where the source says why (a singular or nearly
 * singular Hessian at x*). */
const mgh_problem mgh_problems[] = {
  {1, "rosenbrock", 2, 2, rosenbrock, start_rosenbrock, 0.0, 1e-12, xs_rosenbrock, 1, 0.0, NONE,
   "MGH #1: f* = 0 at (1, 1) (exact)", 0.0},
  {2, "freudenstein_roth", 2, 2, freudenstein_roth, start_freudenstein_roth, 0.0, 1e-12, xs_freudenstein_roth, 1,
   0.0, 48.9842536792400, 1e-8,
   "MGH #2: f* = 0 at (5, 4) (exact); local minimum 48.9842... at (11.41..., -0.8968...) (MGH), "
   "48.9842536792400 at (11.4127789869021, -0.896805253274477) (GSL)", 0.0},
  {3, "powell_badly_scaled", 2, 2, powell_badly_scaled, start_powell_badly_scaled, 0.0, 1e-10,
   xs_powell_badly_scaled, 1, 1e-20, NONE,
   "MGH #3: f* = 0 at (1.098...e-5, 9.106...) (MGH); x* to 18 digits (GSL). The Hessian at x* has eigenvalues "
   "2.4e-8 and 1.7e10, so ||g||_inf <= 1e-9 only bounds f by ~2e-11: ftol 1e-10",
   1e-2},
  {4, "brown_badly_scaled", 2, 3, brown_badly_scaled, start_brown_badly_scaled, 0.0, 1e-12, xs_brown_badly_scaled,
   1, 0.0, NONE, "MGH #4: f* = 0 at (1e6, 2e-6) (exact)", 0.0},
  {5, "beale", 2, 3, beale, start_beale, 0.0, 1e-12, xs_beale, 1, 0.0, NONE, "MGH #5: f* = 0 at (3, 0.5) (exact)", 0.0},
  {6, "jennrich_sampson", 2, 10, jennrich_sampson, start_jennrich_sampson, 1.243621823556148e+02, 1e-6,
   xs_jennrich_sampson, 1, 1e-9, NONE,
   "MGH #6 (m = 10): f* = 124.362... at x1 = x2 = 0.2578... (MGH); 124.3621823556148 at x* (GSL)", 0.0},
  {7, "helical_valley", 3, 3, helical_valley, start_helical_valley, 0.0, 1e-12, xs_helical_valley, 1, 0.0, NONE,
   "MGH #7: f* = 0 at (1, 0, 0) (exact)", 0.0},
  {8, "bard", 3, 15, bard, start_bard, 8.214877306578963e-03, 1e-10, xs_bard, 1, 1e-15, 17.42869333333333, 1e-6,
   "MGH #8: f* = 8.21487...e-3 (MGH), 8.214877306578963e-3 at x* (GSL); also 17.4286... at (0.8406..., -inf, "
   "-inf) (MGH; 17.42869333333333, GSL), approached only as x2, x3 -> -inf", 0.0},
  {9, "gaussian", 3, 15, gaussian, start_gaussian, 1.12793276961871985e-08, 1e-14, xs_gaussian, 1, 1e-20, NONE,
   "MGH #9: f* = 1.12793...e-8 (MGH), 1.12793276961871985e-8 at x* (GSL)", 0.0},
  {10, "meyer", 3, 16, meyer, start_meyer, 8.794585517053883e+01, 1e-4, xs_meyer, 1, 1e-6, NONE,
   "MGH #10: f* = 87.9458... (MGH), 87.94585517053883 at x* (GSL); Hessian eigenvalues at x* 2.5e-2 .. 2.5e14",
   1e-3},
  {11, "gulf", 3, 99, gulf, start_gulf, 0.0, 1e-12, xs_gulf, 1, 1e-25, NONE,
   "MGH #11 (m = 99): f* = 0 at (50, 25, 1.5) (MGH; exact)", 0.0},
  {12, "box3d", 3, 10, box3d, start_box3d, 0.0, 1e-12, xs_box3d, 0, 1e-28, NONE,
   "MGH #12 (m = 10): f* = 0 at (1, 10, 1), (10, 1, -1) and wherever x1 = x2, x3 = 0 (MGH; exact)", 0.0},
  {13, "powell_singular", 4, 4, powell_singular, start_powell_singular, 0.0, 1e-8, xs_zero, 1, 0.0, NONE,
   "MGH #13: f* = 0 at the origin (exact); the Hessian there is singular, so f ~ |g|^(4/3) near it",
   3e-2},
  {14, "wood", 4, 6, wood, start_wood, 0.0, 1e-12, xs_one, 1, 0.0, NONE, "MGH #14: f* = 0 at (1, 1, 1, 1) (exact)",
   0.0},
  {15, "kowalik_osborne", 4, 11, kowalik_osborne, start_kowalik_osborne, 3.075056038492370e-04, 1e-11,
   xs_kowalik_osborne, 1, 1e-16, 1.02734304869549252e-03, 1e-9,
   "MGH #15: f* = 3.07505...e-4 (MGH), 3.075056038492370e-4 at x* (GSL); also 1.02734...e-3 at "
   "(+inf, -14.07..., -inf, -inf) (MGH; 1.02734304869549252e-3, GSL)", 0.0},
  {16, "brown_dennis", 4, 20, brown_dennis, start_brown_dennis, 8.582220162635628e+04, 1e-3, xs_brown_dennis, 1,
   1e-6, NONE, "MGH #16 (m = 20): f* = 85822.2... (MGH), 85822.20162635628 at x* (GSL)", 0.0},
  {17, "osborne1", 5, 33, osborne1, start_osborne1, 5.464894697482687e-05, 1e-11, NULL, 0, 0.0, NONE,
   "MGH #17: f* = 5.46489...e-5 (MGH), 5.464894697482687e-5 (GSL)", 0.0},
  {18, "biggs_exp6", 6, 13, biggs_exp6, start_biggs_exp6, 0.0, 1e-12, xs_biggs_exp6, 0, 0.0, 5.65565e-3, 1e-7,
   "MGH #18 (m = 13): f* = 0 at (1, 10, 1, 5, 4, 3) (MGH; exact; not unique: the exponential terms may be "
   "permuted); local minimum 5.65565...e-3 (MGH's 'f = 5.65565e-3 if m = 13')", 0.0},
  {19, "osborne2", 11, 65, osborne2, start_osborne2, 4.013773629354771e-02, 1e-9, NULL, 0, 0.0, NONE,
   "MGH #19: f* = 4.01377...e-2 (MGH); 4.013773629354771e-2 (here)", 0.0},
  {20, "watson6", 6, 31, watson, start_zero, 2.287670053552372e-03, 1e-10, xs_watson6, 1, 1e-14, NONE,
   "MGH #20, n = 6: f* = 2.28767...e-3 (MGH), 2.287670053552372e-3 at x* (GSL)", 0.0},
  {20, "watson9", 9, 31, watson, start_zero, 1.399760138094702e-06, 1e-11, NULL, 0, 0.0, NONE,
   "MGH #20, n = 9: f* = 1.39976...e-6 (MGH); 1.399760138094702e-6 (here)", 0.0},
  {21, "ext_rosenbrock10", 10, 10, ext_rosenbrock, start_ext_rosenbrock, 0.0, 1e-12, xs_one, 1, 0.0, NONE,
   "MGH #21, n = 10: f* = 0 at ones (exact)", 0.0},
  {22, "ext_powell8", 8, 8, ext_powell, start_ext_powell, 0.0, 1e-8, xs_zero, 1, 0.0, NONE,
   "MGH #22, n = 8: f* = 0 at the origin (exact); singular Hessian as #13", 3e-2},
  {23, "penalty1_4", 4, 5, penalty1, start_penalty1, 2.249977500899938e-05, 1e-11, NULL, 0, 0.0, NONE,
   "MGH #23, n = 4: f* = 2.24997...e-5 (MGH); 2.249977500899938e-5 (here)", 0.0},
  {23, "penalty1_10", 10, 11, penalty1, start_penalty1, 7.08765146709037993e-05, 1e-11, NULL, 0, 0.0, NONE,
   "MGH #23, n = 10: f* = 7.08765...e-5 (MGH), 7.08765146709037993e-5 (GSL)", 0.0},
  {24, "penalty2_4", 4, 8, penalty2, start_half, 9.37629300735544219e-06, 1e-12, NULL, 0, 0.0, NONE,
   "MGH #24, n = 4: f* = 9.37629...e-6 (MGH), 9.37629300735544219e-6 (GSL)", 0.0},
  {24, "penalty2_10", 10, 20, penalty2, start_half, 2.936605374567458e-04, 1e-10, NULL, 0, 0.0, NONE,
   "MGH #24, n = 10: f* = 2.93660...e-4 (MGH); 2.936605374567458e-4 (here)", 0.0},
  {25, "variably_dimensioned10", 10, 12, variably_dimensioned, start_variably_dimensioned, 0.0, 1e-12, xs_one, 1,
   0.0, NONE, "MGH #25, n = 10: f* = 0 at ones (exact)", 0.0},
  {26, "trigonometric10", 10, 10, trigonometric, start_trigonometric, 0.0, 1e-12, NULL, 0, 0.0, 2.795056121877767e-05,
   1e-11,
   "MGH #26, n = 10: f* = 0 (MGH); from the standard start descent methods stop at the local minimum "
   "2.795056121877767e-5 (here; the figure 2.79506e-5 often quoted for it agrees)", 0.0},
  {27, "brown_almost_linear10", 10, 10, brown_almost_linear, start_half, 0.0, 1e-12, xs_one, 0, 0.0, 1.0, 1e-8,
   "MGH #27, n = 10: f* = 0 at (a, ..., a, a^(1-n)) with n a^n - (n+1) a^(n-1) + 1 = 0, e.g. a = 1 (MGH); "
   "also f = 1 at (0, ..., 0, n+1) (MGH)", 0.0},
  {28, "discrete_boundary_value10", 10, 10, discrete_boundary_value, start_discrete, 0.0, 1e-12, NULL, 0, 0.0, NONE,
   "MGH #28, n = 10: f* = 0 (MGH)", 0.0},
  {29, "discrete_integral_equation10", 10, 10, discrete_integral_equation, start_discrete, 0.0, 1e-12, NULL, 0, 0.0,
   NONE, "MGH #29, n = 10: f* = 0 (MGH)", 0.0},
  {30, "broyden_tridiagonal10", 10, 10, broyden_tridiagonal, start_minus_one, 0.0, 1e-12, NULL, 0, 0.0, NONE,
   "MGH #30, n = 10: f* = 0 (MGH)", 0.0},
  {31, "broyden_banded10", 10, 10, broyden_banded, start_minus_one, 0.0, 1e-12, NULL, 0, 0.0, 3.05727843242582, 1e-9,
   "MGH #31, n = 10: f* = 0 (MGH); also a local minimum f = 3.05727843242582 (here: nlcg from the standard "
   "start stops there; test_problems.c checks g = 0 and a positive definite Hessian at it)", 0.0},
  {32, "linear_full_rank10", 10, 20, linear_full_rank, start_one, 10.0, 1e-10, xs_minus_one, 1, 1e-13, NONE,
   "MGH #32, n = 10, m = 20: f* = m - n = 10 at x = -ones (MGH; exact)", 0.0},
};
const int mgh_count = sizeof mgh_problems / sizeof mgh_problems[0];

const mgh_problem *mgh_find(const char *name)
{
  for (int k = 0; k < mgh_count; k++)
    if (!strcmp(mgh_problems[k].name, name)) return &mgh_problems[k];
  return NULL;
}

double mgh_value(const mgh_problem *p, const double *x)
{
  double *r = malloc((size_t)p->m * sizeof *r), f = 0.0;
  if (!r) return NAN;
  p->residuals(p, x, r, NULL);
  for (int64_t i = 0; i < p->m; i++) f += r[i] * r[i];
  free(r);
  return f;
}

mgh_eval *mgh_eval_create(const mgh_problem *p)
{
  mgh_eval *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->p = p;
  e->r = malloc((size_t)p->m * sizeof *e->r);
  e->J = malloc((size_t)(p->m * p->n) * sizeof *e->J);
  if (!e->r || !e->J) {
    mgh_eval_destroy(e);
    return NULL;
  }
  return e;
}

void mgh_eval_destroy(mgh_eval *e)
{
  if (!e) return;
  free(e->r);
  free(e->J);
  free(e);
}

int mgh_fg(void *ctx, int64_t n, const double *x, double *f, double *g)
{
  mgh_eval *e = ctx;
  const mgh_problem *p = e->p;
  int64_t m = p->m;
  (void)n;
  e->calls++;
  p->residuals(p, x, e->r, g ? e->J : NULL);
  double s = 0.0;
  for (int64_t i = 0; i < m; i++) s += e->r[i] * e->r[i];
  *f = s;
  if (!g) return 0;
  e->gradient_calls++;
  for (int64_t j = 0; j < p->n; j++) { /* g = 2 J' r */
    const double *col = e->J + j * m;
    double d = 0.0;
    for (int64_t i = 0; i < m; i++) d += col[i] * e->r[i];
    g[j] = 2.0 * d;
  }
  return 0;
}
