/* h_curation.c - the curation endpoints: the miss log (GET /api/misses) and term proposals
 * (POST/GET /api/proposals, GET/PATCH /api/proposals/{id}, GET /api/proposals/export).
 * Storage is behind imt_misslog.h and imt_proposals.h; this file validates input against the
 * snapshot, checks the curator token and renders JSON. docs/curation.md describes the contract. */
#include "config.h"
#include "imt.h"
#include "imt_auth.h"
#include "imt_buf.h"
#include "imt_config.h"
#include "imt_http.h"
#include "imt_misslog.h"
#include "imt_proposals.h"
#include "imt_systems.h"
#include "imt_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LABEL_MAX_CHARS 200
#define EVIDENCE_MAX_CHARS 2000
#define NAME_MAX_CHARS 200
#define NOTE_MAX_CHARS 2000
#define CODE_MAX_BYTES 64
#define REF_MAX_BYTES 512
#define IDEM_MAX_BYTES 200

/* ---- small helpers -------------------------------------------------------------------------- */

/* Number of code points in valid UTF-8 s. */
static size_t utf8_chars(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* 1 if s has a control character (C0, DEL) other than those allowed by allow_newlines. */
static int has_control(const char *s, int allow_newlines)
{
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c < 0x20 || c == 0x7f) && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
      return 1;
  }
  return 0;
}

