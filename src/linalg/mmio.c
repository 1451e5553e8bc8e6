/* src/linalg/mmio.c: Matrix Market reading and writing.
 *
 * Format: Boisvert, Pozo & Remington, "The Matrix Market Exchange Formats: Initial Design",
 * NISTIR 5935 (1996). A file is a header line
 *   %%MatrixMarket matrix <coordinate|array> <real|integer|pattern|complex> <general|symmetric|...>
 * then comment lines (starting with '%'), a size line ("M N NNZ" for coordinate, "M N" for array)
 * and the entries, 1-based ("i j [value]" per line for coordinate, one value per line in
 * column-major order for array).
 *
 * Read: coordinate real/integer/pattern (pattern entries are 1.0), general or symmetric, and array
 * real/integer general. Complex, hermitian, skew-symmetric and symmetric array files are refused
 * with a sentence. Keywords are matched without regard to case; '%' comment lines and blank lines
 * are skipped anywhere after the header (the standard allows comments only before the size line,
 * but files in the wild break this). Lines are read with getline, so any line length works.
 * Every error names the file, the line, what was expected and what was found.
 *
 * Write: `coordinate real general`, `coordinate real symmetric` (lower triangle: an upper stype is
 * written as its mirror) or `array real general` for dense, values with %.17g: 17 significant
 * digits identify every double, and glibc's strtod rounds correctly, so write then read gives the
 * same bits back. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* getline */
#endif

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_internal.h"

/* ---- reading ------------------------------------------------------------------------------- */

enum { MM_COORDINATE = 1, MM_ARRAY = 2 };
enum { MM_REAL = 1, MM_INTEGER = 2, MM_PATTERN = 3 };

/* Longest token echoed back in a message; the rest is cut with "...". */
#define MM_ECHO 40

typedef struct mm_reader {
  const char *path;
  FILE *f;
  char *line;       /* getline's buffer */
  size_t cap;
  long lineno;      /* number of the line in `line` (1-based) */
  lopt_error *err;
} mm_reader;

/* Read the next line into r->line without its end-of-line characters. Returns 1 for a line, 0 at
 * end of file, a negative status on a read error (already reported). */
static int next_line(mm_reader *r)
{
  errno = 0;
  ssize_t len = getline(&r->line, &r->cap, r->f);
  if (len < 0) {
    if (ferror(r->f))
      return lopt_error_set(r->err, LOPT_EIO, r->lineno + 1, "lopt_matrix_read_mm: %s:%ld: read error: %s",
                            r->path, r->lineno + 1, strerror(errno ? errno : EIO));
    if (errno == ENOMEM)
      return lopt_error_set(r->err, LOPT_ENOMEM, r->lineno + 1, "lopt_matrix_read_mm: %s:%ld: no memory for the line",
                            r->path, r->lineno + 1);
    return 0;
  }
  r->lineno++;
  if ((size_t)len != strlen(r->line))
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                          "lopt_matrix_read_mm: %s:%ld: the line contains a NUL byte; expected text", r->path,
                          r->lineno);
  while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r')) r->line[--len] = '\0';
  return 1;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Split `s` in place at whitespace. Stores the first `max` token starts in `tok` and returns the
 * total number of tokens (which may exceed `max`). */
static int split(char *s, char **tok, int max)
{
  int n = 0;
  while (*s) {
    while (is_space(*s)) s++;
    if (!*s) break;
    if (n < max) tok[n] = s;
    n++;
    while (*s && !is_space(*s)) s++;
    if (*s) *s++ = '\0';
  }
  return n;
}

/* A line to skip: blank, or a comment. */
static int is_skippable(const char *s)
{
  while (is_space(*s)) s++;
  return *s == '\0' || *s == '%';
}

static int lower_eq(const char *a, const char *b)
{
  for (; *a && *b; a++, b++) {
    char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
    if (ca != *b) return 0;
  }
  return *a == *b;
}

/* Parse a whole token as a base-10 int64. Returns 0 on success, -1 if it is not an integer, -2 if
 * it does not fit in 64 bits. */
static int parse_i64(const char *s, int64_t *out)
{
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end != '\0') return -1;
  if (errno == ERANGE) return -2;
  *out = (int64_t)v;
  return 0;
}

