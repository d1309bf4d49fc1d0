/* imt_proposals.c - durable term proposals in SQLite (WAL, synchronous=FULL), their review and
 * their export as Turtle / SSSOM patches (see imt_proposals.h). */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_config.h"
#include "imt_db.h"
#include "imt_map.h"
#include "imt_proposals.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t plock = PTHREAD_MUTEX_INITIALIZER;  /* the write connection and path */
static sqlite3 *pdb;
static char *pdb_path;

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS proposals ("
  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
  " kind TEXT NOT NULL CHECK (kind IN ('concept', 'synonym', 'mapping')),"
  " concept TEXT NOT NULL DEFAULT '', concept_label TEXT NOT NULL DEFAULT '',"
  " parent TEXT NOT NULL DEFAULT '', parent_class TEXT NOT NULL DEFAULT '',"
  " label TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT '',"
  " target_system TEXT NOT NULL DEFAULT '', target_code TEXT NOT NULL DEFAULT '',"
  " predicate TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '',"
  " proposer TEXT NOT NULL DEFAULT '',"
  " status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'rejected')),"
  " reviewer TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
  " created INTEGER NOT NULL, reviewed INTEGER NOT NULL DEFAULT 0,"
  " idem_key TEXT, fingerprint TEXT NOT NULL DEFAULT '');"
  "CREATE UNIQUE INDEX IF NOT EXISTS proposals_idem ON proposals(idem_key) WHERE idem_key IS NOT NULL;"
  "CREATE INDEX IF NOT EXISTS proposals_status ON proposals(status, id);";

#define COLS "id, kind, concept, concept_label, parent, parent_class, label, lang, target_system," \
  " target_code, predicate, evidence, proposer, status, reviewer, note, created, reviewed," \
  " coalesce(idem_key, ''), fingerprint"

void imt_proposal_clear(imt_proposal *p)
{
  char **f[] = {&p->kind, &p->concept, &p->concept_label, &p->parent, &p->parent_class, &p->label,
                &p->lang, &p->target_system, &p->target_code, &p->predicate, &p->evidence, &p->proposer,
                &p->status, &p->reviewer, &p->note, &p->idem_key, &p->fingerprint};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    free(*f[i]);
  memset(p, 0, sizeof *p);
}

void imt_proposals_free(imt_proposal *v, size_t n)
{
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    imt_proposal_clear(&v[i]);
  free(v);
}

static const char *nz(const char *s) { return s ? s : ""; }

int imt_proposal_fingerprint(imt_proposal *p)
{
  const char *f[] = {p->kind, p->concept, p->parent, p->label, p->lang, p->target_system, p->target_code,
                     p->predicate, p->evidence, p->proposer};
  imt_buf b = IMT_BUF_INIT;
  char hex[40];
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    imt_buf_puts(&b, nz(f[i]));
    imt_buf_putc(&b, '\x1f');   /* unit separator: fields cannot run into each other */
  }
  if (b.oom) {
    imt_buf_free(&b);
    return IMT_ERR_NOMEM;
  }
  snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)imt_hash(b.data, b.len),
           (unsigned long long)imt_hash(b.data, b.len / 2 + 1) * 1099511628211ULL);
  imt_buf_free(&b);
  free(p->fingerprint);
  p->fingerprint = imt_strdup(hex);
  return p->fingerprint ? 0 : IMT_ERR_NOMEM;
}