/* Render Unix seconds as ISO 8601 UTC into buf. */
static void iso_time(long long t, char *buf, size_t len)
{
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* 1 if lang is a language tag of the vocabulary. */
static int lang_ok(const char *lang)
{
  return !strcmp(lang, "zh") || !strcmp(lang, "en") || !strcmp(lang, "zh-Hant");
}

/* Check the curator token; replies 403/401 and returns 0 when the request may not write. */
static int authorized(imt_req *rq)
{
  const imt_config *cfg = imt_server_config(imt_req_server(rq));
  switch (imt_auth_bearer(cfg->curator_token, imt_req_header(rq, "Authorization"))) {
  case IMT_AUTH_OK:
    return 1;
  case IMT_AUTH_DISABLED:
    imt_reply_error(rq, 403, "curation_disabled",
                    "curation writes are disabled on this server: set the IMTERM_CURATOR_TOKEN environment "
                    "variable or curator_token in the config file, then send 'Authorization: Bearer TOKEN'");
    return 0;
  case IMT_AUTH_MISSING:
    imt_reply_header(rq, "WWW-Authenticate", "Bearer realm=\"imterm curation\"");
    imt_reply_error(rq, 401, "unauthorized", "this endpoint needs the header 'Authorization: Bearer TOKEN' "
                    "with the curator token");
    return 0;
  default:
    imt_reply_header(rq, "WWW-Authenticate", "Bearer realm=\"imterm curation\", error=\"invalid_token\"");
    imt_reply_error(rq, 401, "unauthorized", "the bearer token is not the curator token");
    return 0;
  }
}

/* Parse the request body as a JSON object; replies 400 and returns NULL when it is not one.
 * The caller deletes the result. */
static cJSON *body_object(imt_req *rq)
{
  size_t len;
  const char *body = imt_req_body(rq, &len);
  cJSON *j;
  if (!len) {
    imt_reply_error(rq, 400, "bad_json", "the request body must be a JSON object");
    return NULL;
  }
  if (!imt_utf8_valid(body, len)) {
    imt_reply_error(rq, 400, "bad_json", "the request body is not valid UTF-8");
    return NULL;
  }
  j = cJSON_ParseWithLength(body, len);
  if (!j || !cJSON_IsObject(j)) {
    cJSON_Delete(j);
    imt_reply_error(rq, 400, "bad_json", "the request body must be a JSON object");
    return NULL;
  }
  return j;
}

/* Fetch an optional string member; returns 1 with *out (borrowed, "" when absent or null), or
 * replies 400 naming the field and returns 0. max_chars bounds its length in characters. */
static int str_field(imt_req *rq, const cJSON *obj, const char *name, const char *path, size_t max_chars,
                     int allow_newlines, const char **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
  *out = "";
  if (!v || cJSON_IsNull(v))
    return 1;
  if (!cJSON_IsString(v) || !v->valuestring) {
    imt_reply_error(rq, 400, "invalid_field", "field '%s' must be a string", path);
    return 0;
  }
  if (utf8_chars(v->valuestring) > max_chars) {
    imt_reply_error(rq, 400, "invalid_field", "field '%s' is longer than %zu characters", path, max_chars);
    return 0;
  }
  if (has_control(v->valuestring, allow_newlines)) {
    imt_reply_error(rq, 400, "invalid_field", "field '%s' contains control characters", path);
    return 0;
  }
  *out = v->valuestring;
  return 1;
}

/* Reject members of obj not in allowed (NULL-terminated); replies 400 and returns 0. */
static int only_fields(imt_req *rq, const cJSON *obj, const char *const *allowed, const char *prefix)
{
  for (const cJSON *c = obj->child; c; c = c->next) {
    int ok = 0;
    for (const char *const *a = allowed; *a && !ok; a++)
      ok = c->string && !strcmp(c->string, *a);
    if (!ok) {
      imt_reply_error(rq, 400, "invalid_field", "unknown field '%s%s'", prefix, c->string ? c->string : "");
      return 0;
    }
  }
  return 1;
}

/* 1 if s, after trimming, is empty. */
static int blank(const char *s)
{
  for (; *s; s++)
    if (!isspace((unsigned char)*s))
      return 0;
  return 1;
}

/* Resolve a concept reference to exactly one concept; replies 400 naming the field otherwise. */
static const imt_concept *resolve_field(imt_req *rq, const imt_snapshot *s, const char *field, const char *ref)
{
  const uint32_t *idx;
  uint32_t n;
  if (blank(ref)) {
    imt_reply_error(rq, 400, "invalid_field", "field '%s' is required for this kind of proposal", field);
    return NULL;
  }
  if (strlen(ref) > REF_MAX_BYTES) {
    imt_reply_error(rq, 400, "invalid_field", "field '%s' is longer than %d bytes", field, REF_MAX_BYTES);
    return NULL;
  }
  n = imt_snapshot_resolve(s, ref, &idx);
  if (n == 0) {
    imt_reply_error(rq, 400, "invalid_field", "field '%s': no concept '%s' in the vocabulary", field, ref);
    return NULL;
  }
  if (n > 1) {
    imt_reply_error(rq, 400, "invalid_field", "field '%s': '%s' names %u concepts; use an imterm id", field, ref, n);
    return NULL;
  }
  return &s->concepts[idx[0]];
}

static const char *class_name(uint8_t kind)
{
  switch (kind) {
  case IMT_KIND_GROUPING: return "Grouping";
  case IMT_KIND_FINDING: return "Finding";
  case IMT_KIND_SIGN: return "Sign";
  case IMT_KIND_DESCRIPTOR: return "Descriptor";
  case IMT_KIND_CATEGORY: return "AssessmentCategory";
  default: return "";
  }
}

/* The concept (other than skip, may be NULL) that already has label in lang, or NULL. Compares
 * folded forms, as matching does. only: look at this concept only. */
static const imt_concept *label_owner(const imt_snapshot *s, const imt_concept *only, const char *label,
                                      const char *lang, int *oom)
{
  char *key = imt_text_key(label);
  const imt_concept *found = NULL;
  *oom = !key;
  if (!key)
    return NULL;
  for (uint32_t i = only ? only->idx : 0; i < s->n_concepts && !found; i++) {
    const imt_concept *c = &s->concepts[i];
    for (uint32_t l = 0; l < c->n_labels && !found; l++) {
      char *k;
      if (strcmp(c->labels[l].lang_tag, lang) && !(only && !strncmp(lang, "zh", 2) && !strncmp(c->labels[l].lang_tag, "zh", 2)))
        continue;
      k = imt_text_key(c->labels[l].text);
      if (!k) { *oom = 1; break; }
      if (!strcmp(k, key))
        found = c;
      free(k);
    }
    if (only)
      break;
  }
  free(key);
  return found;
}

/* JSON of a stored proposal; NULL on OOM. */
static cJSON *render_proposal(const imt_proposal *p)
{
  cJSON *j = cJSON_CreateObject();
  char t[32];
  if (!j)
    return NULL;
  cJSON_AddNumberToObject(j, "id", (double)p->id);
  cJSON_AddStringToObject(j, "kind", p->kind);
  cJSON_AddStringToObject(j, "status", p->status);
  if (!strcmp(p->kind, "concept")) {
    char id[24];
    imt_proposal_concept_id(p->id, id, sizeof id);
    cJSON_AddStringToObject(j, "parent", p->parent);
    cJSON_AddStringToObject(j, "exportId", id);
  } else {
    cJSON_AddStringToObject(j, "concept", p->concept);
    cJSON_AddStringToObject(j, "conceptLabel", p->concept_label);
  }
  cJSON_AddStringToObject(j, "label", p->label);
  cJSON_AddStringToObject(j, "lang", p->lang);
  if (!strcmp(p->kind, "mapping")) {
    cJSON *tg = cJSON_AddObjectToObject(j, "target");
    if (tg) {
      cJSON_AddStringToObject(tg, "system", p->target_system);
      cJSON_AddStringToObject(tg, "code", p->target_code);
    }
    cJSON_AddStringToObject(j, "predicate", p->predicate);
  }
  cJSON_AddStringToObject(j, "evidence", p->evidence);
  cJSON_AddStringToObject(j, "proposer", p->proposer);
  iso_time(p->created, t, sizeof t);
  cJSON_AddStringToObject(j, "created", t);
  if (p->reviewed) {
    iso_time(p->reviewed, t, sizeof t);
    cJSON_AddStringToObject(j, "reviewed", t);
  } else
    cJSON_AddNullToObject(j, "reviewed");
  cJSON_AddStringToObject(j, "reviewer", p->reviewer);
  cJSON_AddStringToObject(j, "note", p->note);
  return j;
}

/* Status for a service error code. */
static int status_of(int code)
{
  return code == IMT_ERR_NOMEM ? 503 : code == IMT_ERR_NOTFOUND ? 404 : code == IMT_ERR_LIMIT ? 507 : 500;
}

/* Parse {id} as a positive integer; replies 400/404 and returns -1 when it is not one. */
static long long id_param(imt_req *rq)
{
  const char *s = imt_req_param(rq, "id");
  char *end;
  long long id;
  if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 12) {
    imt_reply_error(rq, 404, "not_found", "no proposal '%s': ids are positive integers", s ? s : "");
    return -1;
  }
  id = strtoll(s, &end, 10);
  if (id <= 0) {
    imt_reply_error(rq, 404, "not_found", "no proposal '%s'", s);
    return -1;
  }
  return id;
}