/* Parse a value token of the file's field into *out; on failure report it and return the status. */
static int parse_value(mm_reader *r, int field, const char *s, double *out)
{
  if (field == MM_INTEGER) {
    int64_t v;
    int rc = parse_i64(s, &v);
    if (rc == -1)
      return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                            "lopt_matrix_read_mm: %s:%ld: expected an integer value (field is 'integer'), found "
                            "'%.*s%s'", r->path, r->lineno, MM_ECHO, s, strlen(s) > MM_ECHO ? "..." : "");
    if (rc == -2)
      return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                            "lopt_matrix_read_mm: %s:%ld: integer value '%.*s%s' does not fit in 64 bits", r->path,
                            r->lineno, MM_ECHO, s, strlen(s) > MM_ECHO ? "..." : "");
    *out = (double)v;
    return LOPT_OK;
  }
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0')
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                          "lopt_matrix_read_mm: %s:%ld: expected a real value, found '%.*s%s'", r->path, r->lineno,
                          MM_ECHO, s, strlen(s) > MM_ECHO ? "..." : "");
  if (!isfinite(v))
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                          "lopt_matrix_read_mm: %s:%ld: value '%.*s%s' is %s; entries must be finite doubles",
                          r->path, r->lineno, MM_ECHO, s, strlen(s) > MM_ECHO ? "..." : "",
                          isnan(v) ? "NaN" : errno == ERANGE ? "too large for a double" : "infinite");
  /* ERANGE with a finite result is underflow: strtod returned the correctly rounded subnormal or
   * zero, which is what the writer of the file meant by a tiny number. Keep it. */
  *out = v;
  return LOPT_OK;
}

/* Entries read so far, grown by doubling up to the count the size line promised, so a size line
 * that promises more than the file holds costs no memory up front. */
typedef struct mm_entries {
  int64_t *row, *col;
  double *val;
  int64_t len, cap;
} mm_entries;

static void entries_free(mm_entries *e)
{
  free(e->row);
  free(e->col);
  free(e->val);
  memset(e, 0, sizeof *e);
}

static int entries_reserve(mm_entries *e, int64_t need, int64_t limit, int with_indices)
{
  if (need <= e->cap) return 0;
  int64_t cap = e->cap ? e->cap : 1024;
  while (cap < need) cap = cap > INT64_MAX / 2 ? INT64_MAX : 2 * cap;
  if (cap > limit) cap = limit;
  if ((uint64_t)cap > SIZE_MAX / sizeof(int64_t)) return -1;
  size_t bytes = (size_t)cap * sizeof(int64_t);
  if (with_indices) {
    int64_t *row = realloc(e->row, bytes);
    if (!row) return -1;
    e->row = row;
    int64_t *col = realloc(e->col, bytes);
    if (!col) return -1;
    e->col = col;
  }
  double *val = realloc(e->val, (size_t)cap * sizeof(double));
  if (!val) return -1;
  e->val = val;
  e->cap = cap;
  return 0;
}

