/* imt_sssom.c - SSSOM 1.0 TSV reader: metadata block, header, RFC 4180 cells, prefix checks. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_sssom.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_names[IMT_SSSOM_N_KNOWN] = {
  "subject_id", "subject_label", "predicate_id", "object_id",
  "object_label", "mapping_justification", "confidence", "comment"
};

/* Prefixes every SSSOM document may use without declaring them (SSSOM 1.0 built-in prefix map). */
static const char *const builtin_prefixes[][2] = {
  {"sssom", "https://w3id.org/sssom/"},
  {"owl", "http://www.w3.org/2002/07/owl#"},
  {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
  {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
  {"skos", "http://www.w3.org/2004/02/skos/core#"},
  {"semapv", "https://w3id.org/semapv/vocab/"},
  {"xsd", "http://www.w3.org/2001/XMLSchema#"},
  {"linkml", "https://w3id.org/linkml/"},
  {"dcterms", "http://purl.org/dc/terms/"},
  {"pav", "http://purl.org/pav/"},
};

void imt_sssom_free(imt_sssom *s)
{
  size_t i, j;
  if (!s)
    return;
  free(s->name);
  free(s->mapping_set_id);
  free(s->license);
  free(s->title);
  free(s->mapping_date);
  free(s->version);
  for (i = 0; i < s->n_prefixes; i++) {
    free(s->prefixes[i]);
    free(s->expansions[i]);
  }
  free(s->prefixes);
  free(s->expansions);
  for (i = 0; i < s->n_rows; i++) {
    for (j = 0; j < s->ncols; j++)
      free(s->rows[i].cells[j]);
    free(s->rows[i].cells);
  }
  free(s->rows);
  for (i = 0; i < s->ncols; i++)
    free(s->columns[i]);
  free(s->columns);
  free(s);
}

const char *imt_sssom_prefix(const imt_sssom *s, const char *pfx, size_t n)
{
  size_t i;
  for (i = 0; i < s->n_prefixes; i++)
    if (strlen(s->prefixes[i]) == n && memcmp(s->prefixes[i], pfx, n) == 0)
      return s->expansions[i];
  for (i = 0; i < sizeof builtin_prefixes / sizeof builtin_prefixes[0]; i++)
    if (strlen(builtin_prefixes[i][0]) == n && memcmp(builtin_prefixes[i][0], pfx, n) == 0)
      return builtin_prefixes[i][1];
  return NULL;
}

const char *imt_sssom_get(const imt_sssom *s, const imt_sssom_row *r, enum imt_sssom_col c)
{
  int i = s->col[c];
  return i < 0 ? "" : r->cells[i];
}

char *imt_sssom_expand(const imt_sssom *s, const char *curie)
{
  const char *colon = strchr(curie, ':'), *exp;
  imt_buf b = IMT_BUF_INIT;
  if (!colon || colon == curie)
    return NULL;
  exp = imt_sssom_prefix(s, curie, (size_t)(colon - curie));
  if (!exp)
    return NULL;
  imt_buf_puts(&b, exp);
  imt_buf_puts(&b, colon + 1);
  return imt_buf_steal(&b, NULL);
}

/* ---- metadata block: a YAML subset ---------------------------------------------------------- */

/* Trim spaces and one level of matching quotes; returns a new string (caller frees). */
static char *yaml_scalar(const char *p, size_t n)
{
  while (n && isspace((unsigned char)*p)) { p++; n--; }
  while (n && isspace((unsigned char)p[n - 1])) n--;
  /* a trailing comment outside quotes */
  if (n && *p != '"' && *p != '\'') {
    size_t i;
    for (i = 0; i + 1 < n; i++)
      if (p[i] == ' ' && p[i + 1] == '#') { n = i; break; }
    while (n && isspace((unsigned char)p[n - 1])) n--;
  }
  if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0]) { p++; n -= 2; }
  return imt_strndup(p, n);
}

static int add_prefix(imt_sssom *s, char *pfx, char *exp)
{
  char **a = imt_realloc(s->prefixes, (s->n_prefixes + 1) * sizeof *a);
  char **b;
  if (!a) return IMT_ERR_NOMEM;
  s->prefixes = a;
  b = imt_realloc(s->expansions, (s->n_prefixes + 1) * sizeof *b);
  if (!b) return IMT_ERR_NOMEM;
  s->expansions = b;
  s->prefixes[s->n_prefixes] = pfx;
  s->expansions[s->n_prefixes] = exp;
  s->n_prefixes++;
  return 0;
}

