/* tests/test_mmio.c: Matrix Market reading and writing (src/linalg/mmio.c) and the CHOLMOD
 * interop (src/linalg/cholmod_interop.c).
 *
 * Properties checked: write then read gives the same bits for every storage and stype; the reader
 * takes pattern and integer fields, array files, comments, blank lines, CRLF, any keyword case and
 * lines of any length; every malformed file is refused with LOPT_EFORMAT, the line and a sentence
 * saying what was expected; I/O failures are LOPT_EIO; the shipped data files are what their
 * comments say; to_cholmod / from_cholmod keep every value and the product A x. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#endif

#include <check.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libopt.h>
#include <libopt/cholmod.h>

#ifndef LOPT_TEST_DATA_DIR
#define LOPT_TEST_DATA_DIR "tests/data"
#endif
#ifndef LOPT_SHARED_DIR
#define LOPT_SHARED_DIR "../shared"
#endif

/* ---- helpers ------------------------------------------------------------------------------- */

/* splitmix64: a fixed stream, so every run tests the same matrices. */
static uint64_t next_u64(uint64_t *state)
{
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double uniform(uint64_t *state) { return (double)(next_u64(state) >> 11) * 0x1p-53; }

/* A double with all 53 mantissa bits random (so 15 digits would not survive a round trip), random
 * sign, binary exponent in [-40, 40]. */
static double full_mantissa(uint64_t *state)
{
  uint64_t r = next_u64(state);
  double mant = (double)((1ull << 52) | (r & ((1ull << 52) - 1)));
  int e = (int)(next_u64(state) % 81) - 40;
  return ((r >> 63) ? -1.0 : 1.0) * ldexp(mant, e - 52);
}

/* Random CSR arrays: each entry of the (lower / upper / full) pattern present with probability
 * `density`, values with full mantissas. Caller frees. */
typedef struct sparse_arrays {
  int64_t nouter, ninner, nnz;
  int64_t *ptr, *idx;
  double *val;
} sparse_arrays;

static sparse_arrays random_sparse(int64_t nouter, int64_t ninner, double density, lopt_stype tri, uint64_t seed)
{
  sparse_arrays s = {nouter, ninner, 0, NULL, NULL, NULL};
  size_t cap = (size_t)(nouter * ninner + 1);
  s.ptr = calloc((size_t)nouter + 1, sizeof(int64_t));
  s.idx = malloc(cap * sizeof(int64_t));
  s.val = malloc(cap * sizeof(double));
  ck_assert(s.ptr && s.idx && s.val);
  uint64_t st = seed;
  for (int64_t o = 0; o < nouter; o++) {
    for (int64_t k = 0; k < ninner; k++) {
      if (tri == LOPT_LOWER && k > o) continue;
      if (tri == LOPT_UPPER && k < o) continue;
      if (k != o && uniform(&st) >= density) continue;
      s.idx[s.nnz] = k;
      s.val[s.nnz++] = full_mantissa(&st);
    }
    s.ptr[o + 1] = s.nnz;
  }
  return s;
}

static void sparse_free(sparse_arrays *s)
{
  free(s->ptr);
  free(s->idx);
  free(s->val);
}

static char *read_data_path(char *buf, size_t len, const char *dir, const char *name)
{
  snprintf(buf, len, "%s/%s", dir, name);
  return buf;
}

/* Write `len` bytes of `text` to a fresh file under /tmp; `path` gets its name (>= 32 bytes). */
static void write_temp(char *path, const char *text, size_t len)
{
  strcpy(path, "/tmp/lopt_mmio_XXXXXX");
  int fd = mkstemp(path);
  ck_assert_msg(fd >= 0, "mkstemp failed: %s", strerror(errno));
  FILE *f = fdopen(fd, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(text, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

static void temp_name(char *path)
{
  strcpy(path, "/tmp/lopt_mmio_XXXXXX");
  int fd = mkstemp(path);
  ck_assert_msg(fd >= 0, "mkstemp failed: %s", strerror(errno));
  close(fd);
}

/* Every logical entry of an assembled matrix (a stored triangle expanded to both) into a dense
 * column-major nrows x ncols array. */
static double *expand(const lopt_matrix *m)
{
  int64_t nr = lopt_matrix_nrows(m), nc = lopt_matrix_ncols(m);
  double *full = calloc((size_t)(nr * nc + 1), sizeof(double));
  ck_assert_ptr_nonnull(full);
  lopt_storage st = lopt_matrix_storage(m);
  if (st == LOPT_DENSE) {
    const double *data;
    int64_t ld;
    ck_assert_int_eq(lopt_matrix_dense_data(m, &data, &ld), LOPT_OK);
    for (int64_t j = 0; j < nc; j++)
      for (int64_t i = 0; i < nr; i++) full[i + j * nr] = data[i + j * ld];
    return full;
  }
  const int64_t *ptr, *idx;
  const double *val;
  ck_assert_int_eq(lopt_matrix_sparse_arrays(m, &ptr, &idx, &val), LOPT_OK);
  lopt_stype sty = lopt_matrix_stype(m);
  int csr = st == LOPT_CSR;
  for (int64_t o = 0; o < (csr ? nr : nc); o++)
    for (int64_t p = ptr[o]; p < ptr[o + 1]; p++) {
      int64_t i = csr ? o : idx[p], j = csr ? idx[p] : o;
      if (sty == LOPT_LOWER && i < j) continue;
      if (sty == LOPT_UPPER && i > j) continue;
      full[i + j * nr] = val[p];
      if (sty != LOPT_GENERAL) full[j + i * nr] = val[p];
    }
  return full;
}

/* z = |A| |x|: the scale of the rounding error of any evaluation order of A x. */
static void abs_product(const lopt_matrix *m, const double *x, double *z)
{
  int64_t nr = lopt_matrix_nrows(m), nc = lopt_matrix_ncols(m);
  double *full = expand(m);
  for (int64_t i = 0; i < nr; i++) {
    z[i] = 0;
    for (int64_t j = 0; j < nc; j++) z[i] += fabs(full[i + j * nr]) * fabs(x[j]);
  }
  free(full);
}

/* |y_i - ref_i| <= tol * (|A||x|)_i for every i. */
static void assert_products_close(const lopt_matrix *m, const double *x, const double *y, const double *ref,
                                  double tol, const char *what)
{
  int64_t nr = lopt_matrix_nrows(m);
  double *z = malloc((size_t)(nr + 1) * sizeof(double));
  ck_assert_ptr_nonnull(z);
  abs_product(m, x, z);
  for (int64_t i = 0; i < nr; i++)
    ck_assert_msg(fabs(y[i] - ref[i]) <= tol * z[i], "%s: row %lld: %.17g vs %.17g (scale %.3g)", what,
                  (long long)i, y[i], ref[i], z[i]);
  free(z);
}

static double *random_vector(int64_t n, uint64_t seed)
{
  double *x = malloc((size_t)(n + 1) * sizeof(double));
  ck_assert_ptr_nonnull(x);
  uint64_t st = seed;
  for (int64_t i = 0; i < n; i++) x[i] = 2 * uniform(&st) - 1;
  return x;
}

/* Write m, read it back, and return what was read (the file is removed). */
static lopt_matrix *write_then_read(const lopt_matrix *m)
{
  char path[64];
  temp_name(path);
  lopt_error err = {0};
  int rc = lopt_matrix_write_mm(m, path, &err);
  ck_assert_msg(rc == LOPT_OK, "write_mm: %s", err.message);
  lopt_matrix *back = NULL;
  rc = lopt_matrix_read_mm(&back, path, &err);
  ck_assert_msg(rc == LOPT_OK, "read_mm of our own file: %s", err.message);
  unlink(path);
  return back;
}

/* The file `path` is `coordinate real symmetric` and each entry "i j v" has i >= j (the standard
 * asks a symmetric file for the lower triangle; our reader would forgive the upper one). */
static void assert_file_holds_lower_triangle(const char *path, int64_t expect_entries)
{
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char line[256];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  ck_assert_str_eq(line, "%%MatrixMarket matrix coordinate real symmetric\n");
  int64_t entries = 0, size_seen = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '%') continue;
    long long i, j;
    if (!size_seen) {
      size_seen = 1;
      continue;
    }
    ck_assert_int_eq(sscanf(line, "%lld %lld", &i, &j), 2);
    ck_assert_msg(i >= j, "entry (%lld, %lld) is above the diagonal", i, j);
    entries++;
  }
  fclose(f);
  ck_assert_int_eq(entries, expect_entries);
}

/* Same dimensions, storage, stype and stored arrays, compared bit for bit. */
static void assert_same_sparse_bits(const lopt_matrix *a, const lopt_matrix *b)
{
  ck_assert_int_eq(lopt_matrix_nrows(a), lopt_matrix_nrows(b));
  ck_assert_int_eq(lopt_matrix_ncols(a), lopt_matrix_ncols(b));
  ck_assert_int_eq(lopt_matrix_storage(a), lopt_matrix_storage(b));
  ck_assert_int_eq(lopt_matrix_stype(a), lopt_matrix_stype(b));
  ck_assert_int_eq(lopt_matrix_nnz(a), lopt_matrix_nnz(b));
  const int64_t *pa, *ia, *pb, *ib;
  const double *va, *vb;
  ck_assert_int_eq(lopt_matrix_sparse_arrays(a, &pa, &ia, &va), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_sparse_arrays(b, &pb, &ib, &vb), LOPT_OK);
  int64_t nouter = lopt_matrix_storage(a) == LOPT_CSR ? lopt_matrix_nrows(a) : lopt_matrix_ncols(a);
  for (int64_t o = 0; o <= nouter; o++) ck_assert_int_eq(pa[o], pb[o]);
  for (int64_t p = 0; p < pa[nouter]; p++) {
    ck_assert_int_eq(ia[p], ib[p]);
    ck_assert_msg(va[p] == vb[p] && memcmp(&va[p], &vb[p], sizeof(double)) == 0,
                  "entry %lld: %.17g (%a) came back as %.17g (%a)", (long long)p, va[p], va[p], vb[p], vb[p]);
  }
}

/* ---- write / read round trips -------------------------------------------------------------- */

/* Values a %.15g writer or a sloppy strtod would get wrong: full mantissas, both zeros, the
 * subnormal extreme, the normal extremes, 1/3, 0.1. */
static const double awkward[] = {-0.0, 0.0, 4.9406564584124654e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                                 -1.0 / 3.0, 0.1, 1e-310, 123456789012345678.0, -2.5e-300};

START_TEST(test_mm_round_trip_is_bit_exact_general)
{
  sparse_arrays s = random_sparse(30, 20, 0.25, LOPT_GENERAL, 7);
  /* Overwrite the first values with awkward ones (the structure stays random). */
  for (size_t k = 0; k < sizeof awkward / sizeof awkward[0] && (int64_t)k < s.nnz; k++) s.val[k] = awkward[k];
  lopt_matrix *a = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_create_csr(&a, 30, 20, s.ptr, s.idx, s.val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_OK);
  lopt_matrix *b = write_then_read(a);
  assert_same_sparse_bits(a, b);
  /* A product without the overflowing extreme, so both sides are finite. */
  sparse_free(&s);
  s = random_sparse(30, 20, 0.25, LOPT_GENERAL, 8);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
  ck_assert_int_eq(lopt_matrix_create_csr(&a, 30, 20, s.ptr, s.idx, s.val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_OK);
  b = write_then_read(a);
  double *x = random_vector(20, 1), ya[30], yb[30];
  ck_assert_int_eq(lopt_matrix_apply(a, x, ya), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_apply(b, x, yb), LOPT_OK);
  for (int i = 0; i < 30; i++) ck_assert_msg(ya[i] == yb[i], "row %d: %.17g vs %.17g", i, ya[i], yb[i]);
  free(x);
  sparse_free(&s);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
}
END_TEST

START_TEST(test_mm_round_trip_is_bit_exact_symmetric)
{
  sparse_arrays s = random_sparse(25, 25, 0.3, LOPT_LOWER, 11);
  for (size_t k = 0; k < 4; k++) s.val[k] = awkward[2 + k]; /* the subnormal and normal extremes, -1/3 */
  lopt_matrix *a = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_create_csr(&a, 25, 25, s.ptr, s.idx, s.val, LOPT_LOWER, LOPT_COPY, &err), LOPT_OK);
  lopt_matrix *b = write_then_read(a);
  assert_same_sparse_bits(a, b);
  ck_assert_int_eq(lopt_matrix_stype(b), LOPT_LOWER);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
  sparse_free(&s);

  s = random_sparse(25, 25, 0.3, LOPT_LOWER, 12);
  ck_assert_int_eq(lopt_matrix_create_csr(&a, 25, 25, s.ptr, s.idx, s.val, LOPT_LOWER, LOPT_COPY, &err), LOPT_OK);
  b = write_then_read(a);
  double *x = random_vector(25, 2), ya[25], yb[25];
  ck_assert_int_eq(lopt_matrix_apply(a, x, ya), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_apply(b, x, yb), LOPT_OK);
  for (int i = 0; i < 25; i++) ck_assert_msg(ya[i] == yb[i], "row %d: %.17g vs %.17g", i, ya[i], yb[i]);
  free(x);
  sparse_free(&s);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
}
END_TEST

START_TEST(test_mm_upper_stype_is_written_as_its_lower_triangle)
{
  int64_t n = 18;
  sparse_arrays s = random_sparse(n, n, 0.3, LOPT_UPPER, 13);
  /* One more entry below the diagonal in row 5: an UPPER matrix ignores it, so must the file. */
  int64_t nnz = s.nnz + 1;
  int64_t *idx = malloc((size_t)nnz * sizeof(int64_t)), *ptr = malloc((size_t)(n + 1) * sizeof(int64_t));
  double *val = malloc((size_t)nnz * sizeof(double));
  ck_assert(idx && ptr && val);
  int64_t q = 0;
  for (int64_t i = 0; i < n; i++) {
    ptr[i] = q;
    if (i == 5) idx[q] = 0, val[q++] = 1e300;
    for (int64_t p = s.ptr[i]; p < s.ptr[i + 1]; p++) idx[q] = s.idx[p], val[q++] = s.val[p];
  }
  ptr[n] = q;
  lopt_matrix *a = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_create_csr(&a, n, n, ptr, idx, val, LOPT_UPPER, LOPT_COPY, &err), LOPT_OK);
  char path[64];
  temp_name(path);
  ck_assert_int_eq(lopt_matrix_write_mm(a, path, &err), LOPT_OK);
  assert_file_holds_lower_triangle(path, s.nnz);
  unlink(path);
  lopt_matrix *b = write_then_read(a);
  ck_assert_int_eq(lopt_matrix_stype(b), LOPT_LOWER);
  ck_assert_int_eq(lopt_matrix_nnz(b), s.nnz); /* the ignored entry was not written */
  double *fa = expand(a), *fb = expand(b);
  for (int64_t k = 0; k < n * n; k++)
    ck_assert_msg(memcmp(&fa[k], &fb[k], sizeof(double)) == 0, "entry %lld", (long long)k);
  double *x = random_vector(n, 3), *ya = malloc((size_t)n * sizeof(double)), *yb = malloc((size_t)n * sizeof(double));
  ck_assert_int_eq(lopt_matrix_apply(a, x, ya), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_apply(b, x, yb), LOPT_OK);
  assert_products_close(a, x, yb, ya, 1e-14, "upper written, lower read");
  free(x), free(ya), free(yb), free(fa), free(fb), free(idx), free(ptr), free(val);
  sparse_free(&s);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
}
END_TEST

START_TEST(test_mm_round_trip_keeps_every_entry_of_csc)
{
  /* Columns of a 17 x 23 matrix; read back as CSR with the same entries. */
  sparse_arrays s = random_sparse(23, 17, 0.3, LOPT_GENERAL, 17);
  lopt_matrix *a = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_create_csc(&a, 17, 23, s.ptr, s.idx, s.val, LOPT_GENERAL, LOPT_COPY, &err), LOPT_OK);
  lopt_matrix *b = write_then_read(a);
  ck_assert_int_eq(lopt_matrix_storage(b), LOPT_CSR);
  ck_assert_int_eq(lopt_matrix_nrows(b), 17);
  ck_assert_int_eq(lopt_matrix_ncols(b), 23);
  ck_assert_int_eq(lopt_matrix_nnz(b), lopt_matrix_nnz(a));
  double *fa = expand(a), *fb = expand(b);
  for (int64_t k = 0; k < 17 * 23; k++)
    ck_assert_msg(memcmp(&fa[k], &fb[k], sizeof(double)) == 0, "entry %lld", (long long)k);
  double *x = random_vector(23, 4), ya[17], yb[17];
  ck_assert_int_eq(lopt_matrix_apply(a, x, ya), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_apply(b, x, yb), LOPT_OK);
  assert_products_close(a, x, yb, ya, 1e-14, "csc written, csr read");
  free(x), free(fa), free(fb);
  sparse_free(&s);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
  /* A symmetric CSC (lower) comes back as the same lower triangle. */
  s = random_sparse(12, 12, 0.4, LOPT_UPPER, 18); /* column o holds rows >= o after the swap below */
  for (int64_t o = 0; o < 12; o++)
    for (int64_t p = s.ptr[o]; p < s.ptr[o + 1]; p++) ck_assert_int_ge(s.idx[p], o);
  ck_assert_int_eq(lopt_matrix_create_csc(&a, 12, 12, s.ptr, s.idx, s.val, LOPT_LOWER, LOPT_COPY, &err), LOPT_OK);
  b = write_then_read(a);
  ck_assert_int_eq(lopt_matrix_stype(b), LOPT_LOWER);
  fa = expand(a), fb = expand(b);
  for (int64_t k = 0; k < 144; k++) ck_assert(memcmp(&fa[k], &fb[k], sizeof(double)) == 0);
  free(fa), free(fb);
  sparse_free(&s);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
}
END_TEST