/* The header line: %%MatrixMarket matrix <format> <field> <symmetry>. */
static int read_header(mm_reader *r, int *format, int *field, int *symmetric)
{
  static const char expected[] =
      "expected the header '%%MatrixMarket matrix coordinate|array real|integer|pattern general|symmetric'";
  int rc = next_line(r);
  if (rc < 0) return rc;
  if (rc == 0)
    return lopt_error_set(r->err, LOPT_EFORMAT, 1, "lopt_matrix_read_mm: %s:1: the file is empty; %s", r->path,
                          expected);
  char *tok[6];
  char *copy = r->line; /* split writes NULs into the line; the raw text is echoed first */
  if (strncmp(copy, "%%", 2) != 0 || copy[2] == '\0')
    return lopt_error_set(r->err, LOPT_EFORMAT, 1, "lopt_matrix_read_mm: %s:1: %s, found '%.*s%s'", r->path,
                          expected, MM_ECHO, copy, strlen(copy) > MM_ECHO ? "..." : "");
  int n = split(copy, tok, 6);
  if (!lower_eq(tok[0], "%%matrixmarket"))
    return lopt_error_set(r->err, LOPT_EFORMAT, 1, "lopt_matrix_read_mm: %s:1: %s, found '%.*s%s' as first word",
                          r->path, expected, MM_ECHO, tok[0], strlen(tok[0]) > MM_ECHO ? "..." : "");
  if (n != 5)
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: expected 5 words in the header "
                          "'%%%%MatrixMarket object format field symmetry', found %d",
                          r->path, n);
  if (!lower_eq(tok[1], "matrix"))
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: object '%.*s' is not supported; expected 'matrix'", r->path,
                          MM_ECHO, tok[1]);
  if (lower_eq(tok[2], "coordinate")) *format = MM_COORDINATE;
  else if (lower_eq(tok[2], "array")) *format = MM_ARRAY;
  else
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: format '%.*s' is unknown; expected 'coordinate' or 'array'",
                          r->path, MM_ECHO, tok[2]);
  if (lower_eq(tok[3], "real")) *field = MM_REAL;
  else if (lower_eq(tok[3], "integer")) *field = MM_INTEGER;
  else if (lower_eq(tok[3], "pattern")) *field = MM_PATTERN;
  else if (lower_eq(tok[3], "complex"))
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: complex matrices are not supported; expected field 'real', "
                          "'integer' or 'pattern'", r->path);
  else
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: field '%.*s' is unknown; expected 'real', 'integer' or "
                          "'pattern'", r->path, MM_ECHO, tok[3]);
  if (lower_eq(tok[4], "general")) *symmetric = 0;
  else if (lower_eq(tok[4], "symmetric")) *symmetric = 1;
  else if (lower_eq(tok[4], "skew-symmetric") || lower_eq(tok[4], "hermitian"))
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: %s matrices are not supported; expected symmetry 'general' "
                          "or 'symmetric'", r->path, lower_eq(tok[4], "hermitian") ? "hermitian" : "skew-symmetric");
  else
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: symmetry '%.*s' is unknown; expected 'general' or "
                          "'symmetric'", r->path, MM_ECHO, tok[4]);
  if (*format == MM_ARRAY && *field == MM_PATTERN)
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: 'array pattern' is not a valid combination; an array holds "
                          "values", r->path);
  if (*format == MM_ARRAY && *symmetric)
    return lopt_error_set(r->err, LOPT_EFORMAT, 1,
                          "lopt_matrix_read_mm: %s:1: 'array symmetric' is not supported; only 'array real "
                          "general' (or write the matrix as 'coordinate real symmetric')", r->path);
  return LOPT_OK;
}

/* Next line that is not blank or a comment. Returns 1, 0 at end of file, or a negative status. */
static int next_data_line(mm_reader *r)
{
  for (;;) {
    int rc = next_line(r);
    if (rc <= 0) return rc;
    if (!is_skippable(r->line)) return 1;
  }
}

static int read_size_line(mm_reader *r, int format, int symmetric, int64_t size[3])
{
  int want = format == MM_COORDINATE ? 3 : 2;
  const char *what = format == MM_COORDINATE ? "'rows cols entries'" : "'rows cols'";
  int rc = next_data_line(r);
  if (rc < 0) return rc;
  if (rc == 0)
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno + 1,
                          "lopt_matrix_read_mm: %s:%ld: the file ends before the size line %s", r->path,
                          r->lineno + 1, what);
  char *tok[3];
  int n = split(r->line, tok, 3);
  if (n != want)
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                          "lopt_matrix_read_mm: %s:%ld: expected %d fields %s on the size line, found %d", r->path,
                          r->lineno, want, what, n);
  static const char *const names[3] = {"row count", "column count", "entry count"};
  for (int k = 0; k < want; k++) {
    int prc = parse_i64(tok[k], &size[k]);
    if (prc != 0 || size[k] < 0)
      return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                            "lopt_matrix_read_mm: %s:%ld: expected a non-negative 64-bit integer %s on the size "
                            "line, found '%.*s%s'", r->path, r->lineno, names[k], MM_ECHO, tok[k],
                            strlen(tok[k]) > MM_ECHO ? "..." : "");
  }
  if (symmetric && size[0] != size[1])
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                          "lopt_matrix_read_mm: %s:%ld: a symmetric matrix must be square; the size line gives "
                          "%lld x %lld", r->path, r->lineno, (long long)size[0], (long long)size[1]);
  if (format == MM_ARRAY) {
    if (size[0] > 0 && size[1] > INT64_MAX / size[0])
      return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                            "lopt_matrix_read_mm: %s:%ld: array of %lld x %lld values is too large", r->path,
                            r->lineno, (long long)size[0], (long long)size[1]);
    size[2] = size[0] * size[1];
  }
  return LOPT_OK;
}