static int valid_prefix_name(const char *p)
{
  if (!*p || !(isalpha((unsigned char)*p) || *p == '_'))
    return 0;
  for (; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.'))
      return 0;
  return 1;
}

/* Parse one metadata line (without its '#'). *section is the key whose indented children follow. */
static int meta_line(imt_sssom *s, const char *line, size_t n, char *section, int *base,
                     size_t line_no, imt_error *err)
{
  size_t indent = 0, i;
  const char *colon;
  char *key, *val;

  while (indent < n && line[indent] == ' ') indent++;
  if (indent == n || line[indent] == '#')
    return 0;  /* blank or YAML comment */
  if (line[indent] == '\t')
    return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: tab used for indentation in the metadata block", s->name, line_no);
  /* "# key: value" puts every line one space in: the first key's indentation is the base */
  if (*base < 0)
    *base = (int)indent;
  if (indent < (size_t)*base)
    return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: metadata line indented less than the first key", s->name, line_no);
  line += *base;
  n -= (size_t)*base;
  indent -= (size_t)*base;
  if (indent > 0) {
    if (!section[0])
      return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: indented metadata line outside a section", s->name, line_no);
    if (line[indent] == '-')
      return 0;  /* a list item (e.g. creator_id); nothing we need */
    colon = memchr(line + indent, ':', n - indent);
    if (!colon)
      return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: expected 'key: value' in metadata", s->name, line_no);
    if (strcmp(section, "curie_map") == 0) {
      int rc;
      key = yaml_scalar(line + indent, (size_t)(colon - line - indent));
      val = yaml_scalar(colon + 1, n - (size_t)(colon + 1 - line));
      if (!key || !val) { free(key); free(val); return IMT_ERR_NOMEM; }
      if (!valid_prefix_name(key) || !*val) {
        imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: bad curie_map entry '%s'", s->name, line_no, key);
        free(key); free(val);
        return IMT_ERR_SYNTAX;
      }
      for (i = 0; i < s->n_prefixes; i++)
        if (strcmp(s->prefixes[i], key) == 0) {
          imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: prefix '%s' declared twice in curie_map", s->name, line_no, key);
          free(key); free(val);
          return IMT_ERR_INVALID;
        }
      rc = add_prefix(s, key, val);
      if (rc) { free(key); free(val); }
      return rc;
    }
    return 0;  /* children of other sections (extension slots) are accepted and ignored */
  }
  colon = memchr(line, ':', n);
  if (!colon)
    return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: expected 'key: value' in metadata", s->name, line_no);
  key = yaml_scalar(line, (size_t)(colon - line));
  val = yaml_scalar(colon + 1, n - (size_t)(colon + 1 - line));
  if (!key || !val) { free(key); free(val); return IMT_ERR_NOMEM; }
  section[0] = '\0';
  if (!*val) {
    snprintf(section, 64, "%s", key);
    free(val);
    val = NULL;
  }
#define SLOT(name, field) else if (strcmp(key, name) == 0) { free(s->field); s->field = val; val = NULL; }
  if (!val) {}
  SLOT("mapping_set_id", mapping_set_id)
  SLOT("license", license)
  SLOT("mapping_set_title", title)
  SLOT("mapping_date", mapping_date)
  SLOT("mapping_set_version", version)
#undef SLOT
  else if (strcmp(key, "curie_map") == 0 && val) {
    if (strcmp(val, "{}") != 0) {
      imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: curie_map must be a block of 'prefix: IRI' lines", s->name, line_no);
      free(key); free(val);
      return IMT_ERR_SYNTAX;
    }
  }
  free(key);
  free(val);
  return 0;
}

/* ---- the table: RFC 4180 cells separated by tabs -------------------------------------------- */

/* Read one record starting at *pos; cells are appended to *cells. Advances *pos and *line.
 * Returns 0, or IMT_ERR_SYNTAX for an unterminated quote. */
static int read_record(const char *d, size_t len, size_t *pos, size_t *line, char ***cells,
                       size_t *ncells, const char *name, imt_error *err)
{
  size_t p = *pos, start_line = *line;
  imt_buf cell = IMT_BUF_INIT;
  char **v = NULL;
  size_t nv = 0;

  for (;;) {
    imt_buf_reset(&cell);
    if (p < len && d[p] == '"') {
      p++;
      for (;;) {
        if (p >= len) {
          imt_buf_free(&cell);
          goto unterminated;
        }
        if (d[p] == '"') {
          if (p + 1 < len && d[p + 1] == '"') { imt_buf_putc(&cell, '"'); p += 2; continue; }
          p++;
          break;
        }
        if (d[p] == '\n') (*line)++;
        imt_buf_putc(&cell, d[p++]);
      }
      if (p < len && d[p] != '\t' && d[p] != '\n' && d[p] != '\r') {
        imt_buf_free(&cell);
        for (size_t i = 0; i < nv; i++) free(v[i]);
        free(v);
        return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: text after a closing quote", name, *line);
      }
    } else {
      while (p < len && d[p] != '\t' && d[p] != '\n' && !(d[p] == '\r' && p + 1 < len && d[p + 1] == '\n'))
        imt_buf_putc(&cell, d[p++]);
    }
    {
      char **nvv = imt_realloc(v, (nv + 1) * sizeof *v);
      char *c = imt_buf_steal(&cell, NULL);
      if (!nvv || !c) {
        free(c);
        if (nvv) v = nvv;
        for (size_t i = 0; i < nv; i++) free(v[i]);
        free(v);
        return IMT_ERR_NOMEM;
      }
      v = nvv;
      v[nv++] = c;
    }
    if (p < len && d[p] == '\t') { p++; continue; }
    if (p < len && d[p] == '\r') p++;
    if (p < len && d[p] == '\n') { p++; (*line)++; }
    break;
  }
  imt_buf_free(&cell);
  *pos = p;
  *cells = v;
  *ncells = nv;
  return 0;

unterminated:
  for (size_t i = 0; i < nv; i++) free(v[i]);
  free(v);
  return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: unterminated quoted field", name, start_line);
}

/* Check that a CURIE-valued cell uses a declared prefix. Empty cells pass (required-ness is
 * checked separately). IRIs in angle brackets or with "://" are accepted as full IRIs. */
static int check_curie(const imt_sssom *s, const char *v, const char *col, size_t line, imt_error *err)
{
  const char *colon;
  if (!*v)
    return 0;
  if (strstr(v, "://"))
    return 0;
  colon = strchr(v, ':');
  if (!colon || colon == v)
    return imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: %s '%s' is not a CURIE (prefix:local)", s->name, line, col, v);
  if (!imt_sssom_prefix(s, v, (size_t)(colon - v)))
    return imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: %s '%s' uses prefix '%.*s' that curie_map does not declare",
                         s->name, line, col, v, (int)(colon - v), v);
  for (const char *q = v; *q; q++)
    if (isspace((unsigned char)*q))
      return imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: %s '%s' contains whitespace", s->name, line, col, v);
  return 0;
}