/* A failed proposal-store call as its JSON error: 404 not_found or the store's status. */
static void reply_store_error(imt_req *rq, const imt_error *err)
{
  imt_reply_error(rq, status_of(err->code), err->code == IMT_ERR_NOTFOUND ? "not_found" : "database_error", "%s",
                  err->message);
}

/* 200 with one proposal; clears p. */
static void reply_proposal(imt_req *rq, imt_proposal *p)
{
  cJSON *j = render_proposal(p);
  imt_proposal_clear(p);
  if (!j)
    imt_reply_oom(rq);
  else
    imt_reply_json(rq, 200, j);
}

/* ---- GET /api/misses ------------------------------------------------------------------------ */

static void h_misses(imt_req *rq)
{
  imt_miss_query q = {0, NULL, NULL, 50};
  imt_miss *v = NULL;
  size_t n = 0;
  imt_error err = {0};
  const char *since = imt_req_query(rq, "since"), *lang = imt_req_query(rq, "lang");
  const char *endpoint = imt_req_query(rq, "endpoint");
  imt_misslog_stats stats;
  cJSON *j, *arr, *log;
  if (imt_req_query_invalid(rq)) {
    imt_reply_error(rq, 400, "bad_query", "a query parameter is not valid percent-encoded UTF-8");
    return;
  }
  if (since && *since && imt_time_parse(since, &q.since)) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'since' must be a date (2026-01-31), a UTC time "
                    "(2026-01-31T08:00:00Z) or Unix seconds");
    return;
  }
  if (lang && *lang && !lang_ok(lang)) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'lang' must be zh, en or zh-Hant");
    return;
  }
  if (endpoint && *endpoint && strspn(endpoint, "abcdefghijklmnopqrstuvwxyz_-") != strlen(endpoint)) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'endpoint' must be an endpoint name such as search");
    return;
  }
  if (imt_req_uint(rq, "limit", 50, 1, 1000, &q.limit)) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'limit' must be an integer from 1 to 1000");
    return;
  }
  q.lang = lang;
  q.endpoint = endpoint;
  if (imt_misslog_top(NULL, &q, &v, &n, &err)) {
    if (err.code == IMT_ERR_NOTFOUND) {
      imt_reply_error(rq, 503, "misslog_off", "%s", err.message);
      return;
    }
    imt_reply_error(rq, status_of(err.code), "database_error", "%s", err.message);
    return;
  }
  j = cJSON_CreateObject();
  arr = j ? cJSON_AddArrayToObject(j, "misses") : NULL;
  for (size_t i = 0; arr && i < n; i++) {
    cJSON *m = cJSON_CreateObject(), *eps;
    char t[32];
    char *save = NULL, *tok;
    if (!m || !cJSON_AddItemToArray(arr, m)) { cJSON_Delete(m); arr = NULL; break; }
    cJSON_AddStringToObject(m, "term", v[i].term);
    cJSON_AddStringToObject(m, "lang", v[i].lang);
    cJSON_AddNumberToObject(m, "count", (double)v[i].count);
    iso_time(v[i].first_seen, t, sizeof t);
    cJSON_AddStringToObject(m, "firstSeen", t);
    iso_time(v[i].last_seen, t, sizeof t);
    cJSON_AddStringToObject(m, "lastSeen", t);
    eps = cJSON_AddArrayToObject(m, "endpoints");
    for (tok = strtok_r(v[i].endpoints, ",", &save); eps && tok; tok = strtok_r(NULL, ",", &save))
      cJSON_AddItemToArray(eps, cJSON_CreateString(tok));
    cJSON_AddStringToObject(m, "context", v[i].context);
  }
  imt_misses_free(v, n);
  if (!arr) {
    cJSON_Delete(j);
    imt_reply_oom(rq);
    return;
  }
  cJSON_AddNumberToObject(j, "count", (double)n);
  imt_misslog_get_stats(&stats);
  log = cJSON_AddObjectToObject(j, "log");
  if (log) {
    cJSON_AddBoolToObject(log, "enabled", imt_misslog_enabled());
    cJSON_AddNumberToObject(log, "recorded", (double)stats.recorded);
    cJSON_AddNumberToObject(log, "dropped", (double)stats.dropped);
    cJSON_AddNumberToObject(log, "written", (double)stats.written);
    cJSON_AddNumberToObject(log, "writerCpuSeconds", stats.writer_cpu);
  }
  imt_reply_json(rq, 200, j);
}