START_TEST(test_mm_round_trip_is_bit_exact_dense)
{
  /* 7 x 5 viewed with leading dimension 9: the padding must not reach the file. */
  double data[9 * 5];
  uint64_t st = 21;
  for (int k = 0; k < 45; k++) data[k] = (k % 9 < 7) ? full_mantissa(&st) : NAN;
  data[0] = -0.0, data[1] = 4.9406564584124654e-324, data[2] = 0.0;
  lopt_matrix *a = NULL;
  lopt_error err = {0};
  /* NaN padding would fail validation, so validate a copy without it first. */
  double clean[9 * 5];
  memcpy(clean, data, sizeof data);
  for (int k = 0; k < 45; k++)
    if (k % 9 >= 7) clean[k] = 0;
  ck_assert_int_eq(lopt_matrix_create_dense(&a, 7, 5, clean, 9, LOPT_VIEW, &err), LOPT_OK);
  lopt_matrix *b = write_then_read(a);
  ck_assert_int_eq(lopt_matrix_storage(b), LOPT_DENSE);
  ck_assert_int_eq(lopt_matrix_nrows(b), 7);
  ck_assert_int_eq(lopt_matrix_ncols(b), 5);
  const double *d;
  int64_t ld;
  ck_assert_int_eq(lopt_matrix_dense_data(b, &d, &ld), LOPT_OK);
  for (int j = 0; j < 5; j++)
    for (int i = 0; i < 7; i++)
      ck_assert_msg(memcmp(&d[i + j * ld], &clean[i + j * 9], sizeof(double)) == 0, "(%d, %d): %a vs %a", i, j,
                    d[i + j * ld], clean[i + j * 9]);
  double x[5] = {1, -2, 0.5, 3, -0.25}, ya[7], yb[7];
  ck_assert_int_eq(lopt_matrix_apply(a, x, ya), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_apply(b, x, yb), LOPT_OK);
  for (int i = 0; i < 7; i++) ck_assert(ya[i] == yb[i]);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
}
END_TEST