void imt_proposal_concept_id(long long id, char *buf, size_t len)
{
  snprintf(buf, len, IMT_PROPOSAL_ID_PREFIX "%05lld", id);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

/* Open (or keep) the write connection for path (plock held). */
static int open_locked(const char *path, imt_error *err)
{
  if (pdb && pdb_path && !strcmp(pdb_path, path))
    return 0;
  if (pdb) {
    sqlite3_close(pdb);
    pdb = NULL;
  }
  IMT_FREE(pdb_path);
  pdb = imt_db_open(path, IMT_DB_WRITE_FULL, err);
  if (!pdb)
    return err ? err->code : IMT_ERR_IO;
  if (imt_db_exec(pdb, schema, err)) {
    sqlite3_close(pdb);
    pdb = NULL;
    return err ? err->code : IMT_ERR_IO;
  }
  pdb_path = imt_strdup(path);
  if (!pdb_path) {
    sqlite3_close(pdb);
    pdb = NULL;
    return imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
  }
  return 0;
}

int imt_proposals_open(const char *db_path, imt_error *err)
{
  int rc;
  pthread_mutex_lock(&plock);
  rc = open_locked(db_path, err);
  pthread_mutex_unlock(&plock);
  return rc;
}

void imt_proposals_close(void)
{
  pthread_mutex_lock(&plock);
  if (pdb)
    sqlite3_close(pdb);
  pdb = NULL;
  IMT_FREE(pdb_path);
  pthread_mutex_unlock(&plock);
}

int imt_proposals_start(const imt_config *cfg, struct imt_store *st, imt_error *err)
{
  (void)st;
  return imt_proposals_open(cfg->db_path, err);
}

void imt_proposals_stop(void)
{
  /* Nothing to stop: every write is committed before it returns, and the connection stays open
   * so that a reload (stop, then start with the same path) costs nothing. */
}

/* ---- rows ----------------------------------------------------------------------------------- */

/* Fill p from a row selected with COLS. Returns 0 or IMT_ERR_NOMEM. */
static int row_to_proposal(sqlite3_stmt *st, imt_proposal *p)
{
  char **f[] = {&p->kind, &p->concept, &p->concept_label, &p->parent, &p->parent_class, &p->label,
                &p->lang, &p->target_system, &p->target_code, &p->predicate, &p->evidence, &p->proposer,
                &p->status, &p->reviewer, &p->note};
  memset(p, 0, sizeof *p);
  p->id = sqlite3_column_int64(st, 0);
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    if (!(*f[i] = imt_db_col_dup(st, (int)i + 1)))
      goto oom;
  p->created = sqlite3_column_int64(st, 16);
  p->reviewed = sqlite3_column_int64(st, 17);
  if (!(p->idem_key = imt_db_col_dup(st, 18)) || !(p->fingerprint = imt_db_col_dup(st, 19)))
    goto oom;
  return 0;
oom:
  imt_proposal_clear(p);
  return IMT_ERR_NOMEM;
}

/* Error from the connection's last failure; returns the imt_err. */
static int db_fail(sqlite3 *db, const char *what, imt_error *err)
{
  int rc = sqlite3_errcode(db);
  return imt_error_set(err, rc == SQLITE_NOMEM ? IMT_ERR_NOMEM : IMT_ERR_IO, "%s failed: %s", what,
                       sqlite3_errmsg(db));
}

int imt_proposals_add(imt_proposal *p, int *result, imt_error *err)
{
  static const char ins[] =
    "INSERT INTO proposals(kind, concept, concept_label, parent, parent_class, label, lang, target_system,"
    " target_code, predicate, evidence, proposer, status, created, idem_key, fingerprint)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'proposed', ?13, ?14, ?15)";
  sqlite3_stmt *st = NULL;
  int rc = 0;
  const char *fields[] = {p->kind, p->concept, p->concept_label, p->parent, p->parent_class, p->label,
                          p->lang, p->target_system, p->target_code, p->predicate, p->evidence, p->proposer};
  *result = IMT_PROPOSAL_CREATED;
  if (!p->fingerprint && imt_proposal_fingerprint(p))
    return imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
  pthread_mutex_lock(&plock);
  if (!pdb) {
    pthread_mutex_unlock(&plock);
    return imt_error_set(err, IMT_ERR_INTERNAL, "the proposals database is not open");
  }
  if (imt_db_exec(pdb, "BEGIN IMMEDIATE", err)) {
    pthread_mutex_unlock(&plock);
    return err ? err->code : IMT_ERR_IO;
  }
  if (p->idem_key && *p->idem_key) {
    if (sqlite3_prepare_v2(pdb, "SELECT id, fingerprint, created FROM proposals WHERE idem_key = ?1", -1, &st, NULL)) {
      rc = db_fail(pdb, "looking up the idempotency key", err);
      goto rollback;
    }
    sqlite3_bind_text(st, 1, p->idem_key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char *fp = sqlite3_column_text(st, 1);
      p->id = sqlite3_column_int64(st, 0);
      p->created = sqlite3_column_int64(st, 2);
      *result = fp && !strcmp((const char *)fp, p->fingerprint) ? IMT_PROPOSAL_EXISTED : IMT_PROPOSAL_KEY_REUSED;
      sqlite3_finalize(st);
      imt_db_exec(pdb, "ROLLBACK", NULL);
      pthread_mutex_unlock(&plock);
      return 0;
    }
    sqlite3_finalize(st);
    st = NULL;
  }
  if (sqlite3_prepare_v2(pdb, ins, -1, &st, NULL)) {
    rc = db_fail(pdb, "storing the proposal", err);
    goto rollback;
  }
  for (int i = 0; i < 12; i++)
    sqlite3_bind_text(st, i + 1, nz(fields[i]), -1, SQLITE_STATIC);
  p->created = (long long)time(NULL);
  sqlite3_bind_int64(st, 13, p->created);
  if (p->idem_key && *p->idem_key)
    sqlite3_bind_text(st, 14, p->idem_key, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 14);
  sqlite3_bind_text(st, 15, p->fingerprint, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) {
    rc = db_fail(pdb, "storing the proposal", err);
    goto rollback;
  }
  sqlite3_finalize(st);
  st = NULL;
  p->id = sqlite3_last_insert_rowid(pdb);
  if (p->id > IMT_PROPOSAL_ID_MAX) {
    rc = imt_error_set(err, IMT_ERR_LIMIT, "the proposal id range (1-%lld) is exhausted", IMT_PROPOSAL_ID_MAX);
    goto rollback;
  }
  /* synchronous=FULL in WAL: the WAL is fsynced before COMMIT returns */
  if (imt_db_exec(pdb, "COMMIT", err)) {
    rc = err ? err->code : IMT_ERR_IO;
    goto rollback;
  }
  pthread_mutex_unlock(&plock);
  free(p->status);
  p->status = imt_strdup("proposed");
  return 0;
rollback:
  sqlite3_finalize(st);
  imt_db_exec(pdb, "ROLLBACK", NULL);
  pthread_mutex_unlock(&plock);
  p->id = 0;
  return rc ? rc : IMT_ERR_IO;
}

/* Read one proposal by id on connection db into *out. Returns 0, IMT_ERR_NOTFOUND or an error. */
static int get_on(sqlite3 *db, long long id, imt_proposal *out, imt_error *err)
{
  sqlite3_stmt *st = NULL;
  int rc;
  if (sqlite3_prepare_v2(db, "SELECT " COLS " FROM proposals WHERE id = ?1", -1, &st, NULL))
    return db_fail(db, "reading the proposal", err);
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    rc = row_to_proposal(st, out) ? imt_error_set(err, IMT_ERR_NOMEM, "out of memory") : 0;
  else if (rc == SQLITE_DONE)
    rc = imt_error_set(err, IMT_ERR_NOTFOUND, "no proposal %lld", id);
  else
    rc = db_fail(db, "reading the proposal", err);
  sqlite3_finalize(st);
  return rc;
}

int imt_proposals_review(long long id, const char *status, const char *reviewer, const char *note,
                         imt_proposal *out, imt_error *err)
{
  sqlite3_stmt *st = NULL;
  int rc = 0;
  memset(out, 0, sizeof *out);
  if (!status || (strcmp(status, "accepted") && strcmp(status, "rejected") && strcmp(status, "proposed")))
    return imt_error_set(err, IMT_ERR_INVALID, "status must be accepted, rejected or proposed");
  pthread_mutex_lock(&plock);
  if (!pdb) {
    pthread_mutex_unlock(&plock);
    return imt_error_set(err, IMT_ERR_INTERNAL, "the proposals database is not open");
  }
  if (imt_db_exec(pdb, "BEGIN IMMEDIATE", err)) {
    pthread_mutex_unlock(&plock);
    return err ? err->code : IMT_ERR_IO;
  }
  if (sqlite3_prepare_v2(pdb, "UPDATE proposals SET status = ?1, reviewer = ?2, note = ?3, reviewed = ?4 WHERE id = ?5",
                         -1, &st, NULL)) {
    rc = db_fail(pdb, "reviewing the proposal", err);
    goto rollback;
  }
  sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, nz(reviewer), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, nz(note), -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, strcmp(status, "proposed") ? (long long)time(NULL) : 0);
  sqlite3_bind_int64(st, 5, id);
  if (sqlite3_step(st) != SQLITE_DONE) {
    rc = db_fail(pdb, "reviewing the proposal", err);
    goto rollback;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (sqlite3_changes(pdb) == 0) {
    rc = imt_error_set(err, IMT_ERR_NOTFOUND, "no proposal %lld", id);
    goto rollback;
  }
  if ((rc = get_on(pdb, id, out, err)) != 0)
    goto rollback;
  if (imt_db_exec(pdb, "COMMIT", err)) {
    rc = err ? err->code : IMT_ERR_IO;
    imt_proposal_clear(out);
    goto rollback;
  }
  pthread_mutex_unlock(&plock);
  return 0;
rollback:
  sqlite3_finalize(st);
  imt_db_exec(pdb, "ROLLBACK", NULL);
  pthread_mutex_unlock(&plock);
  return rc ? rc : IMT_ERR_IO;
}

/* ---- reading -------------------------------------------------------------------------------- */

/* A read-only connection to db_path (NULL: the open database). NULL with err set, or with
 * *absent = 1 when the file does not exist yet (no proposals). */
static sqlite3 *open_read(const char *db_path, int *absent, imt_error *err)
{
  char path[4096];
  FILE *f;
  *absent = 0;
  if (!db_path) {
    pthread_mutex_lock(&plock);
    snprintf(path, sizeof path, "%s", pdb_path ? pdb_path : "");
    pthread_mutex_unlock(&plock);
    if (!*path) {
      imt_error_set(err, IMT_ERR_INTERNAL, "the proposals database is not open");
      return NULL;
    }
    db_path = path;
  }
  f = fopen(db_path, "rb");
  if (!f) {
    if (errno == ENOENT)
      *absent = 1;
    else
      imt_error_set(err, IMT_ERR_IO, "%s: %s", db_path, strerror(errno));
    return NULL;
  }
  fclose(f);
  return imt_db_open(db_path, IMT_DB_READ, err);
}

/* 1 if the connection's last error says the proposals table does not exist. */
static int no_table(sqlite3 *db)
{
  return strstr(sqlite3_errmsg(db), "no such table") != NULL;
}

int imt_proposals_get(const char *db_path, long long id, imt_proposal *out, imt_error *err)
{
  int absent, rc;
  sqlite3 *db = open_read(db_path, &absent, err);
  memset(out, 0, sizeof *out);
  if (!db)
    return absent ? imt_error_set(err, IMT_ERR_NOTFOUND, "no proposal %lld", id) : (err ? err->code : IMT_ERR_IO);
  rc = get_on(db, id, out, err);
  if (rc && no_table(db))
    rc = imt_error_set(err, IMT_ERR_NOTFOUND, "no proposal %lld", id);
  sqlite3_close(db);
  return rc;
}

int imt_proposals_list(const char *db_path, const imt_proposal_query *q, imt_proposal **out, size_t *n,
                       long long *total, imt_error *err)
{
  static const char where[] =
    " FROM proposals WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR kind = ?2)"
    " AND (?3 = '' OR concept = ?3 OR parent = ?3) AND created >= ?4";
  char sql[1024];
  sqlite3_stmt *st = NULL;
  imt_proposal *v = NULL;
  size_t nv = 0, cap = 0;
  int absent, rc = 0;
  sqlite3 *db = open_read(db_path, &absent, err);
  *out = NULL;
  *n = 0;
  *total = 0;
  if (!db)
    return absent ? 0 : (err ? err->code : IMT_ERR_IO);
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 0)
      snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
    else
      snprintf(sql, sizeof sql, "SELECT " COLS "%s ORDER BY id DESC LIMIT ?5 OFFSET ?6", where);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
      rc = no_table(db) ? 0 : db_fail(db, "listing proposals", err);
      goto done;
    }
    sqlite3_bind_text(st, 1, q ? nz(q->status) : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, q ? nz(q->kind) : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, q ? nz(q->concept) : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, q ? q->since : 0);
    if (pass == 1) {
      sqlite3_bind_int64(st, 5, q && q->limit > 0 ? q->limit : 100);
      sqlite3_bind_int64(st, 6, q && q->offset > 0 ? q->offset : 0);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (pass == 0) {
        *total = sqlite3_column_int64(st, 0);
        continue;
      }
      if (nv == cap) {
        size_t nc = cap ? cap * 2 : 16;
        imt_proposal *t = imt_realloc(v, nc * sizeof *v);
        if (!t) { rc = SQLITE_NOMEM; break; }
        v = t;
        cap = nc;
      }
      if (row_to_proposal(st, &v[nv])) { rc = SQLITE_NOMEM; break; }
      nv++;
    }
    if (rc != SQLITE_DONE) {
      rc = rc == SQLITE_NOMEM ? (int)imt_error_set(err, IMT_ERR_NOMEM, "out of memory") : db_fail(db, "listing proposals", err);
      goto done;
    }
    rc = 0;
    sqlite3_finalize(st);
    st = NULL;
  }