/* ---- POST /api/proposals -------------------------------------------------------------------- */

/* Validate the proposal in obj against the snapshot and fill p (strings owned by p). Replies 4xx
 * and returns non-zero when it is not valid. */
static int validate_proposal(imt_req *rq, const cJSON *obj, imt_proposal *p)
{
  static const char *const allowed[] = {"kind", "concept", "label", "lang", "parent", "target", "evidence",
                                         "proposer", "predicate", NULL};
  static const char *const target_allowed[] = {"system", "code", NULL};
  const imt_snapshot *s = imt_req_snapshot(rq);
  const char *kind, *concept, *label, *lang, *parent, *evidence, *proposer, *predicate;
  const char *system = "", *code = "";
  const imt_concept *c = NULL, *par = NULL;
  const imt_system *sys = NULL;
  const cJSON *target;
  int is_concept, is_synonym, is_mapping, oom;

  if (!only_fields(rq, obj, allowed, ""))
    return 1;
  if (!str_field(rq, obj, "kind", "kind", 16, 0, &kind) || !str_field(rq, obj, "concept", "concept", REF_MAX_BYTES, 0, &concept) ||
      !str_field(rq, obj, "label", "label", LABEL_MAX_CHARS, 0, &label) || !str_field(rq, obj, "lang", "lang", 16, 0, &lang) ||
      !str_field(rq, obj, "parent", "parent", REF_MAX_BYTES, 0, &parent) ||
      !str_field(rq, obj, "evidence", "evidence", EVIDENCE_MAX_CHARS, 1, &evidence) ||
      !str_field(rq, obj, "proposer", "proposer", NAME_MAX_CHARS, 0, &proposer) ||
      !str_field(rq, obj, "predicate", "predicate", 32, 0, &predicate))
    return 1;
  is_concept = !strcmp(kind, "concept");
  is_synonym = !strcmp(kind, "synonym");
  is_mapping = !strcmp(kind, "mapping");
  if (!is_concept && !is_synonym && !is_mapping) {
    imt_reply_error(rq, 400, "invalid_field", "field 'kind' must be one of concept, synonym, mapping");
    return 1;
  }
  /* required fields by kind */
  if (is_concept) {
    if (*concept) {
      imt_reply_error(rq, 400, "invalid_field", "field 'concept' is not used by a concept proposal; give 'parent'");
      return 1;
    }
    if (!(par = resolve_field(rq, s, "parent", parent)))
      return 1;
  } else {
    if (*parent) {
      imt_reply_error(rq, 400, "invalid_field", "field 'parent' is only used by a concept proposal");
      return 1;
    }
    if (!(c = resolve_field(rq, s, "concept", concept)))
      return 1;
    if (c->deprecated) {
      imt_reply_error(rq, 400, "invalid_field", "field 'concept': %s is deprecated%s%s", c->id,
                      c->replaced_by >= 0 ? "; use its replacement " : "",
                      c->replaced_by >= 0 ? s->concepts[c->replaced_by].id : "");
      return 1;
    }
  }
  if (is_concept || is_synonym) {
    if (blank(label)) {
      imt_reply_error(rq, 400, "invalid_field", "field 'label' is required and must not be empty");
      return 1;
    }
    if (!*lang || !lang_ok(lang)) {
      imt_reply_error(rq, 400, "invalid_field", "field 'lang' is required and must be zh, en or zh-Hant");
      return 1;
    }
  } else if (*lang && !lang_ok(lang)) {
    imt_reply_error(rq, 400, "invalid_field", "field 'lang' must be zh, en or zh-Hant");
    return 1;
  }
  target = cJSON_GetObjectItemCaseSensitive(obj, "target");
  if (is_mapping) {
    if (!target || !cJSON_IsObject(target)) {
      imt_reply_error(rq, 400, "invalid_field", "field 'target' must be an object {\"system\", \"code\"} for a mapping");
      return 1;
    }
    if (!only_fields(rq, target, target_allowed, "target.") ||
        !str_field(rq, target, "system", "target.system", 32, 0, &system) ||
        !str_field(rq, target, "code", "target.code", CODE_MAX_BYTES, 0, &code))
      return 1;
    if (!*system || !(sys = imt_system_by_name(system))) {
      imt_buf names = IMT_BUF_INIT;
      for (unsigned i = 0; i < imt_n_systems; i++)
        imt_buf_printf(&names, "%s%s", i ? ", " : "", imt_systems[i].name);
      imt_reply_error(rq, 400, "invalid_field", "field 'target.system' must be one of %s",
                      names.data ? names.data : "the known systems");
      imt_buf_free(&names);
      return 1;
    }
    if (!*code || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_") != strlen(code)) {
      imt_reply_error(rq, 400, "invalid_field", "field 'target.code' must be a non-empty code of letters, digits, '.', '-' or '_'");
      return 1;
    }
    if (*predicate && strcmp(predicate, "skos:exactMatch") && strcmp(predicate, "skos:closeMatch") &&
        strcmp(predicate, "skos:broadMatch") && strcmp(predicate, "skos:narrowMatch")) {
      imt_reply_error(rq, 400, "invalid_field", "field 'predicate' must be skos:exactMatch, skos:closeMatch, "
                      "skos:broadMatch or skos:narrowMatch");
      return 1;
    }
    for (uint32_t m = 0; m < c->n_mappings; m++)
      if (!strcmp(c->mappings[m].system, sys->name) && !strcmp(c->mappings[m].code, code)) {
        imt_reply_error(rq, 409, "already_exists", "%s is already mapped to %s:%s", c->id, sys->name, code);
        return 1;
      }
  } else {
    if (target) {
      imt_reply_error(rq, 400, "invalid_field", "field 'target' is only used by a mapping proposal");
      return 1;
    }
    if (*predicate) {
      imt_reply_error(rq, 400, "invalid_field", "field 'predicate' is only used by a mapping proposal");
      return 1;
    }
  }
  /* a label the vocabulary already has is no proposal */
  if (is_synonym || is_concept) {
    const imt_concept *owner = label_owner(s, is_synonym ? c : NULL, label, lang, &oom);
    if (oom) {
      imt_reply_oom(rq);
      return 1;
    }
    if (owner) {
      imt_reply_error(rq, 409, "already_exists", "'%s' is already a label of %s (%s)", label, owner->id,
                      owner->pref[IMT_LANG_EN]);
      return 1;
    }
  }
  p->kind = imt_strdup(kind);
  p->concept = imt_strdup(c ? c->id : "");
  p->concept_label = imt_strdup(c ? c->pref[IMT_LANG_EN] : "");
  p->parent = imt_strdup(par ? par->id : "");
  p->parent_class = imt_strdup(par ? class_name(par->kind) : "");
  p->label = imt_strdup(label);
  p->lang = imt_strdup(lang);
  p->target_system = imt_strdup(sys ? sys->name : "");
  p->target_code = imt_strdup(code);
  p->predicate = imt_strdup(is_mapping ? (*predicate ? predicate : "skos:exactMatch") : "");
  p->evidence = imt_strdup(evidence);
  p->proposer = imt_strdup(proposer);
  if (!p->kind || !p->concept || !p->concept_label || !p->parent || !p->parent_class || !p->label || !p->lang ||
      !p->target_system || !p->target_code || !p->predicate || !p->evidence || !p->proposer) {
    imt_reply_oom(rq);
    return 1;
  }
  return 0;
}

