/* imt_sparql_guard.c - the refused-construct table of the SPARQL endpoint and the textual checks
 * (over a small SPARQL tokenizer) for what Rasqal 0.9.33 rejects with a bare parse error, crashes
 * on, or answers wrongly. */
#include "config.h"
#include "imt.h"
#include "imt_sparql_guard.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* THE list. docs/sparql.md ("What is refused") repeats it; keep both in step. */
const imt_guard_rule imt_guard_rules[IMT_GUARD_COUNT] = {
  {IMT_GUARD_SERVICE, "service_refused", "SERVICE (federated query)",
   "the endpoint never fetches data from other servers (Rasqal would fetch the URL, a request "
   "forgery risk)",
   "run the remote part against the other endpoint yourself and join the results client side"},
  {IMT_GUARD_FROM, "dataset_not_held", "FROM <graph>",
   "the service holds one default graph, <" IMT_SPARQL_DEFAULT_GRAPH "> (and fetches nothing)",
   "leave FROM out: every query already runs on the whole vocabulary"},
  {IMT_GUARD_FROM_NAMED, "dataset_not_held", "FROM NAMED <graph>",
   "the service holds no named graphs (and fetches nothing)",
   "leave FROM NAMED and GRAPH out"},
  {IMT_GUARD_UPDATE, "read_only", "SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD)",
   "this endpoint is read-only",
   "propose changes through the curation API (/api/curation) or a change to the Turtle sources"},
  {IMT_GUARD_VALUES_ROWS, "values_rows_refused", "VALUES with more than one row",
   "Rasqal 0.9.33 crashes on it after a triple pattern and silently uses only the first row inside "
   "a group",
   "write FILTER(?x IN (<a>, <b>, ...)) instead"},
  {IMT_GUARD_GROUP_CONCAT_SEPARATOR, "group_concat_separator_refused", "GROUP_CONCAT with SEPARATOR",
   "Rasqal 0.9.33 ignores the separator and always joins with a space",
   "use GROUP_CONCAT without a separator (values joined by one space), or select the rows and join "
   "them client side"},
  {IMT_GUARD_PROPERTY_PATH, "property_path_refused", "property paths (/ | ^ * + ?)",
   "Rasqal 0.9.33 does not implement them",
   "for ancestors or descendants use the materialized skos:broaderTransitive / "
   "skos:narrowerTransitive (e.g. ?c skos:broaderTransitive ?ancestor); for a fixed chain write "
   "one triple pattern per step; for ^p swap subject and object"},
  {IMT_GUARD_EXISTS, "exists_refused", "FILTER EXISTS / NOT EXISTS",
   "Rasqal 0.9.33 does not implement them",
   "for NOT EXISTS write OPTIONAL { ... ?x ... } FILTER(!BOUND(?x)); for EXISTS add the pattern "
   "to the query and SELECT DISTINCT"},
  {IMT_GUARD_MINUS, "minus_refused", "MINUS",
   "Rasqal 0.9.33 fails it at execution without a message",
   "write OPTIONAL { ... ?x ... } FILTER(!BOUND(?x))"},
  {IMT_GUARD_SUBSELECT, "subselect_refused", "a sub-SELECT (SELECT inside the WHERE clause)",
   "Rasqal 0.9.33 answers sub-SELECTs wrongly: it shares their inner variables with the outer "
   "query, pairs GROUP BY keys with the wrong aggregate values once the rows are joined or "
   "filtered, and loses rows under ORDER BY/LIMIT",
   "aggregate in the top-level query (GROUP BY ... HAVING ... answers correctly), or run the inner "
   "query on its own and join the results client side"},
  {IMT_GUARD_STRING_CALL_ARG, "string_call_argument_refused",
   "CONCAT, STRBEFORE or STRAFTER with a function call or expression as an argument",
   "Rasqal 0.9.33 frees the argument's value before copying it and returns garbage",
   "bind the inner expression to a variable first, e.g. BIND(STR(?l) AS ?s) and then CONCAT(?s, \" / \")"},
  {IMT_GUARD_AGGREGATE_DISTINCT, "aggregate_distinct_refused", "an aggregate with DISTINCT (e.g. COUNT(DISTINCT ?x))",
   "Rasqal 0.9.33 compares IRIs wrongly when it removes duplicates inside an aggregate, so the "
   "count is too high",
   "SELECT DISTINCT ?x and count the rows client side, or GROUP BY ?x and count the groups"},
};

void imt_guard_message(imt_guard_id id, const char *detail, char *buf, size_t len)
{
  const imt_guard_rule *r = &imt_guard_rules[id];
  if (detail && *detail)
    snprintf(buf, len, "%s is refused (near '%s'): %s. Instead: %s.", r->feature, detail, r->why,
             r->workaround);
  else
    snprintf(buf, len, "%s is refused: %s. Instead: %s.", r->feature, r->why, r->workaround);
}