done:
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rc) {
    imt_proposals_free(v, nv);
    return rc;
  }
  *out = v;
  *n = nv;
  return 0;
}

/* ---- export --------------------------------------------------------------------------------- */

/* Turtle string literal body: escapes \ " and control characters. */
static void ttl_string(imt_buf *b, const char *s)
{
  imt_buf_putc(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      imt_buf_putc(b, '\\');
      imt_buf_putc(b, (char)c);
    } else if (c == '\n')
      imt_buf_puts(b, "\\n");
    else if (c == '\r')
      imt_buf_puts(b, "\\r");
    else if (c == '\t')
      imt_buf_puts(b, "\\t");
    else if (c < 0x20 || c == 0x7f)
      imt_buf_printf(b, "\\u%04X", c);
    else
      imt_buf_putc(b, (char)c);
  }
  imt_buf_putc(b, '"');
}

/* A one-line rendering for comments and TSV cells: control characters become spaces. */
static void flat(imt_buf *b, const char *s)
{
  for (; *s; s++)
    imt_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

/* The provenance line of a proposal, e.g. "proposal 12 (synonym) by alice; evidence: ...". */
static void provenance(imt_buf *b, const imt_proposal *p)
{
  imt_buf_printf(b, "imterm proposal %lld (%s)", p->id, p->kind);
  if (*p->proposer) { imt_buf_puts(b, " by "); flat(b, p->proposer); }
  if (*p->reviewer) { imt_buf_puts(b, ", accepted by "); flat(b, p->reviewer); }
  if (*p->evidence) { imt_buf_puts(b, "; evidence: "); flat(b, p->evidence); }
  if (*p->note) { imt_buf_puts(b, "; note: "); flat(b, p->note); }
}

/* 1 if s is a local concept id usable in a CURIE (IMT + digits). */
static int local_id_ok(const char *s)
{
  if (strncmp(s, "IMT", 3) || !s[3])
    return 0;
  for (s += 3; *s; s++)
    if (*s < '0' || *s > '9')
      return 0;
  return 1;
}

/* Today's UTC date as YYYY-MM-DD (export headers). */
static void today(char *date, size_t len)
{
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, len, "%Y-%m-%d", &tm);
}