static void h_proposals_post(imt_req *rq)
{
  imt_proposal p;
  imt_error err = {0};
  const char *key = imt_req_header(rq, "Idempotency-Key");
  cJSON *obj, *j;
  int result = 0;
  char loc[64];
  if (!authorized(rq))
    return;
  if (key && (strlen(key) > IDEM_MAX_BYTES || !*key || has_control(key, 0))) {
    imt_reply_error(rq, 400, "bad_header", "header 'Idempotency-Key' must be 1 to %d printable bytes", IDEM_MAX_BYTES);
    return;
  }
  if (!(obj = body_object(rq)))
    return;
  memset(&p, 0, sizeof p);
  if (validate_proposal(rq, obj, &p)) {
    cJSON_Delete(obj);
    imt_proposal_clear(&p);
    return;
  }
  cJSON_Delete(obj);
  if (key && !(p.idem_key = imt_strdup(key))) {
    imt_proposal_clear(&p);
    imt_reply_oom(rq);
    return;
  }
  if (imt_proposals_add(&p, &result, &err)) {
    imt_proposal_clear(&p);
    imt_reply_error(rq, status_of(err.code), err.code == IMT_ERR_LIMIT ? "limit_reached" : "database_error", "%s",
                    err.message);
    return;
  }
  if (result == IMT_PROPOSAL_KEY_REUSED) {
    imt_reply_error(rq, 409, "idempotency_key_reused", "Idempotency-Key '%s' was used for proposal %lld with "
                    "different content", key, p.id);
    imt_proposal_clear(&p);
    return;
  }
  if (result == IMT_PROPOSAL_EXISTED) {   /* a retry: answer with what is stored */
    long long id = p.id;
    imt_proposal_clear(&p);
    if (imt_proposals_get(NULL, id, &p, &err)) {
      imt_reply_error(rq, status_of(err.code), "database_error", "%s", err.message);
      return;
    }
  }
  j = render_proposal(&p);
  snprintf(loc, sizeof loc, "/api/proposals/%lld", p.id);
  imt_proposal_clear(&p);
  if (!j) {
    imt_reply_oom(rq);
    return;
  }
  imt_reply_header(rq, "Location", loc);
  imt_reply_json(rq, result == IMT_PROPOSAL_EXISTED ? 200 : 201, j);
}