START_TEST(test_mm_round_trip_of_empty_matrices)
{
  lopt_matrix *a = NULL;
  lopt_error err = {0};
  int64_t ptr[4] = {0, 0, 0, 0};
  ck_assert_int_eq(lopt_matrix_create_csr(&a, 3, 3, ptr, NULL, NULL, LOPT_LOWER, LOPT_COPY, &err), LOPT_OK);
  lopt_matrix *b = write_then_read(a);
  assert_same_sparse_bits(a, b);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
  ck_assert_int_eq(lopt_matrix_create_dense(&a, 0, 4, NULL, 1, LOPT_COPY, &err), LOPT_OK);
  b = write_then_read(a);
  ck_assert_int_eq(lopt_matrix_storage(b), LOPT_DENSE);
  ck_assert_int_eq(lopt_matrix_nrows(b), 0);
  ck_assert_int_eq(lopt_matrix_ncols(b), 4);
  lopt_matrix_destroy(&a);
  lopt_matrix_destroy(&b);
}
END_TEST

/* ---- reading what others write ------------------------------------------------------------- */

static lopt_matrix *read_text(const char *text)
{
  char path[64];
  write_temp(path, text, strlen(text));
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  int rc = lopt_matrix_read_mm(&m, path, &err);
  unlink(path);
  ck_assert_msg(rc == LOPT_OK, "read_mm refused a valid file: %s", err.message);
  return m;
}