static void export_ttl(imt_buf *b, const imt_proposal *v, size_t n, size_t *count)
{
  char date[16];
  today(date, sizeof date);
  imt_buf_printf(b,
    "# imterm proposals: accepted proposals as a Turtle patch for ontologies/ (%s).\n"
    "# New concepts carry ids of the reserved range IMT0900000-IMT0999999 (IMT09 + proposal id);\n"
    "# give each its final id in its domain range and complete the prefLabel in the other\n"
    "# language and the definitions before merging (see docs/curation.md).\n"
    "@prefix imtv:   <https://w3id.org/imterm/> .\n"
    "@prefix imt:    <https://w3id.org/imterm/concept/> .\n"
    "@prefix imto:   <https://w3id.org/imterm/ontology#> .\n"
    "@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .\n\n", date);
  for (size_t i = 0; i < n; i++) {
    const imt_proposal *p = &v[i];
    const char *lang = *p->lang ? p->lang : "en";
    if (!strcmp(p->kind, "concept") && local_id_ok(p->parent)) {
      char id[24];
      imt_proposal_concept_id(p->id, id, sizeof id);
      imt_buf_puts(b, "# ");
      provenance(b, p);
      imt_buf_printf(b, "\nimt:%s a skos:Concept, imto:%s ;\n    skos:inScheme imtv:scheme ;\n    %s ",
                     id, *p->parent_class ? p->parent_class : "Finding",
                     !strcmp(lang, "zh-Hant") ? "skos:hiddenLabel" : "skos:prefLabel");
      ttl_string(b, p->label);
      imt_buf_printf(b, "@%s ;\n    skos:broader imt:%s .\n\n", lang, p->parent);
      ++*count;
    } else if (!strcmp(p->kind, "synonym") && local_id_ok(p->concept)) {
      imt_buf_puts(b, "# ");
      provenance(b, p);
      /* traditional forms are hidden labels only (ontologies/README.md) */
      imt_buf_printf(b, "\nimt:%s %s ", p->concept, !strcmp(lang, "zh-Hant") ? "skos:hiddenLabel" : "skos:altLabel");
      ttl_string(b, p->label);
      imt_buf_printf(b, "@%s .\n\n", lang);
      ++*count;
    }
  }
}