imt_sssom *imt_sssom_parse(const char *d, size_t len, const char *name, imt_error *err)
{
  imt_sssom *s = IMT_CALLOC(imt_sssom, 1);
  size_t pos = 0, line = 1, i;
  char section[64] = "";
  int base = -1;
  char **cells = NULL;
  size_t ncells = 0;

  if (!s || !(s->name = imt_strdup(name ? name : "<input>"))) {
    imt_sssom_free(s);
    imt_error_set(err, IMT_ERR_NOMEM, "out of memory reading %s", name ? name : "<input>");
    return NULL;
  }
  for (i = 0; i < IMT_SSSOM_N_KNOWN; i++)
    s->col[i] = -1;
  if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;  /* UTF-8 BOM */

  /* Metadata block: consecutive lines starting with '#'. */
  while (pos < len && d[pos] == '#') {
    const char *nl = memchr(d + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - d) : len, n = end - pos - 1;
    if (n && d[pos + 1 + n - 1] == '\r') n--;
    if (meta_line(s, d + pos + 1, n, section, &base, line, err))
      goto fail;
    pos = nl ? end + 1 : len;
    line++;
  }
  if (!s->n_prefixes) {
    imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: metadata block has no curie_map", s->name, line);
    goto fail;
  }
  if (!s->mapping_set_id || !*s->mapping_set_id) {
    imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: metadata block has no mapping_set_id", s->name, line);
    goto fail;
  }
  if (!s->license || !*s->license) {
    imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: metadata block has no license", s->name, line);
    goto fail;
  }
  while (pos < len && (d[pos] == '\n' || d[pos] == '\r')) { if (d[pos] == '\n') line++; pos++; }
  if (pos >= len) {
    imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: no header row after the metadata block", s->name, line);
    goto fail;
  }

  /* Header row. */
  {
    size_t hl = line;
    if (read_record(d, len, &pos, &line, &s->columns, &s->ncols, s->name, err))
      goto fail;
    for (i = 0; i < s->ncols; i++) {
      size_t k;
      if (!*s->columns[i]) {
        imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: empty column name in header (column %zu)", s->name, hl, i + 1);
        goto fail;
      }
      for (k = 0; k < i; k++)
        if (strcmp(s->columns[k], s->columns[i]) == 0) {
          imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: column '%s' appears twice in the header", s->name, hl, s->columns[i]);
          goto fail;
        }
      for (k = 0; k < IMT_SSSOM_N_KNOWN; k++)
        if (strcmp(s->columns[i], known_names[k]) == 0)
          s->col[k] = (int)i;
    }
    {
      static const enum imt_sssom_col required[] = {IMT_SSSOM_SUBJECT_ID, IMT_SSSOM_PREDICATE_ID,
                                                    IMT_SSSOM_OBJECT_ID, IMT_SSSOM_JUSTIFICATION};
      for (i = 0; i < sizeof required / sizeof required[0]; i++)
        if (s->col[required[i]] < 0) {
          imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: header lacks the required column '%s'", s->name, hl, known_names[required[i]]);
          goto fail;
        }
    }
  }

  /* Rows. */
  while (pos < len) {
    size_t row_line = line;
    imt_sssom_row *nr;
    if (d[pos] == '\n' || (d[pos] == '\r' && pos + 1 < len && d[pos + 1] == '\n')) {
      pos += d[pos] == '\r' ? 2 : 1;
      line++;
      continue;  /* blank line */
    }
    if (read_record(d, len, &pos, &line, &cells, &ncells, s->name, err))
      goto fail;
    if (ncells != s->ncols) {
      imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: row has %zu cells, header has %zu columns", s->name, row_line, ncells, s->ncols);
      goto fail_cells;
    }
    nr = imt_realloc(s->rows, (s->n_rows + 1) * sizeof *nr);
    if (!nr) {
      imt_error_set(err, IMT_ERR_NOMEM, "out of memory reading %s", s->name);
      goto fail_cells;
    }
    s->rows = nr;
    s->rows[s->n_rows].line = row_line;
    s->rows[s->n_rows].cells = cells;
    s->n_rows++;
    cells = NULL;
    {
      const imt_sssom_row *r = &s->rows[s->n_rows - 1];
      static const enum imt_sssom_col curie_cols[] = {IMT_SSSOM_SUBJECT_ID, IMT_SSSOM_PREDICATE_ID,
                                                      IMT_SSSOM_OBJECT_ID, IMT_SSSOM_JUSTIFICATION};
      for (i = 0; i < sizeof curie_cols / sizeof curie_cols[0]; i++) {
        const char *v = imt_sssom_get(s, r, curie_cols[i]);
        if (!*v) {
          imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: required cell '%s' is empty", s->name, row_line, known_names[curie_cols[i]]);
          goto fail;
        }
        if (check_curie(s, v, known_names[curie_cols[i]], row_line, err))
          goto fail;
      }
      {
        const char *c = imt_sssom_get(s, r, IMT_SSSOM_CONFIDENCE);
        if (*c) {
          char *end;
          double x;
          errno = 0;
          x = strtod(c, &end);
          if (errno || *end || x < 0.0 || x > 1.0) {
            imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: confidence '%s' is not a number in [0, 1]", s->name, row_line, c);
            goto fail;
          }
        }
      }
    }
  }
  return s;

fail_cells:
  for (i = 0; i < ncells; i++)
    free(cells[i]);
  free(cells);
fail:
  imt_sssom_free(s);
  return NULL;
}

imt_sssom *imt_sssom_read_file(const char *path, imt_error *err)
{
  FILE *f = fopen(path, "rb");
  imt_buf b = IMT_BUF_INIT;
  char chunk[65536];
  size_t n;
  imt_sssom *s;

  if (!f) {
    imt_error_set(err, IMT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (imt_buf_append(&b, chunk, n)) {
      fclose(f);
      imt_buf_free(&b);
      imt_error_set(err, IMT_ERR_NOMEM, "%s: out of memory", path);
      return NULL;
    }
  if (ferror(f)) {
    fclose(f);
    imt_buf_free(&b);
    imt_error_set(err, IMT_ERR_IO, "%s: read error", path);
    return NULL;
  }
  fclose(f);
  s = imt_sssom_parse(b.data ? b.data : "", b.len, path, err);
  imt_buf_free(&b);
  return s;
}