START_TEST(test_mm_reads_pattern_and_integer_fields)
{
  lopt_matrix *m = read_text("%%MatrixMarket matrix coordinate pattern general\n3 4 3\n1 2\n3 4\n2 1\n");
  ck_assert_int_eq(lopt_matrix_storage(m), LOPT_CSR);
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_GENERAL);
  double *f = expand(m);
  double want[12] = {0, 1, 0, /**/ 1, 0, 0, /**/ 0, 0, 0, /**/ 0, 0, 1}; /* column-major 3 x 4 */
  for (int k = 0; k < 12; k++) ck_assert_msg(f[k] == want[k], "pattern entry %d: %g", k, f[k]);
  free(f);
  lopt_matrix_destroy(&m);

  m = read_text("%%MatrixMarket matrix coordinate integer symmetric\n3 3 4\n1 1 -7\n2 1 3\n3 3 9007199254740993\n"
                "3 2 +12\n");
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_LOWER);
  f = expand(m);
  ck_assert(f[0] == -7 && f[1] == 3 && f[3] == 3 && f[5] == 12 && f[7] == 12);
  ck_assert(f[8] == 9007199254740992.0); /* 2^53 + 1 rounds to the nearest double */
  free(f);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_mm_reads_array_in_column_major_order)
{
  lopt_matrix *m =
      read_text("%%MatrixMarket matrix array real general\n% a 2 x 3 matrix\n2 3\n1\n2\n\n3\n4\n5\n6e-1\n");
  ck_assert_int_eq(lopt_matrix_storage(m), LOPT_DENSE);
  const double *d;
  int64_t ld;
  ck_assert_int_eq(lopt_matrix_dense_data(m, &d, &ld), LOPT_OK);
  ck_assert_int_eq(ld, 2);
  double want[6] = {1, 2, 3, 4, 5, 0.6};
  for (int k = 0; k < 6; k++) ck_assert(d[k] == want[k]);
  lopt_matrix_destroy(&m);
  m = read_text("%%MatrixMarket matrix array integer general\n1 2\n-3\n4\n");
  ck_assert_int_eq(lopt_matrix_dense_data(m, &d, &ld), LOPT_OK);
  ck_assert(d[0] == -3 && d[1] == 4);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_mm_mirrors_upper_triangle_entries_of_symmetric_file)
{
  /* (1, 3) is above the diagonal: stored as (3, 1), the same symmetric entry. */
  lopt_matrix *m = read_text("%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n1 1 4\n1 3 -1.5\n2 2 5\n");
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_LOWER);
  const int64_t *ptr, *idx;
  const double *val;
  ck_assert_int_eq(lopt_matrix_sparse_arrays(m, &ptr, &idx, &val), LOPT_OK);
  ck_assert_int_eq(ptr[3], 3);
  ck_assert_int_eq(ptr[2], 2); /* row 3 (index 2) holds one entry ... */
  ck_assert_int_eq(idx[2], 0); /* ... in column 1 */
  ck_assert(val[2] == -1.5);
  double x[3] = {1, 1, 1}, y[3];
  ck_assert_int_eq(lopt_matrix_apply(m, x, y), LOPT_OK);
  ck_assert(y[0] == 2.5 && y[1] == 5 && y[2] == -1.5);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_mm_sums_duplicate_entries)
{
  lopt_matrix *m = read_text("%%MatrixMarket matrix coordinate real general\n2 2 4\n1 1 1\n2 1 5\n1 1 0.5\n1 1 0.25\n");
  ck_assert_int_eq(lopt_matrix_nnz(m), 2);
  double *f = expand(m);
  ck_assert(f[0] == 1.75 && f[1] == 5 && f[2] == 0 && f[3] == 0);
  free(f);
  lopt_matrix_destroy(&m);
  /* In a symmetric file (2, 1) and (1, 2) are the same entry after mirroring: summed too. */
  m = read_text("%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 1\n1 2 2\n");
  f = expand(m);
  ck_assert(f[1] == 3 && f[2] == 3);
  free(f);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_mm_skips_comments_blank_lines_crlf_and_ignores_keyword_case)
{
  lopt_matrix *m = read_text("%%matrixmarket MATRIX Coordinate REAL General\r\n"
                             "% comment\r\n"
                             "\r\n"
                             "   \t\r\n"
                             "%another\r\n"
                             "  2   2   2  \r\n"
                             "% comment between entries\r\n"
                             "\t1\t1\t2.5\r\n"
                             "\r\n"
                             "2 2 -1E+2\r\n"
                             "% trailing comment\r\n"
                             "\r\n");
  double *f = expand(m);
  ck_assert(f[0] == 2.5 && f[3] == -100 && f[1] == 0 && f[2] == 0);
  free(f);
  lopt_matrix_destroy(&m);
  /* No newline at the end of the last line. */
  m = read_text("%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 7");
  f = expand(m);
  ck_assert(f[0] == 7);
  free(f);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_mm_reads_lines_of_any_length)
{
  /* A 1 MB comment, an entry padded with 200 000 blanks and a value written with 5000 digits. */
  size_t big = 1u << 20, pad = 200000, digits = 5000;
  size_t cap = big + pad + digits + 256;
  char *text = malloc(cap), *p = text;
  ck_assert_ptr_nonnull(text);
  p += sprintf(p, "%%%%MatrixMarket matrix coordinate real general\n%%");
  memset(p, 'c', big), p += big;
  p += sprintf(p, "\n2 2 2\n1");
  memset(p, ' ', pad), p += pad;
  p += sprintf(p, "1 0.");
  memset(p, '3', digits), p += digits;
  p += sprintf(p, "\n2 2 1.5\n");
  char path[64];
  write_temp(path, text, (size_t)(p - text));
  free(text);
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  int rc = lopt_matrix_read_mm(&m, path, &err);
  unlink(path);
  ck_assert_msg(rc == LOPT_OK, "%s", err.message);
  double *f = expand(m);
  ck_assert(f[0] == 1.0 / 3.0 && f[3] == 1.5);
  free(f);
  lopt_matrix_destroy(&m);
}
END_TEST

/* ---- refusing what is malformed ------------------------------------------------------------ */

#define HDR "%%MatrixMarket matrix coordinate real general\n"