static void export_sssom(imt_buf *b, const imt_proposal *v, size_t n, size_t *count)
{
  char date[16];
  today(date, sizeof date);
  imt_buf_printf(b,
    "# curie_map:\n"
    "#   imt: https://w3id.org/imterm/concept/\n"
    "#   skos: http://www.w3.org/2004/02/skos/core#\n"
    "#   semapv: https://w3id.org/semapv/vocab/\n"
    "#   RADLEX: http://radlex.org/RID/\n"
    "#   SCT: http://snomed.info/id/\n"
    "#   NCIT: http://purl.obolibrary.org/obo/NCIT_\n"
    "#   DCM: http://dicom.nema.org/resources/ontology/DCM/\n"
    "# mapping_set_id: https://w3id.org/imterm/mappings/proposals\n"
    "# mapping_set_title: imterm accepted mapping proposals (patch)\n"
    "# license: https://creativecommons.org/licenses/by/4.0/\n"
    "# mapping_date: %s\n"
    "# creator_id:\n"
    "#   - https://w3id.org/imterm/curators\n"
    "# comment: Rows to merge into the mappings/ file of each target after checking every code\n"
    "#   against ../shared/reference (see docs/curation.md).\n"
    "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification\tcomment\n", date);
  for (size_t i = 0; i < n; i++) {
    const imt_proposal *p = &v[i];
    if (strcmp(p->kind, "mapping") || !local_id_ok(p->concept))
      continue;
    imt_buf_printf(b, "imt:%s\t", p->concept);
    flat(b, p->concept_label);
    imt_buf_printf(b, "\t%s\t", *p->predicate ? p->predicate : "skos:exactMatch");
    flat(b, p->target_system);
    imt_buf_putc(b, ':');
    flat(b, p->target_code);
    imt_buf_putc(b, '\t');
    flat(b, p->label);
    imt_buf_puts(b, "\tsemapv:ManualMappingCuration\t");
    provenance(b, p);
    imt_buf_putc(b, '\n');
    ++*count;
  }
}