/* ---- GET /api/proposals, /api/proposals/{id} ------------------------------------------------ */

static void h_proposals_list(imt_req *rq)
{
  imt_proposal_query q = {NULL, NULL, NULL, 0, 100, 0};
  const char *status = imt_req_query(rq, "status"), *kind = imt_req_query(rq, "kind");
  const char *concept = imt_req_query(rq, "concept"), *since = imt_req_query(rq, "since");
  imt_proposal *v = NULL;
  size_t n = 0;
  long long total = 0;
  imt_error err = {0};
  cJSON *j, *arr;
  if (imt_req_query_invalid(rq)) {
    imt_reply_error(rq, 400, "bad_query", "a query parameter is not valid percent-encoded UTF-8");
    return;
  }
  if (status && *status && strcmp(status, "proposed") && strcmp(status, "accepted") && strcmp(status, "rejected")) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'status' must be proposed, accepted or rejected");
    return;
  }
  if (kind && *kind && strcmp(kind, "concept") && strcmp(kind, "synonym") && strcmp(kind, "mapping")) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'kind' must be concept, synonym or mapping");
    return;
  }
  if (since && *since && imt_time_parse(since, &q.since)) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'since' must be a date (2026-01-31), a UTC time "
                    "(2026-01-31T08:00:00Z) or Unix seconds");
    return;
  }
  if (imt_req_uint(rq, "limit", 100, 1, 1000, &q.limit) || imt_req_uint(rq, "offset", 0, 0, 100000000, &q.offset)) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'limit' must be 1 to 1000 and 'offset' a non-negative integer");
    return;
  }
  q.status = status;
  q.kind = kind;
  if (concept && *concept) {   /* filter by the resolved local id when the ref resolves */
    const uint32_t *idx;
    if (imt_snapshot_resolve(imt_req_snapshot(rq), concept, &idx) == 1)
      concept = imt_req_snapshot(rq)->concepts[idx[0]].id;
  }
  q.concept = concept;
  if (imt_proposals_list(NULL, &q, &v, &n, &total, &err)) {
    imt_reply_error(rq, status_of(err.code), "database_error", "%s", err.message);
    return;
  }
  j = cJSON_CreateObject();
  arr = j ? cJSON_AddArrayToObject(j, "proposals") : NULL;
  for (size_t i = 0; arr && i < n; i++) {
    cJSON *o = render_proposal(&v[i]);
    if (!o || !cJSON_AddItemToArray(arr, o)) { cJSON_Delete(o); arr = NULL; }
  }
  imt_proposals_free(v, n);
  if (!arr) {
    cJSON_Delete(j);
    imt_reply_oom(rq);
    return;
  }
  cJSON_AddNumberToObject(j, "total", (double)total);
  cJSON_AddNumberToObject(j, "limit", (double)q.limit);
  cJSON_AddNumberToObject(j, "offset", (double)q.offset);
  imt_reply_json(rq, 200, j);
}