static const struct bad_file {
  const char *name, *text;
  size_t len;     /* 0: strlen(text) */
  long line;      /* expected err.line */
  const char *says;
} bad_files[] = {
    {"empty file", "", 0, 1, "the file is empty"},
    {"header garbage", "hello world\n3 3 1\n1 1 1\n", 0, 1, "expected the header '%%MatrixMarket matrix"},
    {"header first word", "%%NotMatrixMarket matrix coordinate real general\n", 0, 1,
     "found '%%NotMatrixMarket' as first word"},
    {"complex field", "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 0, 1,
     "complex matrices are not supported"},
    {"hermitian", "%%MatrixMarket matrix coordinate real hermitian\n", 0, 1, "hermitian matrices are not supported"},
    {"skew-symmetric", "%%MatrixMarket matrix coordinate real skew-symmetric\n", 0, 1,
     "skew-symmetric matrices are not supported"},
    {"vector object", "%%MatrixMarket vector coordinate real general\n", 0, 1, "object 'vector' is not supported"},
    {"four header words", "%%MatrixMarket matrix coordinate real\n", 0, 1, "expected 5 words in the header"},
    {"unknown format", "%%MatrixMarket matrix sparse real general\n", 0, 1, "format 'sparse' is unknown"},
    {"unknown field", "%%MatrixMarket matrix coordinate float general\n", 0, 1, "field 'float' is unknown"},
    {"unknown symmetry", "%%MatrixMarket matrix coordinate real diagonal\n", 0, 1, "symmetry 'diagonal' is unknown"},
    {"array symmetric", "%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n", 0, 1,
     "'array symmetric' is not supported"},
    {"array pattern", "%%MatrixMarket matrix array pattern general\n", 0, 1,
     "'array pattern' is not a valid combination"},
    {"no size line", HDR "% only a comment\n", 0, 3, "the file ends before the size line 'rows cols entries'"},
    {"size line short", HDR "3 3\n1 1 1\n", 0, 2, "expected 3 fields 'rows cols entries' on the size line, found 2"},
    {"array size line long", "%%MatrixMarket matrix array real general\n2 2 4\n", 0, 2,
     "expected 2 fields 'rows cols' on the size line, found 3"},
    {"size negative", HDR "3 -3 1\n", 0, 2, "non-negative 64-bit integer column count on the size line, found '-3'"},
    {"size not a number", HDR "3 3 x\n", 0, 2, "entry count on the size line, found 'x'"},
    {"size overflows", HDR "99999999999999999999 3 1\n", 0, 2,
     "row count on the size line, found '99999999999999999999'"},
    {"symmetric not square", "%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n1 1 1\n", 0, 2,
     "a symmetric matrix must be square; the size line gives 3 x 4"},
    {"entry short", HDR "% c\n3 3 2\n1 1 1.5\n\n2 2\n", 0, 6, "expected 3 fields 'row col value', found 2"},
    {"entry long", HDR "3 3 1\n1 1 1.5 0\n", 0, 3, "expected 3 fields 'row col value', found 4"},
    {"pattern entry long", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1\n", 0, 3,
     "expected 2 fields 'row col', found 3"},
    {"row out of range", HDR "3 3 1\n4 1 1\n", 0, 3, "row index 4 is out of range; expected 1..3"},
    {"column zero", HDR "3 5 1\n1 0 1\n", 0, 3, "column index 0 is out of range; expected 1..5"},
    {"index negative", HDR "3 3 1\n-1 1 1\n", 0, 3, "row index -1 is out of range"},
    {"index overflows", HDR "3 3 1\n1 99999999999999999999 1\n", 0, 3,
     "column index 99999999999999999999 is out of range"},
    {"index not an integer", HDR "3 3 1\n1.5 1 1\n", 0, 3, "expected an integer row index, found '1.5'"},
    {"value not numeric", HDR "3 3 1\n1 1 abc\n", 0, 3, "expected a real value, found 'abc'"},
    {"value trailing junk", HDR "3 3 1\n1 1 1.5x\n", 0, 3, "expected a real value, found '1.5x'"},
    {"value NaN", HDR "3 3 1\n1 1 nan\n", 0, 3, "value 'nan' is NaN; entries must be finite"},
    {"value infinite", HDR "3 3 1\n1 1 -inf\n", 0, 3, "value '-inf' is infinite"},
    {"value overflows", HDR "3 3 1\n1 1 1e999\n", 0, 3, "value '1e999' is too large for a double"},
    {"integer field fraction", "%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n", 0, 3,
     "expected an integer value (field is 'integer'), found '1.5'"},
    {"too few entries", HDR "3 3 3\n1 1 1\n2 2 2\n% trailing comment\n", 0, 5,
     "the file ends after 2 of the 3 entries promised by the size line (line 2)"},
    {"too many entries", HDR "3 3 2\n1 1 1\n% c\n2 2 2\n3 3 3\n", 0, 6,
     "more entries than the 2 promised by the size line (line 2)"},
    {"array too few", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", 0, 5,
     "the file ends after 3 of the 4 entries"},
    {"array two values a line", "%%MatrixMarket matrix array real general\n2 1\n1 2\n", 0, 3,
     "expected 1 field 'value' (array format), found 2"},
    {"duplicates overflow", HDR "1 1 2\n1 1 1e308\n1 1 1e308\n", 0, 0, "duplicate entries sum to inf"},
    {"NUL byte", HDR "1 1 1\n1 1\0 1\n", sizeof(HDR "1 1 1\n1 1\0 1\n") - 1, 3, "the line contains a NUL byte"},
    {"long junk echoed short", HDR "1 1 1\n1 1 0123456789012345678901234567890123456789junkjunkjunk\n", 0, 3,
     "found '0123456789012345678901234567890123456789...'"},
};

START_TEST(test_mm_refuses_malformed_file_naming_line_and_expectation)
{
  const struct bad_file *b = &bad_files[_i];
  char path[64];
  write_temp(path, b->text, b->len ? b->len : strlen(b->text));
  lopt_matrix *m = (lopt_matrix *)&m; /* must be set to NULL */
  lopt_error err = {0};
  int rc = lopt_matrix_read_mm(&m, path, &err);
  unlink(path);
  ck_assert_msg(rc == LOPT_EFORMAT, "case '%s': status %s, message '%s'", b->name, lopt_status_name(rc), err.message);
  ck_assert_ptr_null(m);
  ck_assert_int_eq(err.status, LOPT_EFORMAT);
  ck_assert_msg(err.line == b->line, "case '%s': line %ld, expected %ld ('%s')", b->name, err.line, b->line,
                err.message);
  ck_assert_msg(strstr(err.message, b->says), "case '%s': message '%s' lacks '%s'", b->name, err.message, b->says);
  char where[96];
  if (b->line > 0) snprintf(where, sizeof where, "%s:%ld:", path, b->line);
  else snprintf(where, sizeof where, "%s", path);
  ck_assert_msg(strstr(err.message, where), "case '%s': message '%s' does not name '%s'", b->name, err.message, where);
}
END_TEST

START_TEST(test_mm_reports_line_of_malformed_entry)
{
  /* Line 14 is the bad one; the comments and blank lines before it are counted. */
  const char *text = "%%MatrixMarket matrix coordinate real symmetric\n"
                     "% a stiffness matrix\n"
                     "%\n"
                     "4 4 8\n"
                     "1 1 2.0\n"
                     "2 1 -1.0\n"
                     "\n"
                     "2 2 2.0\n"
                     "% row 3\n"
                     "3 2 -1.0\n"
                     "3 3 2.0\n"
                     "\n"
                     "4 3 -1.0\n"
                     "4 4\n"
                     "4 1 0.5\n";
  char path[64];
  write_temp(path, text, strlen(text));
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_read_mm(&m, path, &err), LOPT_EFORMAT);
  char want[160];
  snprintf(want, sizeof want, "%s:14: expected 3 fields 'row col value', found 2", path);
  ck_assert_msg(strstr(err.message, want), "message '%s' lacks '%s'", err.message, want);
  ck_assert_int_eq(err.line, 14);
  unlink(path);
}
END_TEST

START_TEST(test_mm_missing_file_is_eio_naming_path_and_reason)
{
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  const char *path = "/tmp/lopt_mmio_no_such_dir/none.mtx";
  ck_assert_int_eq(lopt_matrix_read_mm(&m, path, &err), LOPT_EIO);
  ck_assert_ptr_null(m);
  ck_assert_int_eq(err.status, LOPT_EIO);
  ck_assert_ptr_nonnull(strstr(err.message, path));
  ck_assert_ptr_nonnull(strstr(err.message, strerror(ENOENT)));
  /* A directory opens but cannot be read. */
  ck_assert_int_eq(lopt_matrix_read_mm(&m, "/tmp", &err), LOPT_EIO);
  ck_assert_ptr_nonnull(strstr(err.message, strerror(EISDIR)));
  /* NULL arguments. */
  ck_assert_int_eq(lopt_matrix_read_mm(&m, NULL, &err), LOPT_EINVAL);
  ck_assert_int_eq(lopt_matrix_read_mm(NULL, path, &err), LOPT_EINVAL);
  ck_assert_int_eq(lopt_matrix_read_mm(&m, path, NULL), LOPT_EIO); /* err may be NULL */
}
END_TEST

static int identity3(void *ctx, const double *x, double *y)
{
  (void)ctx;
  for (int i = 0; i < 3; i++) y[i] = x[i];
  return 0;
}

START_TEST(test_mm_writer_refuses_operator_with_einval)
{
  lopt_matrix *op = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_create_operator(&op, 3, 3, identity3, NULL, 1, &err), LOPT_OK);
  char path[64];
  temp_name(path);
  ck_assert_int_eq(lopt_matrix_write_mm(op, path, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "operator"));
  ck_assert_int_eq(lopt_matrix_write_mm(NULL, path, &err), LOPT_EINVAL);
  ck_assert_int_eq(lopt_matrix_write_mm(op, NULL, &err), LOPT_EINVAL);
  unlink(path);
  lopt_matrix_destroy(&op);
}
END_TEST

