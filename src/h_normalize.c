/* h_normalize.c - POST /api/normalize: free-text report sentences to concepts with a status
 * (present, absent, uncertain). Body text/plain (UTF-8; ?lang= selects the labels) or JSON
 * {"text", "lang"?}; at most 1 MiB. The work is imt_normalize (shared with `imterm normalize`). */
#include "config.h"
#include "imt.h"
#include "imt_http.h"
#include "imt_misslog.h"
#include "imt_normalize.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NORMALIZE_MAX_BODY ((size_t)1 << 20)
#define MISS_TERM_MAX_CP 64      /* clauses longer than this are not recorded as misses */

/* 1 when the media type of the Content-Type header value ct is `type` (parameters ignored). */
static int media_is(const char *ct, const char *type)
{
  size_t n = strlen(type);
  while (*ct == ' ') ct++;
  return !strncasecmp(ct, type, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Record the clauses that matched nothing in the miss log (no-op when the log is off). */
static void record_misses(imt_req *rq, const char *text, const imt_normalized *n, const char *lang)
{
  if (!imt_misslog_enabled()) return;
  for (size_t i = 0; i < n->n_misses; i++) {
    uint32_t a = n->misses[i][0], b = n->misses[i][1];
    size_t bs, be;
    int letters = 0;
    char *term;
    /* trim spaces, keep clauses of 2..64 code points with a letter or a CJK character */
    while (a < b && (text[n->cp_byte[a]] == ' ' || text[n->cp_byte[a]] == '\n' || text[n->cp_byte[a]] == '\t' || text[n->cp_byte[a]] == '\r')) a++;
    while (b > a && (text[n->cp_byte[b - 1]] == ' ' || text[n->cp_byte[b - 1]] == '\n' || text[n->cp_byte[b - 1]] == '\t' || text[n->cp_byte[b - 1]] == '\r')) b--;
    if (b - a < 2 || b - a > MISS_TERM_MAX_CP) continue;
    bs = n->cp_byte[a];
    be = n->cp_byte[b];
    for (size_t k = bs; k < be; k++) {
      unsigned char c = (unsigned char)text[k];
      if ((c | 32) >= 'a' && (c | 32) <= 'z') letters = 1;
      if (c >= 0xE3 && c <= 0xE9) letters = 1;
    }
    if (!letters) continue;
    term = imt_strndup(text + bs, be - bs);
    if (!term) return;
    imt_misslog_record("normalize", lang ? lang : "", term, NULL);
    free(term);
  }
  (void)rq;
}

static void h_normalize(imt_req *rq)
{
  size_t len;
  const char *body = imt_req_body(rq, &len), *ct = imt_req_header(rq, "Content-Type");
  const char *text = body, *lang = imt_req_query(rq, "lang");
  size_t tlen = len;
  cJSON *in = NULL, *outj;
  unsigned langs;
  imt_normalized n;
  int rc;

  if (imt_req_query_invalid(rq)) {
    imt_reply_error(rq, 400, "bad_query", "a query parameter is not valid percent-encoded UTF-8");
    return;
  }
  if (ct && media_is(ct, "application/json")) {
    const cJSON *t, *l;
    if (imt_json_parse(rq, &in)) return;
    if (!cJSON_IsObject(in)) {
      cJSON_Delete(in);
      imt_reply_error(rq, 400, "bad_request", "the JSON body must be an object {\"text\": \"...\", \"lang\": \"zh|en|auto\"}");
      return;
    }
    t = cJSON_GetObjectItemCaseSensitive(in, "text");
    l = cJSON_GetObjectItemCaseSensitive(in, "lang");
    if (!cJSON_IsString(t)) {
      cJSON_Delete(in);
      imt_reply_error(rq, 400, "bad_request", "the JSON body needs a string member \"text\"");
      return;
    }
    if (l && !cJSON_IsNull(l) && !cJSON_IsString(l)) {
      cJSON_Delete(in);
      imt_reply_error(rq, 400, "bad_lang", "\"lang\" must be a string: zh, en or auto");
      return;
    }
    text = t->valuestring;
    tlen = strlen(text);
    if (cJSON_IsString(l)) lang = l->valuestring;
  } else if (ct && !media_is(ct, "text/plain")) {
    imt_reply_error(rq, 415, "unsupported_media_type",
                    "send the text as text/plain (UTF-8) or as application/json {\"text\": ...}, not %s", ct);
    return;
  } else if (!imt_utf8_valid(body, len)) {
    imt_reply_error(rq, 400, "invalid_utf8", "the body is not valid UTF-8 text (or contains a NUL byte)");
    return;
  }
  langs = imt_normalize_langs(lang);
  if (!langs) {
    imt_reply_error(rq, 400, "bad_lang", "unknown lang '%s': use zh, en or auto", lang);
    cJSON_Delete(in);
    return;
  }
  rc = imt_normalize(imt_req_snapshot(rq), text, tlen, langs, &n);
  if (rc) {
    cJSON_Delete(in);
    if (rc == IMT_ERR_NOMEM) imt_reply_oom(rq);
    else imt_reply_error(rq, 503, "not_ready", "the vocabulary has no text matcher");
    return;
  }
  outj = imt_normalized_json(imt_req_snapshot(rq), text, &n);
  if (outj) record_misses(rq, text, &n, lang && strcmp(lang, "auto") ? lang : "");
  imt_normalized_free(&n);
  cJSON_Delete(in);
  if (!outj) { imt_reply_oom(rq); return; }
  imt_reply_json(rq, 200, outj);
}

const imt_route imt_routes_normalize[] = {
  {"POST", "/api/normalize", h_normalize, NORMALIZE_MAX_BODY, IMT_ROUTE_BODY},
  {NULL, NULL, NULL, 0, 0}
};