static void h_proposal_get(imt_req *rq)
{
  imt_proposal p;
  imt_error err = {0};
  long long id = id_param(rq);
  if (id < 0)
    return;
  if (imt_proposals_get(NULL, id, &p, &err)) {
    reply_store_error(rq, &err);
    return;
  }
  reply_proposal(rq, &p);
}

/* ---- PATCH /api/proposals/{id} -------------------------------------------------------------- */

static void h_proposal_patch(imt_req *rq)
{
  static const char *const allowed[] = {"status", "note", "reviewer", NULL};
  const char *status, *note, *reviewer;
  imt_proposal p;
  imt_error err = {0};
  long long id;
  cJSON *obj;
  if (!authorized(rq))
    return;
  if ((id = id_param(rq)) < 0)
    return;
  if (!(obj = body_object(rq)))
    return;
  if (!only_fields(rq, obj, allowed, "") || !str_field(rq, obj, "status", "status", 16, 0, &status) ||
      !str_field(rq, obj, "note", "note", NOTE_MAX_CHARS, 1, &note) ||
      !str_field(rq, obj, "reviewer", "reviewer", NAME_MAX_CHARS, 0, &reviewer)) {
    cJSON_Delete(obj);
    return;
  }
  if (strcmp(status, "accepted") && strcmp(status, "rejected") && strcmp(status, "proposed")) {
    cJSON_Delete(obj);
    imt_reply_error(rq, 400, "invalid_field", "field 'status' is required and must be accepted, rejected or proposed");
    return;
  }
  if (imt_proposals_review(id, status, reviewer, note, &p, &err)) {
    cJSON_Delete(obj);
    reply_store_error(rq, &err);
    return;
  }
  cJSON_Delete(obj);
  reply_proposal(rq, &p);
}