START_TEST(test_mm_writer_reports_eio_when_the_file_cannot_be_written)
{
  double d[4] = {1, 2, 3, 4};
  lopt_matrix *a = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_create_dense(&a, 2, 2, d, 2, LOPT_COPY, &err), LOPT_OK);
  const char *path = "/tmp/lopt_mmio_no_such_dir/out.mtx";
  ck_assert_int_eq(lopt_matrix_write_mm(a, path, &err), LOPT_EIO);
  ck_assert_ptr_nonnull(strstr(err.message, path));
  ck_assert_ptr_nonnull(strstr(err.message, strerror(ENOENT)));
  if (access("/dev/full", W_OK) == 0) { /* every write fails with ENOSPC, seen at flush or close */
    ck_assert_int_eq(lopt_matrix_write_mm(a, "/dev/full", &err), LOPT_EIO);
    ck_assert_msg(strstr(err.message, strerror(ENOSPC)), "message '%s'", err.message);
  }
  lopt_matrix_destroy(&a);
}
END_TEST

/* ---- the data files ------------------------------------------------------------------------ */

/* Cholesky L L' with CHOLMOD; returns cc.status after factorizing (CHOLMOD_OK or CHOLMOD_NOT_POSDEF).
 * Supernodal is forced: CHOLMOD's default for small matrices is a simplicial L D L', which does
 * not fail on negative pivots and so proves nothing about definiteness. */
static int cholmod_factor_status(const lopt_matrix *m)
{
  cholmod_common cc;
  cholmod_l_start(&cc);
  cc.print = 0;
  cc.supernodal = CHOLMOD_SUPERNODAL;
  cholmod_sparse *A = NULL;
  lopt_error err = {0};
  ck_assert_msg(lopt_matrix_to_cholmod(m, &cc, &A, &err) == LOPT_OK, "%s", err.message);
  cholmod_factor *L = cholmod_l_analyze(A, &cc);
  ck_assert_ptr_nonnull(L);
  cholmod_l_factorize(A, L, &cc);
  int status = cc.status;
  if (status == CHOLMOD_OK) ck_assert_int_eq((int64_t)L->minor, lopt_matrix_nrows(m));
  cholmod_l_free_factor(&L, &cc);
  cholmod_l_free_sparse(&A, &cc);
  cholmod_l_finish(&cc);
  return status;
}

START_TEST(test_mm_data_bcsstk01_like_is_spd_with_entries_from_1e3_to_1e9)
{
  char path[512];
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  int rc = lopt_matrix_read_mm(&m, read_data_path(path, sizeof path, LOPT_TEST_DATA_DIR, "bcsstk01_like.mtx"), &err);
  ck_assert_msg(rc == LOPT_OK, "%s", err.message);
  ck_assert_int_eq(lopt_matrix_nrows(m), 48);
  ck_assert_int_eq(lopt_matrix_ncols(m), 48);
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_LOWER);
  const double *val;
  ck_assert_int_eq(lopt_matrix_sparse_arrays(m, NULL, NULL, &val), LOPT_OK);
  double lo = INFINITY, hi = 0;
  for (int64_t p = 0; p < lopt_matrix_nnz(m); p++) lo = fmin(lo, fabs(val[p])), hi = fmax(hi, fabs(val[p]));
  ck_assert_msg(lo >= 1e3 && hi <= 1e10 && hi / lo >= 1e5, "|entries| span %g .. %g", lo, hi);
  double d[48];
  ck_assert_int_eq(lopt_matrix_diagonal(m, d), LOPT_OK);
  for (int i = 0; i < 48; i++) ck_assert(d[i] > 0);
  ck_assert_int_eq(cholmod_factor_status(m), CHOLMOD_OK);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_mm_data_indefinite_is_symmetric_and_not_positive_definite)
{
  char path[512];
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  int rc = lopt_matrix_read_mm(&m, read_data_path(path, sizeof path, LOPT_TEST_DATA_DIR, "indefinite.mtx"), &err);
  ck_assert_msg(rc == LOPT_OK, "%s", err.message);
  ck_assert_int_eq(lopt_matrix_nrows(m), 10);
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_LOWER);
  double d[10];
  ck_assert_int_eq(lopt_matrix_diagonal(m, d), LOPT_OK);
  for (int i = 0; i < 10; i++) ck_assert(d[i] == (i % 2 ? -2.0 : 2.0));
  ck_assert_int_eq(cholmod_factor_status(m), CHOLMOD_NOT_POSDEF);
  lopt_matrix_destroy(&m);
}
END_TEST

/* Products through CHOLMOD and libopt agree: y = A x with cholmod_l_sdmult against lopt_matrix_apply. */
static void assert_sdmult_matches_apply(const lopt_matrix *m, cholmod_sparse *A, cholmod_common *cc, uint64_t seed)
{
  int64_t nr = lopt_matrix_nrows(m), nc = lopt_matrix_ncols(m);
  double *x = random_vector(nc, seed), *y = malloc((size_t)(nr + 1) * sizeof(double));
  ck_assert_ptr_nonnull(y);
  ck_assert_int_eq(lopt_matrix_apply(m, x, y), LOPT_OK);
  cholmod_dense *X = cholmod_l_allocate_dense((size_t)nc, 1, (size_t)(nc ? nc : 1), CHOLMOD_REAL, cc);
  cholmod_dense *Y = cholmod_l_zeros((size_t)nr, 1, CHOLMOD_REAL, cc);
  ck_assert(X && Y);
  memcpy(X->x, x, (size_t)nc * sizeof(double));
  double one[2] = {1, 0}, zero[2] = {0, 0};
  ck_assert_int_eq(cholmod_l_sdmult(A, 0, one, zero, X, Y, cc), 1);
  assert_products_close(m, x, (const double *)Y->x, y, 1e-14, "cholmod_l_sdmult vs lopt_matrix_apply");
  cholmod_l_free_dense(&X, cc);
  cholmod_l_free_dense(&Y, cc);
  free(x);
  free(y);
}

START_TEST(test_mm_reads_494_bus_as_symmetric_lower)
{
  char path[512];
  read_data_path(path, sizeof path, LOPT_SHARED_DIR, "data/matrices/494_bus.mtx");
  if (access(path, R_OK) != 0) {
    fprintf(stderr, "test_mm_reads_494_bus_as_symmetric_lower: skipped, %s not found\n", path);
    return;
  }
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  int rc = lopt_matrix_read_mm(&m, path, &err);
  ck_assert_msg(rc == LOPT_OK, "%s", err.message);
  ck_assert_int_eq(lopt_matrix_nrows(m), 494);
  ck_assert_int_eq(lopt_matrix_ncols(m), 494);
  ck_assert_int_eq(lopt_matrix_storage(m), LOPT_CSR);
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_LOWER);
  ck_assert_int_eq(lopt_matrix_nnz(m), 1080); /* size line: 494 494 1080, no duplicates */
  ck_assert(lopt_matrix_is_symmetric(m));
  double d[494];
  ck_assert_int_eq(lopt_matrix_diagonal(m, d), LOPT_OK);
  ck_assert(d[0] == 2220.874 && d[1] == 5.41067); /* lines "1 1 2220.874" and "2 2 5.41067" */
  /* Real data survives our own write/read bit for bit, and CHOLMOD sees the same matrix. */
  lopt_matrix *b = write_then_read(m);
  assert_same_sparse_bits(m, b);
  cholmod_common cc;
  cholmod_l_start(&cc);
  cc.print = 0;
  cholmod_sparse *A = NULL;
  ck_assert_int_eq(lopt_matrix_to_cholmod(m, &cc, &A, &err), LOPT_OK);
  ck_assert_int_eq(A->stype, -1);
  assert_sdmult_matches_apply(m, A, &cc, 494);
  cholmod_l_free_sparse(&A, &cc);
  cholmod_l_finish(&cc);
  ck_assert_int_eq(cholmod_factor_status(m), CHOLMOD_OK); /* 494_bus is SPD */
  lopt_matrix_destroy(&b);
  lopt_matrix_destroy(&m);
}
END_TEST