/* One coordinate entry "i j [value]" from the current line into e (0-based). */
static int read_coordinate_entry(mm_reader *r, int field, int symmetric, const int64_t size[3], mm_entries *e)
{
  int want = field == MM_PATTERN ? 2 : 3;
  char *tok[3];
  int n = split(r->line, tok, 3);
  if (n != want)
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                          "lopt_matrix_read_mm: %s:%ld: expected %d fields %s, found %d", r->path, r->lineno, want,
                          want == 2 ? "'row col'" : "'row col value'", n);
  int64_t ij[2];
  for (int k = 0; k < 2; k++) {
    int prc = parse_i64(tok[k], &ij[k]);
    if (prc == -1)
      return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                            "lopt_matrix_read_mm: %s:%ld: expected an integer %s index, found '%.*s%s'", r->path,
                            r->lineno, k ? "column" : "row", MM_ECHO, tok[k], strlen(tok[k]) > MM_ECHO ? "..." : "");
    if (prc == -2 || ij[k] < 1 || ij[k] > size[k])
      return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                            "lopt_matrix_read_mm: %s:%ld: %s index %.*s%s is out of range; expected 1..%lld", r->path,
                            r->lineno, k ? "column" : "row", MM_ECHO, tok[k], strlen(tok[k]) > MM_ECHO ? "..." : "",
                            (long long)size[k]);
  }
  double v = 1.0;
  if (field != MM_PATTERN) {
    int rc = parse_value(r, field, tok[2], &v);
    if (rc) return rc;
  }
  int64_t i = ij[0] - 1, j = ij[1] - 1;
  /* A symmetric file should list the lower triangle only, but some writers list the upper one (or
   * mix). Both mean the same symmetric entry, so an entry above the diagonal is stored as its
   * mirror below; if a file gives both (i, j) and (j, i), they are summed like any duplicate. */
  if (symmetric && i < j) {
    int64_t t = i;
    i = j, j = t;
  }
  e->row[e->len] = i;
  e->col[e->len] = j;
  e->val[e->len] = v;
  e->len++;
  return LOPT_OK;
}

static int read_array_entry(mm_reader *r, int field, mm_entries *e)
{
  char *tok[1];
  int n = split(r->line, tok, 1);
  if (n != 1)
    return lopt_error_set(r->err, LOPT_EFORMAT, r->lineno,
                          "lopt_matrix_read_mm: %s:%ld: expected 1 field 'value' (array format), found %d", r->path,
                          r->lineno, n);
  int rc = parse_value(r, field, tok[0], &e->val[e->len]);
  if (rc) return rc;
  e->len++;
  return LOPT_OK;
}

int lopt_matrix_read_mm(lopt_matrix **out, const char *path, lopt_error *err)
{
  const char *fn = "lopt_matrix_read_mm";
  if (!out) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: output pointer is NULL", fn);
  *out = NULL;
  if (!path) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: path is NULL", fn);
  mm_reader r = {.path = path, .err = err};
  r.f = fopen(path, "r");
  if (!r.f) return lopt_error_set(err, LOPT_EIO, 0, "%s: cannot open '%s' for reading: %s", fn, path, strerror(errno));

  mm_entries e = {0};
  lopt_matrix *m = NULL;
  int format = 0, field = 0, symmetric = 0;
  int64_t size[3] = {0, 0, 0};
  int rc = read_header(&r, &format, &field, &symmetric);
  if (rc) goto done;
  rc = read_size_line(&r, format, symmetric, size);
  if (rc) goto done;
  long size_line = r.lineno;
  int64_t promised = size[2];
  for (;;) {
    rc = next_data_line(&r);
    if (rc < 0) goto done;
    if (rc == 0) break;
    if (e.len == promised) {
      rc = lopt_error_set(err, LOPT_EFORMAT, r.lineno,
                          "%s: %s:%ld: more entries than the %lld promised by the size line (line %ld)", fn, path,
                          r.lineno, (long long)promised, size_line);
      goto done;
    }
    if (entries_reserve(&e, e.len + 1, promised, format == MM_COORDINATE)) {
      rc = lopt_error_set(err, LOPT_ENOMEM, r.lineno, "%s: %s:%ld: no memory for %lld entries", fn, path, r.lineno,
                          (long long)(e.len + 1));
      goto done;
    }
    rc = format == MM_COORDINATE ? read_coordinate_entry(&r, field, symmetric, size, &e)
                                 : read_array_entry(&r, field, &e);
    if (rc) goto done;
  }
  if (e.len < promised) {
    rc = lopt_error_set(err, LOPT_EFORMAT, r.lineno,
                        "%s: %s:%ld: the file ends after %lld of the %lld entries promised by the size line (line "
                        "%ld)", fn, path, r.lineno, (long long)e.len, (long long)promised, size_line);
    goto done;
  }

  if (format == MM_ARRAY) {
    rc = lopt_matrix_create_dense(&m, size[0], size[1], e.val, size[0] > 1 ? size[0] : 1, LOPT_COPY, err);
  } else {
    rc = lopt_matrix_create_coo(&m, size[0], size[1], e.len, e.row, e.col, e.val,
                                symmetric ? LOPT_LOWER : LOPT_GENERAL, err);
    /* Every entry was checked as it was read, so a refusal here is summed duplicates that overflow:
     * a property of the file. */
    if (rc == LOPT_EINVAL) {
      char why[sizeof err->message];
      snprintf(why, sizeof why, "%s", err ? err->message : "");
      rc = lopt_error_set(err, LOPT_EFORMAT, 0, "%s: %s: duplicate entries sum to inf, 0-based (%s)", fn, path, why);
    }
  }
done:
  entries_free(&e);
  free(r.line);
  fclose(r.f); /* read-only: nothing to lose on a failed close */
  if (rc == LOPT_OK) *out = m;
  return rc;
}