/* ---- GET /api/proposals/export?format=ttl|sssom --------------------------------------------- */

static void h_proposals_export(imt_req *rq)
{
  const char *format = imt_req_query(rq, "format");
  imt_error err = {0};
  char *data = NULL;
  size_t len = 0, count = 0;
  FILE *f;
  if (!format || (strcmp(format, "ttl") && strcmp(format, "sssom"))) {
    imt_reply_error(rq, 400, "bad_parameter", "parameter 'format' must be ttl or sssom");
    return;
  }
  f = open_memstream(&data, &len);
  if (!f) {
    imt_reply_oom(rq);
    return;
  }
  if (imt_proposals_export(NULL, format, f, &count, &err)) {
    fclose(f);
    free(data);
    imt_reply_error(rq, status_of(err.code), "database_error", "%s", err.message);
    return;
  }
  fclose(f);
  {
    char n[24];
    snprintf(n, sizeof n, "%zu", count);
    imt_reply_header(rq, "X-Proposals-Exported", n);
  }
  imt_reply_take(rq, 200, !strcmp(format, "ttl") ? "text/turtle; charset=utf-8" : "text/tab-separated-values; charset=utf-8",
                 data, len);
}

const imt_route imt_routes_curation[] = {
  {"GET", "/api/misses", h_misses, 0, 0},
  {"GET", "/api/proposals", h_proposals_list, 0, 0},
  {"POST", "/api/proposals", h_proposals_post, 16384, IMT_ROUTE_BODY},
  {"GET", "/api/proposals/export", h_proposals_export, 0, 0},
  {"GET", "/api/proposals/{id}", h_proposal_get, 0, 0},
  {"PATCH", "/api/proposals/{id}", h_proposal_patch, 16384, IMT_ROUTE_BODY},
  {NULL, NULL, NULL, 0, 0}
};