/* ---- CHOLMOD interop ----------------------------------------------------------------------- */

/* Matrices of every storage and stype the conversion handles. */
static lopt_matrix *interop_case(int k, const char **name)
{
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  int rc = LOPT_OK;
  sparse_arrays s = {0};
  switch (k) {
  case 0:
    *name = "CSR general rectangular";
    s = random_sparse(13, 21, 0.3, LOPT_GENERAL, 100);
    rc = lopt_matrix_create_csr(&m, 13, 21, s.ptr, s.idx, s.val, LOPT_GENERAL, LOPT_COPY, &err);
    break;
  case 1:
    *name = "CSR lower";
    s = random_sparse(19, 19, 0.3, LOPT_LOWER, 101);
    rc = lopt_matrix_create_csr(&m, 19, 19, s.ptr, s.idx, s.val, LOPT_LOWER, LOPT_COPY, &err);
    break;
  case 2:
    *name = "CSR upper";
    s = random_sparse(19, 19, 0.3, LOPT_UPPER, 102);
    rc = lopt_matrix_create_csr(&m, 19, 19, s.ptr, s.idx, s.val, LOPT_UPPER, LOPT_COPY, &err);
    break;
  case 3:
    *name = "CSC general rectangular";
    s = random_sparse(21, 13, 0.3, LOPT_GENERAL, 103);
    rc = lopt_matrix_create_csc(&m, 13, 21, s.ptr, s.idx, s.val, LOPT_GENERAL, LOPT_COPY, &err);
    break;
  case 4:
    *name = "CSC lower";
    s = random_sparse(16, 16, 0.3, LOPT_UPPER, 104); /* column o holds rows >= o */
    rc = lopt_matrix_create_csc(&m, 16, 16, s.ptr, s.idx, s.val, LOPT_LOWER, LOPT_COPY, &err);
    break;
  case 5:
  {
    *name = "CSR with empty rows and columns";
    int64_t ptr[8] = {0, 0, 2, 2, 3, 3, 3, 4}, idx[4] = {0, 6, 2, 6};
    double val[4] = {1.5, -2.25, 3e-200, 4e200};
    rc = lopt_matrix_create_csr(&m, 7, 7, ptr, idx, val, LOPT_GENERAL, LOPT_COPY, &err);
    break;
  }
  default: {
    *name = "dense with exact zeros";
    double d[6 * 4];
    uint64_t st = 106;
    for (int i = 0; i < 24; i++) d[i] = (i % 3 == 1) ? 0.0 : full_mantissa(&st);
    d[5] = -0.0;
    rc = lopt_matrix_create_dense(&m, 6, 4, d, 6, LOPT_COPY, &err);
    break;
  }
  }
  sparse_free(&s);
  ck_assert_msg(rc == LOPT_OK, "%s: %s", *name, err.message);
  return m;
}
#define N_INTEROP_CASES 7

START_TEST(test_cholmod_round_trip_keeps_values_and_product)
{
  const char *name = "";
  lopt_matrix *m = interop_case(_i, &name);
  cholmod_common cc;
  cholmod_l_start(&cc);
  cc.print = 0;
  cholmod_sparse *A = NULL;
  lopt_error err = {0};
  ck_assert_msg(lopt_matrix_to_cholmod(m, &cc, &A, &err) == LOPT_OK, "%s: %s", name, err.message);
  ck_assert_msg(cholmod_l_check_sparse(A, &cc) == 1, "%s: cholmod_l_check_sparse refuses it (status %d)", name,
                cc.status);
  ck_assert_int_eq((int64_t)A->nrow, lopt_matrix_nrows(m));
  ck_assert_int_eq((int64_t)A->ncol, lopt_matrix_ncols(m));
  ck_assert_int_eq(A->itype, CHOLMOD_LONG);
  ck_assert_int_eq(A->xtype, CHOLMOD_REAL);
  ck_assert(A->packed && A->sorted);
  ck_assert_int_eq(A->stype, lopt_matrix_storage(m) == LOPT_DENSE ? 0 : (int)lopt_matrix_stype(m));
  const SuiteSparse_long *Ap = A->p, *Ai = A->i;
  for (size_t j = 0; j < A->ncol; j++)
    for (SuiteSparse_long p = Ap[j] + 1; p < Ap[j + 1]; p++) ck_assert_int_lt(Ai[p - 1], Ai[p]);
  if (lopt_matrix_storage(m) == LOPT_DENSE) { /* exact zeros (both signs) left out */
    double *f = expand(m);
    int64_t nz = 0;
    for (int64_t k = 0; k < lopt_matrix_nrows(m) * lopt_matrix_ncols(m); k++) nz += f[k] != 0.0;
    ck_assert_int_eq((int64_t)Ap[A->ncol], nz);
    free(f);
  } else {
    ck_assert_int_eq((int64_t)Ap[A->ncol], lopt_matrix_nnz(m));
  }
  assert_sdmult_matches_apply(m, A, &cc, 1000 + (uint64_t)_i);

  lopt_matrix *b = NULL;
  ck_assert_msg(lopt_matrix_from_cholmod(&b, A, &err) == LOPT_OK, "%s: %s", name, err.message);
  ck_assert_int_eq(lopt_matrix_storage(b), LOPT_CSC);
  ck_assert_int_eq(lopt_matrix_stype(b), lopt_matrix_stype(m));
  if (lopt_matrix_storage(m) == LOPT_CSC) {
    assert_same_sparse_bits(m, b);
  } else {
    double *fa = expand(m), *fb = expand(b);
    for (int64_t k = 0; k < lopt_matrix_nrows(m) * lopt_matrix_ncols(m); k++)
      ck_assert_msg(fa[k] == fb[k], "%s: entry %lld: %.17g vs %.17g", name, (long long)k, fa[k], fb[k]);
    free(fa);
    free(fb);
  }
  cholmod_l_free_sparse(&A, &cc);
  ck_assert_int_eq(cc.malloc_count, 0); /* CHOLMOD's own count: everything it gave was returned */
  cholmod_l_finish(&cc);
  lopt_matrix_destroy(&m);
  lopt_matrix_destroy(&b);
}
END_TEST

