/* imt_sparql_guard.h - what the SPARQL endpoint refuses, and why, as ONE table (docs/sparql.md
 * repeats it), plus a small SPARQL tokenizer for the checks Rasqal cannot do for us (constructs it
 * rejects with a bare parse error, or accepts and then crashes on or answers wrongly).
 * The structural checks on a parsed query (SERVICE at any nesting, FROM/FROM NAMED, update verbs)
 * live in imt_query.c, next to the Rasqal query they walk; they report through the same table. */
#ifndef IMT_SPARQL_GUARD_H
#define IMT_SPARQL_GUARD_H

#include <stddef.h>

/* The graph name under which the service holds its data: FROM / default-graph-uri may name it
 * (or nothing); anything else is data the service does not hold. */
#define IMT_SPARQL_DEFAULT_GRAPH "https://w3id.org/imterm/graph"

typedef enum imt_guard_id {
  IMT_GUARD_SERVICE = 0,
  IMT_GUARD_FROM,
  IMT_GUARD_FROM_NAMED,
  IMT_GUARD_UPDATE,
  IMT_GUARD_VALUES_ROWS,
  IMT_GUARD_GROUP_CONCAT_SEPARATOR,
  IMT_GUARD_PROPERTY_PATH,
  IMT_GUARD_EXISTS,
  IMT_GUARD_MINUS,
  IMT_GUARD_SUBSELECT,
  IMT_GUARD_STRING_CALL_ARG,
  IMT_GUARD_AGGREGATE_DISTINCT,
  IMT_GUARD_COUNT
} imt_guard_id;

typedef struct imt_guard_rule {
  imt_guard_id id;
  const char *code;        /* stable error code sent as "error" */
  const char *feature;     /* what the user wrote */
  const char *why;         /* why it is refused */
  const char *workaround;  /* what to write instead */
} imt_guard_rule;

/* The table, indexed by imt_guard_id. */
extern const imt_guard_rule imt_guard_rules[IMT_GUARD_COUNT];

/* Format the 400 message for a rule into buf: "<feature> is refused: <why>. <workaround>". */
void imt_guard_message(imt_guard_id id, const char *detail, char *buf, size_t len);

/* ---- tokenizer ------------------------------------------------------------------------------ */
typedef enum imt_tok_type {
  IMT_TOK_END = 0,
  IMT_TOK_IRI,      /* <...> */
  IMT_TOK_PNAME,    /* prefix:local (or prefix:) */
  IMT_TOK_VAR,      /* ?x or $x */
  IMT_TOK_STRING,   /* any quoted form */
  IMT_TOK_LANGTAG,  /* @en */
  IMT_TOK_NUMBER,
  IMT_TOK_WORD,     /* keyword or bare name (a, SELECT, true, ...) */
  IMT_TOK_BNODE,    /* _:b */
  IMT_TOK_PUNCT     /* one character, or "^^", "&&", "||", "!=", "<=", ">=" */
} imt_tok_type;

typedef struct imt_tok {
  imt_tok_type type;
  size_t start, len;  /* byte span in the query text */
} imt_tok;

/* Tokenize text into a new array (caller frees), ended by an IMT_TOK_END token; *n receives the
 * count without the end token. NULL on out of memory. Never fails on bad input: an unterminated
 * string or IRI runs to the end of the text. */
imt_tok *imt_sparql_tokenize(const char *text, size_t *n);

/* 1 if token t of text is the word w (case-insensitive). */
int imt_tok_is_word(const char *text, const imt_tok *t, const char *w);

/* Textual checks, run on every query before Rasqal parses it. parse_failed says whether Rasqal
 * rejected the query (property paths and EXISTS are only reported then, so that arithmetic such as
 * `?a / 2` is never mistaken for a path). Returns the rule hit or -1; detail (may be NULL) gets a
 * short excerpt of the offending text. */
int imt_guard_text(const char *text, int parse_failed, char *detail, size_t dlen);

/* Index of the first token after the prologue (BASE/PREFIX declarations), or the end token. */
size_t imt_sparql_body_start(const char *text, const imt_tok *toks, size_t n);

#endif