/* ---- tokenizer ------------------------------------------------------------------------------ */

static int name_start(unsigned char c) { return isalpha(c) || c == '_' || c >= 0x80; }
static int name_char(unsigned char c) { return isalnum(c) || c == '_' || c >= 0x80; }

static size_t scan_string(const char *s, size_t n, size_t i)
{
  char q = s[i];
  int triple = i + 2 < n && s[i + 1] == q && s[i + 2] == q;
  i += triple ? 3 : 1;
  while (i < n) {
    if (s[i] == '\\') { i += 2; continue; }
    if (s[i] == q) {
      if (!triple) return i + 1;
      if (i + 2 < n && s[i + 1] == q && s[i + 2] == q) return i + 3;
    }
    if (!triple && (s[i] == '\n' || s[i] == '\r')) return i;  /* unterminated: stop at the line */
    i++;
  }
  return n;
}

imt_tok *imt_sparql_tokenize(const char *s, size_t *count)
{
  size_t n = strlen(s), cap = 64, k = 0, i = 0;
  imt_tok *t = IMT_CALLOC(imt_tok, cap);
  if (!t)
    return NULL;
  for (;;) {
    size_t st, j;
    imt_tok_type ty;
    unsigned char c;
    while (i < n && (isspace((unsigned char)s[i]) || s[i] == '#')) {
      if (s[i] == '#') while (i < n && s[i] != '\n') i++;
      else i++;
    }
    if (k + 1 >= cap) {
      imt_tok *nt = imt_realloc(t, cap * 2 * sizeof *t);
      if (!nt) { free(t); return NULL; }
      t = nt;
      cap *= 2;
    }
    if (i >= n)
      break;
    st = i;
    c = (unsigned char)s[i];
    if (c == '<') {
      for (j = i + 1; j < n; j++) {
        unsigned char d = (unsigned char)s[j];
        if (d <= 0x20 || strchr("<>\"{}|^`\\", d)) break;
      }
      if (j < n && s[j] == '>') { ty = IMT_TOK_IRI; i = j + 1; }
      else { ty = IMT_TOK_PUNCT; i += (i + 1 < n && s[i + 1] == '=') ? 2 : 1; }
    } else if (c == '"' || c == '\'') {
      ty = IMT_TOK_STRING;
      i = scan_string(s, n, i);
    } else if ((c == '?' || c == '$') && i + 1 < n && name_char((unsigned char)s[i + 1])) {
      ty = IMT_TOK_VAR;
      for (i++; i < n && name_char((unsigned char)s[i]); i++) ;
    } else if (c == '@' && i + 1 < n && isalpha((unsigned char)s[i + 1])) {
      ty = IMT_TOK_LANGTAG;
      for (i++; i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'); i++) ;
    } else if (isdigit(c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
      ty = IMT_TOK_NUMBER;
      for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'); i++) ;
      if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        for (; i < n && isdigit((unsigned char)s[i]); i++) ;
      }
    } else if (c == '_' && i + 1 < n && s[i + 1] == ':') {
      ty = IMT_TOK_BNODE;
      for (i += 2; i < n && (name_char((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'); i++) ;
      while (i > st + 2 && s[i - 1] == '.') i--;
    } else if (name_start(c) || c == ':') {
      for (j = i; j < n && (name_char((unsigned char)s[j]) || s[j] == '-' || s[j] == '.'); j++) ;
      while (j > i && s[j - 1] == '.') j--;
      if (j < n && s[j] == ':') {
        ty = IMT_TOK_PNAME;
        for (j++; j < n && (name_char((unsigned char)s[j]) || strchr("-.:%\\", s[j])); j++)
          if (s[j] == '\\' && j + 1 < n) j++;
        while (s[j - 1] == '.') j--;
        i = j;
      } else {
        ty = IMT_TOK_WORD;
        for (i++; i < n && name_char((unsigned char)s[i]); i++) ;
      }
    } else {
      static const char *const two[] = {"^^", "&&", "||", "!=", ">=", NULL};
      ty = IMT_TOK_PUNCT;
      i++;
      for (int q = 0; two[q]; q++)
        if (i < n && s[st] == two[q][0] && s[i] == two[q][1]) { i++; break; }
    }
    t[k].type = ty;
    t[k].start = st;
    t[k].len = i - st;
    k++;
  }
  t[k].type = IMT_TOK_END;
  t[k].start = n;
  t[k].len = 0;
  *count = k;
  return t;
}

int imt_tok_is_word(const char *text, const imt_tok *t, const char *w)
{
  return t->type == IMT_TOK_WORD && strlen(w) == t->len && strncasecmp(text + t->start, w, t->len) == 0;
}

static int is_punct(const char *text, const imt_tok *t, const char *p)
{
  return t->type == IMT_TOK_PUNCT && strlen(p) == t->len && strncmp(text + t->start, p, t->len) == 0;
}

size_t imt_sparql_body_start(const char *text, const imt_tok *t, size_t n)
{
  size_t i = 0;
  while (i < n) {
    if (imt_tok_is_word(text, &t[i], "BASE") && i + 1 < n && t[i + 1].type == IMT_TOK_IRI)
      i += 2;
    else if (imt_tok_is_word(text, &t[i], "PREFIX") && i + 2 < n && t[i + 1].type == IMT_TOK_PNAME &&
             t[i + 2].type == IMT_TOK_IRI)
      i += 3;
    else
      break;
  }
  return i;
}

static void excerpt(const char *text, const imt_tok *t, size_t n, size_t i, size_t ntok, char *d, size_t dlen)
{
  size_t a, b, len;
  if (!d || !dlen)
    return;
  if (i + ntok > n) ntok = n - i;
  a = t[i].start;
  b = ntok ? t[i + ntok - 1].start + t[i + ntok - 1].len : a;
  len = b - a;
  if (len > 60) len = 60;
  if (len >= dlen) len = dlen - 1;
  /* do not cut a UTF-8 sequence in two */
  while (len && ((unsigned char)text[a + len] & 0xC0) == 0x80) len--;
  memcpy(d, text + a, len);
  d[len] = '\0';
  for (size_t k = 0; k < len; k++)
    if (d[k] == '\n' || d[k] == '\r' || d[k] == '\t') d[k] = ' ';
}

/* Rows of the VALUES block starting at token i (the VALUES keyword); -1 if malformed. */
static long values_rows(const char *text, const imt_tok *t, size_t n, size_t i)
{
  long rows = 0;
  size_t k = i + 1;
  if (k < n && t[k].type == IMT_TOK_VAR) {
    k++;
    if (k >= n || !is_punct(text, &t[k], "{")) return -1;
    for (k++; k < n && !is_punct(text, &t[k], "}"); k++) {
      if (t[k].type == IMT_TOK_LANGTAG) continue;
      if (is_punct(text, &t[k], "^^")) { k++; continue; }
      rows++;
    }
    return rows;
  }
  if (k < n && is_punct(text, &t[k], "(")) {
    while (k < n && !is_punct(text, &t[k], ")")) k++;
    k++;
    if (k >= n || !is_punct(text, &t[k], "{")) return -1;
    for (k++; k < n && !is_punct(text, &t[k], "}"); k++)
      if (is_punct(text, &t[k], "(")) rows++;
    return rows;
  }
  return -1;
}

static int iri_ish(const char *text, const imt_tok *t)
{
  return t->type == IMT_TOK_IRI || t->type == IMT_TOK_PNAME || imt_tok_is_word(text, t, "a");
}

/* Index of the token closing the parenthesis opened at token i, or n. */
static size_t close_paren(const char *text, const imt_tok *t, size_t n, size_t i)
{
  int depth = 0;
  for (size_t k = i; k < n; k++) {
    if (is_punct(text, &t[k], "(")) depth++;
    else if (is_punct(text, &t[k], ")") && --depth == 0) return k;
  }
  return n;
}

/* Rules Rasqal answers wrongly: a SELECT inside braces, a nested call in CONCAT/STRBEFORE/STRAFTER,
 * DISTINCT right after an aggregate's parenthesis. Returns the rule or -1; sets *at to the token. */
static int wrong_answer_rule(const char *text, const imt_tok *t, size_t n, size_t body, size_t *at)
{
  static const char *const string_calls[] = {"CONCAT", "STRBEFORE", "STRAFTER", NULL};
  static const char *const aggregates[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "SAMPLE", "GROUP_CONCAT", NULL};
  int braces = 0;
  for (size_t i = body; i < n; i++) {
    if (is_punct(text, &t[i], "{")) braces++;
    else if (is_punct(text, &t[i], "}")) braces--;
    else if (braces > 0 && imt_tok_is_word(text, &t[i], "SELECT")) {
      *at = i;
      return IMT_GUARD_SUBSELECT;
    }
    if (i + 1 >= n || !is_punct(text, &t[i + 1], "("))
      continue;
    for (int w = 0; string_calls[w]; w++)
      if (imt_tok_is_word(text, &t[i], string_calls[w])) {
        size_t end = close_paren(text, t, n, i + 1);
        for (size_t k = i + 2; k < end; k++)
          if (is_punct(text, &t[k], "(")) {
            *at = i;
            return IMT_GUARD_STRING_CALL_ARG;
          }
      }
    for (int w = 0; aggregates[w]; w++)
      if (imt_tok_is_word(text, &t[i], aggregates[w]) && i + 2 < n && imt_tok_is_word(text, &t[i + 2], "DISTINCT")) {
        *at = i;
        return IMT_GUARD_AGGREGATE_DISTINCT;
      }
  }
  return -1;
}

int imt_guard_text(const char *text, int parse_failed, char *detail, size_t dlen)
{
  size_t n, body;
  imt_tok *t = imt_sparql_tokenize(text, &n);
  int hit = -1;
  static const char *const update_words[] = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP",
                                             "COPY", "MOVE", "ADD", "WITH", NULL};
  if (detail && dlen) detail[0] = '\0';
  if (!t)
    return -1;
  body = imt_sparql_body_start(text, t, n);
  for (int w = 0; update_words[w] && body < n; w++)
    if (imt_tok_is_word(text, &t[body], update_words[w])) {
      excerpt(text, t, n, body, 2, detail, dlen);
      hit = IMT_GUARD_UPDATE;
      goto done;
    }
  for (size_t i = 0; i < n && hit < 0; i++) {
    if (imt_tok_is_word(text, &t[i], "SERVICE")) {
      hit = IMT_GUARD_SERVICE;
      excerpt(text, t, n, i, 3, detail, dlen);
    } else if (imt_tok_is_word(text, &t[i], "VALUES") || imt_tok_is_word(text, &t[i], "BINDINGS")) {
      if (values_rows(text, t, n, i) > 1) {
        hit = IMT_GUARD_VALUES_ROWS;
        excerpt(text, t, n, i, 6, detail, dlen);
      }
    } else if (imt_tok_is_word(text, &t[i], "GROUP_CONCAT") && i + 1 < n && is_punct(text, &t[i + 1], "(")) {
      int depth = 0;
      for (size_t k = i + 1; k < n; k++) {
        if (is_punct(text, &t[k], "(")) depth++;
        else if (is_punct(text, &t[k], ")") && --depth == 0) break;
        else if (depth == 1 && is_punct(text, &t[k], ";") && k + 1 < n &&
                 imt_tok_is_word(text, &t[k + 1], "SEPARATOR")) {
          hit = IMT_GUARD_GROUP_CONCAT_SEPARATOR;
          excerpt(text, t, n, k + 1, 3, detail, dlen);
          break;
        }
      }
    } else if (imt_tok_is_word(text, &t[i], "MINUS")) {
      hit = IMT_GUARD_MINUS;
      excerpt(text, t, n, i, 2, detail, dlen);
    } else if (imt_tok_is_word(text, &t[i], "EXISTS")) {
      hit = IMT_GUARD_EXISTS;
      excerpt(text, t, n, i > 0 && imt_tok_is_word(text, &t[i - 1], "NOT") ? i - 1 : i, 3, detail, dlen);
    }
  }
  if (hit < 0) {
    size_t at = 0;
    hit = wrong_answer_rule(text, t, n, body, &at);
    if (hit >= 0)
      excerpt(text, t, n, at, 4, detail, dlen);
  }
  if (hit < 0 && parse_failed) {
    for (size_t i = body; i + 1 < n && hit < 0; i++) {
      const imt_tok *a = &t[i], *b = &t[i + 1];
      int path = 0;
      if (iri_ish(text, a) && (is_punct(text, b, "/") || is_punct(text, b, "|") || is_punct(text, b, "*") ||
                               is_punct(text, b, "+") || is_punct(text, b, "?")))
        path = 1;
      else if (is_punct(text, a, "^") && (iri_ish(text, b) || is_punct(text, b, "(")))
        path = 1;
      else if (is_punct(text, a, "!") && (iri_ish(text, b) || is_punct(text, b, "(")) && i > 0 &&
               (t[i - 1].type == IMT_TOK_VAR || t[i - 1].type == IMT_TOK_IRI || t[i - 1].type == IMT_TOK_PNAME))
        path = 1;
      else if (is_punct(text, a, ")") && (is_punct(text, b, "*") || is_punct(text, b, "+")) && i + 2 < n &&
               (t[i + 2].type == IMT_TOK_VAR || iri_ish(text, &t[i + 2])))
        path = 1;
      if (path) {
        hit = IMT_GUARD_PROPERTY_PATH;
        excerpt(text, t, n, i, 2, detail, dlen);
      }
    }
  }
done:
  free(t);
  return hit;
}