START_TEST(test_from_cholmod_accepts_int_indices_unpacked_and_unsorted)
{
  /* 3 x 3, columns stored with slack; the slack holds garbage that must not be read. */
  int p[4] = {0, 3, 5, 8}, nz[3] = {2, 1, 2}, i[8] = {2, 0, 99, 1, -7, 2, 0, 1234};
  double x[8] = {3, 1, NAN, 5, NAN, 9, 7, NAN};
  cholmod_sparse A = {.nrow = 3, .ncol = 3, .nzmax = 8, .p = p, .i = i, .nz = nz, .x = x, .stype = 0,
                      .itype = CHOLMOD_INT, .xtype = CHOLMOD_REAL, .dtype = CHOLMOD_DOUBLE, .sorted = 0, .packed = 0};
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  ck_assert_msg(lopt_matrix_from_cholmod(&m, &A, &err) == LOPT_OK, "%s", err.message);
  ck_assert_int_eq(lopt_matrix_storage(m), LOPT_CSC);
  const int64_t *mp, *mi;
  const double *mv;
  ck_assert_int_eq(lopt_matrix_sparse_arrays(m, &mp, &mi, &mv), LOPT_OK);
  int64_t want_p[4] = {0, 2, 3, 5}, want_i[5] = {0, 2, 1, 0, 2};
  double want_v[5] = {1, 3, 5, 7, 9};
  for (int k = 0; k < 4; k++) ck_assert_int_eq(mp[k], want_p[k]);
  for (int k = 0; k < 5; k++) ck_assert(mi[k] == want_i[k] && mv[k] == want_v[k]);
  lopt_matrix_destroy(&m);

  /* Long indices, packed, symmetric lower: stype maps to LOPT_LOWER. */
  SuiteSparse_long lp[3] = {0, 2, 3}, li[3] = {0, 1, 1};
  double lx[3] = {4, -1, 3};
  cholmod_sparse B = {.nrow = 2, .ncol = 2, .nzmax = 3, .p = lp, .i = li, .x = lx, .stype = -1,
                      .itype = CHOLMOD_LONG, .xtype = CHOLMOD_REAL, .dtype = CHOLMOD_DOUBLE, .sorted = 1, .packed = 1};
  ck_assert_msg(lopt_matrix_from_cholmod(&m, &B, &err) == LOPT_OK, "%s", err.message);
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_LOWER);
  double v[2] = {1, 2}, y[2];
  ck_assert_int_eq(lopt_matrix_apply(m, v, y), LOPT_OK);
  ck_assert(y[0] == 2 && y[1] == 5);
  lopt_matrix_destroy(&m);
  B.stype = 1; /* the same arrays read as upper: (2, 1) is ignored */
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &B, &err), LOPT_OK);
  ck_assert_int_eq(lopt_matrix_stype(m), LOPT_UPPER);
  ck_assert_int_eq(lopt_matrix_apply(m, v, y), LOPT_OK);
  ck_assert(y[0] == 4 && y[1] == 6);
  lopt_matrix_destroy(&m);
}
END_TEST

START_TEST(test_from_cholmod_refuses_what_it_cannot_hold)
{
  SuiteSparse_long lp[3] = {0, 2, 3}, li[3] = {0, 1, 1};
  double lx[3] = {4, -1, 3};
  const cholmod_sparse good = {.nrow = 2, .ncol = 2, .nzmax = 3, .p = lp, .i = li, .x = lx, .stype = 0,
                               .itype = CHOLMOD_LONG, .xtype = CHOLMOD_REAL, .dtype = CHOLMOD_DOUBLE, .sorted = 1,
                               .packed = 1};
  lopt_matrix *m = NULL;
  lopt_error err = {0};
  cholmod_sparse A = good;
  A.xtype = CHOLMOD_PATTERN;
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "xtype"));
  A = good, A.xtype = CHOLMOD_COMPLEX;
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &A, &err), LOPT_EINVAL);
  A = good, A.itype = CHOLMOD_INTLONG;
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "itype"));
  A = good, A.nrow = 3, A.stype = -1;
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "square"));
  A = good, A.packed = 0;
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "nz"));
  A = good, A.nzmax = 2;
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "nzmax"));
  A = good, A.nrow = 1;
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "row index 1"));
  ck_assert_int_eq(lopt_matrix_from_cholmod(&m, NULL, &err), LOPT_EINVAL);
  ck_assert_int_eq(lopt_matrix_from_cholmod(NULL, &good, &err), LOPT_EINVAL);
  ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_to_cholmod_refuses_operator_and_int_common)
{
  lopt_matrix *op = NULL, *d = NULL;
  lopt_error err = {0};
  ck_assert_int_eq(lopt_matrix_create_operator(&op, 3, 3, identity3, NULL, 1, &err), LOPT_OK);
  double v[4] = {1, 0, 0, 1};
  ck_assert_int_eq(lopt_matrix_create_dense(&d, 2, 2, v, 2, LOPT_COPY, &err), LOPT_OK);
  cholmod_common cc;
  cholmod_l_start(&cc);
  cholmod_sparse *A = (cholmod_sparse *)&A;
  ck_assert_int_eq(lopt_matrix_to_cholmod(op, &cc, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_null(A);
  ck_assert_ptr_nonnull(strstr(err.message, "operator"));
  ck_assert_int_eq(lopt_matrix_to_cholmod(d, NULL, &A, &err), LOPT_EINVAL);
  ck_assert_int_eq(lopt_matrix_to_cholmod(NULL, &cc, &A, &err), LOPT_EINVAL);
  cholmod_l_finish(&cc);
  cholmod_common cci;
  cholmod_start(&cci); /* the int interface: not what cholmod_l_* needs */
  ck_assert_int_eq(lopt_matrix_to_cholmod(d, &cci, &A, &err), LOPT_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.message, "cholmod_l_start"));
  cholmod_finish(&cci);
  lopt_matrix_destroy(&op);
  lopt_matrix_destroy(&d);
}
END_TEST

static Suite *mmio_suite(void)
{
  Suite *s = suite_create("mmio");
  TCase *rt = tcase_create("round_trip");
  tcase_add_test(rt, test_mm_round_trip_is_bit_exact_general);
  tcase_add_test(rt, test_mm_round_trip_is_bit_exact_symmetric);
  tcase_add_test(rt, test_mm_upper_stype_is_written_as_its_lower_triangle);
  tcase_add_test(rt, test_mm_round_trip_keeps_every_entry_of_csc);
  tcase_add_test(rt, test_mm_round_trip_is_bit_exact_dense);
  tcase_add_test(rt, test_mm_round_trip_of_empty_matrices);
  suite_add_tcase(s, rt);

  TCase *rd = tcase_create("read");
  tcase_add_test(rd, test_mm_reads_pattern_and_integer_fields);
  tcase_add_test(rd, test_mm_reads_array_in_column_major_order);
  tcase_add_test(rd, test_mm_mirrors_upper_triangle_entries_of_symmetric_file);
  tcase_add_test(rd, test_mm_sums_duplicate_entries);
  tcase_add_test(rd, test_mm_skips_comments_blank_lines_crlf_and_ignores_keyword_case);
  tcase_add_test(rd, test_mm_reads_lines_of_any_length);
  suite_add_tcase(s, rd);

  TCase *bad = tcase_create("errors");
  tcase_add_loop_test(bad, test_mm_refuses_malformed_file_naming_line_and_expectation, 0,
                      (int)(sizeof bad_files / sizeof bad_files[0]));
  tcase_add_test(bad, test_mm_reports_line_of_malformed_entry);
  tcase_add_test(bad, test_mm_missing_file_is_eio_naming_path_and_reason);
  tcase_add_test(bad, test_mm_writer_refuses_operator_with_einval);
  tcase_add_test(bad, test_mm_writer_reports_eio_when_the_file_cannot_be_written);
  suite_add_tcase(s, bad);

  TCase *data = tcase_create("data");
  tcase_set_timeout(data, 60);
  tcase_add_test(data, test_mm_data_bcsstk01_like_is_spd_with_entries_from_1e3_to_1e9);
  tcase_add_test(data, test_mm_data_indefinite_is_symmetric_and_not_positive_definite);
  tcase_add_test(data, test_mm_reads_494_bus_as_symmetric_lower);
  suite_add_tcase(s, data);

  TCase *ch = tcase_create("cholmod");
  tcase_add_loop_test(ch, test_cholmod_round_trip_keeps_values_and_product, 0, N_INTEROP_CASES);
  tcase_add_test(ch, test_from_cholmod_accepts_int_indices_unpacked_and_unsorted);
  tcase_add_test(ch, test_from_cholmod_refuses_what_it_cannot_hold);
  tcase_add_test(ch, test_to_cholmod_refuses_operator_and_int_common);
  suite_add_tcase(s, ch);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(mmio_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