int imt_proposals_export(const char *db_path, const char *format, FILE *f, size_t *count, imt_error *err)
{
  imt_proposal_query q = {"accepted", NULL, NULL, 0, 0, 0};
  imt_proposal *v = NULL;
  size_t n = 0;
  long long total = 0;
  imt_buf b = IMT_BUF_INIT;
  int rc;
  *count = 0;
  if (!format || (strcmp(format, "ttl") && strcmp(format, "sssom")))
    return imt_error_set(err, IMT_ERR_INVALID, "unknown export format '%s': use ttl or sssom", format ? format : "");
  q.limit = IMT_PROPOSAL_ID_MAX;
  if ((rc = imt_proposals_list(db_path, &q, &v, &n, &total, err)) != 0)
    return rc;
  /* oldest first: ids and rows in the order they were proposed */
  for (size_t i = 0; i < n / 2; i++) {
    imt_proposal t = v[i];
    v[i] = v[n - 1 - i];
    v[n - 1 - i] = t;
  }
  if (!strcmp(format, "ttl"))
    export_ttl(&b, v, n, count);
  else
    export_sssom(&b, v, n, count);
  imt_proposals_free(v, n);
  if (b.oom) {
    imt_buf_free(&b);
    return imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
  }
  if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f)) {
    imt_buf_free(&b);
    return imt_error_set(err, IMT_ERR_IO, "writing the export failed: %s", strerror(errno));
  }
  imt_buf_free(&b);
  return 0;
}