/* ---- writing ------------------------------------------------------------------------------- */

/* Is stored entry (i, j) part of the matrix (a symmetric stype ignores the other triangle)? */
static int counts(lopt_stype st, int64_t i, int64_t j)
{
  return st == LOPT_GENERAL || (st == LOPT_LOWER ? i >= j : i <= j);
}

static int write_body(FILE *f, const lopt_matrix *m)
{
  if (m->storage == LOPT_DENSE) {
    if (fprintf(f, "%%%%MatrixMarket matrix array real general\n%% written by libopt\n%lld %lld\n",
                (long long)m->nrows, (long long)m->ncols) < 0)
      return -1;
    for (int64_t j = 0; j < m->ncols; j++)
      for (int64_t i = 0; i < m->nrows; i++)
        if (fprintf(f, "%.17g\n", m->data[i + j * m->ld]) < 0) return -1;
    return 0;
  }
  int csr = m->storage == LOPT_CSR;
  int64_t nouter = csr ? m->nrows : m->ncols, nnz = 0;
  for (int64_t o = 0; o < nouter; o++)
    for (int64_t p = m->ptr[o]; p < m->ptr[o + 1]; p++)
      nnz += counts(m->stype, csr ? o : m->idx[p], csr ? m->idx[p] : o);
  if (fprintf(f, "%%%%MatrixMarket matrix coordinate real %s\n%% written by libopt\n%lld %lld %lld\n",
              m->stype == LOPT_GENERAL ? "general" : "symmetric", (long long)m->nrows, (long long)m->ncols,
              (long long)nnz) < 0)
    return -1;
  for (int64_t o = 0; o < nouter; o++)
    for (int64_t p = m->ptr[o]; p < m->ptr[o + 1]; p++) {
      int64_t i = csr ? o : m->idx[p], j = csr ? m->idx[p] : o;
      if (!counts(m->stype, i, j)) continue;
      if (m->stype == LOPT_UPPER) { /* the file holds the lower triangle: (i, j) with i <= j as (j, i) */
        int64_t t = i;
        i = j, j = t;
      }
      if (fprintf(f, "%lld %lld %.17g\n", (long long)(i + 1), (long long)(j + 1), m->val[p]) < 0) return -1;
    }
  return 0;
}

int lopt_matrix_write_mm(const lopt_matrix *m, const char *path, lopt_error *err)
{
  const char *fn = "lopt_matrix_write_mm";
  if (!m) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: matrix is NULL", fn);
  if (!path) return lopt_error_set(err, LOPT_EINVAL, 0, "%s: path is NULL", fn);
  if (m->storage == LOPT_OPERATOR)
    return lopt_error_set(err, LOPT_EINVAL, 0,
                          "%s: a matrix-free operator has no entries to write; only dense, CSR and CSC matrices", fn);
  FILE *f = fopen(path, "w");
  if (!f) return lopt_error_set(err, LOPT_EIO, 0, "%s: cannot open '%s' for writing: %s", fn, path, strerror(errno));
  int bad = write_body(f, m);
  int saved = errno;
  if (fclose(f) != 0 && !bad) bad = 1, saved = errno;
  if (bad)
    return lopt_error_set(err, LOPT_EIO, 0, "%s: writing '%s' failed: %s", fn, path, strerror(saved ? saved : EIO));
  return LOPT_OK;
}
