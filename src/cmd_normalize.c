/* cmd_normalize.c - `imterm normalize`: free text from stdin to concepts with a status, the same
 * JSON as POST /api/normalize (one implementation: imt_normalize). */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_cli.h"
#include "imt_http.h"
#include "imt_json.h"
#include "imt_matcher.h"
#include "imt_normalize.h"
#include "imt_snapshot.h"
#include "imt_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct norm_stats {
  size_t bytes, texts, mentions;
  double seconds;        /* imt_normalize only */
  double render_seconds; /* JSON rendering */
} norm_stats;

/* Normalize one text and return its JSON (caller deletes), or an {"error","message"} object. */
static cJSON *one(const imt_snapshot *s, const char *text, size_t len, const char *lang, norm_stats *st)
{
  imt_normalized n;
  unsigned langs = imt_normalize_langs(lang);
  cJSON *j;
  double t0, t1;
  int rc;
  if (!langs) {
    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "error", "bad_lang");
    cJSON_AddStringToObject(j, "message", "unknown lang: use zh, en or auto");
    return j;
  }
  if (!imt_utf8_valid(text, len)) {
    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "error", "invalid_utf8");
    cJSON_AddStringToObject(j, "message", "the text is not valid UTF-8 (or contains a NUL byte)");
    return j;
  }
  /* thread CPU time: the figure is per core and does not count time other processes took */
  t0 = imt_thread_cpu_now();
  rc = imt_normalize(s, text, len, langs, &n);
  t1 = imt_thread_cpu_now();
  if (rc) return NULL;
  j = imt_normalized_json(s, text, &n);
  st->render_seconds += imt_thread_cpu_now() - t1;
  st->seconds += t1 - t0;
  st->bytes += len;
  st->texts++;
  st->mentions += n.n_mentions;
  imt_normalized_free(&n);
  return j;
}

static int read_all(FILE *f, imt_buf *b)
{
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (imt_buf_append(b, chunk, n)) return IMT_ERR_NOMEM;
  if (imt_buf_append(b, "", 0)) return IMT_ERR_NOMEM;
  return ferror(f) ? IMT_ERR_IO : 0;
}

static void print_json(cJSON *j, int compact)
{
  char *t = compact ? cJSON_PrintUnformatted(j) : cJSON_Print(j);
  if (t) { fputs(t, stdout); fputc('\n', stdout); free(t); }
}

int imt_cmd_normalize(int argc, char **argv)
{
  const char *data = imt_cli_default_data(), *lang = NULL;
  int jsonl = 0, stats = 0, quiet = 0, compact = 0, rc = 0;
  imt_error err = {0};
  imt_buf in = IMT_BUF_INIT;
  norm_stats st = {0};
  imt_snapshot *s;

  for (int i = 1; i < argc; i++) {
    int m;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: imterm normalize [--data DIR] [--lang zh|en|auto] [--jsonl] [--compact] [--stats] [--quiet]\n\n"
             "Reads report text from stdin and prints the concepts it mentions, each with its status\n"
             "(present, absent, uncertain), the governing cue, and code-point offsets: the same JSON as\n"
             "POST /api/normalize. --jsonl: each input line is a JSON object {\"text\", \"lang\"?} (or a JSON\n"
             "string) and each output line the compact result for it. --stats: timing to stderr.\n"
             "--quiet: no JSON output (with --stats, for benchmarks). Exit 1 on invalid input.\n");
      return 0;
    }
    if ((m = imt_cli_opt(argc, argv, &i, "--data", &data)) || (m = imt_cli_opt(argc, argv, &i, "--lang", &lang))) {
      if (m < 0) return 2;
      continue;
    }
    if (!strcmp(argv[i], "--jsonl")) jsonl = 1;
    else if (!strcmp(argv[i], "--stats")) stats = 1;
    else if (!strcmp(argv[i], "--quiet")) quiet = 1;
    else if (!strcmp(argv[i], "--compact")) compact = 1;
    else {
      fprintf(stderr, "imterm normalize: unknown option '%s' (try --help)\n", argv[i]);
      return 2;
    }
  }
  if (lang && !imt_normalize_langs(lang)) {
    fprintf(stderr, "imterm normalize: unknown --lang '%s': use zh, en or auto\n", lang);
    return 2;
  }
  imt_log_set_quiet(1);
  s = imt_vocab_load(data, NULL, 0, &err);
  if (!s) {
    fprintf(stderr, "imterm normalize: %s\n", err.message);
    return 1;
  }
  if (read_all(stdin, &in)) {
    fprintf(stderr, "imterm normalize: cannot read stdin\n");
    imt_buf_free(&in);
    imt_snapshot_free(s);
    return 1;
  }
  if (!jsonl) {
    cJSON *j = one(s, in.data ? in.data : "", in.len, lang, &st);
    if (!j) { fprintf(stderr, "imterm normalize: out of memory\n"); rc = 1; }
    else {
      if (cJSON_GetObjectItem(j, "error")) {
        fprintf(stderr, "imterm normalize: %s\n", cJSON_GetObjectItem(j, "message")->valuestring);
        rc = 1;
      } else if (!quiet) {
        print_json(j, compact);
      }
      cJSON_Delete(j);
    }
  } else {
    char *p = in.data ? in.data : "", *end = p + in.len;
    while (p < end) {
      char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
      cJSON *req, *j = NULL;
      imt_error jerr = {0};
      if (ll && p[ll - 1] == '\r') ll--;
      if (ll) {
        req = imt_json_parse_text(p, ll, 64, &jerr);
        if (req && cJSON_IsString(req)) {
          j = one(s, req->valuestring, strlen(req->valuestring), lang, &st);
        } else if (req && cJSON_IsObject(req) && cJSON_IsString(cJSON_GetObjectItem(req, "text"))) {
          const cJSON *l = cJSON_GetObjectItem(req, "lang");
          const char *t = cJSON_GetObjectItem(req, "text")->valuestring;
          j = one(s, t, strlen(t), cJSON_IsString(l) ? l->valuestring : lang, &st);
        } else {
          j = cJSON_CreateObject();
          cJSON_AddStringToObject(j, "error", "bad_request");
          cJSON_AddStringToObject(j, "message", req ? "each line must be a JSON string or an object with a string \"text\"" : jerr.message);
        }
        cJSON_Delete(req);
        if (!j) { fprintf(stderr, "imterm normalize: out of memory\n"); rc = 1; break; }
        if (cJSON_GetObjectItem(j, "error")) rc = 1;
        if (!quiet) print_json(j, 1);
        cJSON_Delete(j);
      }
      p += (nl ? (size_t)(nl - p) + 1 : ll);
      if (!nl) break;
    }
  }
  if (stats) {
    double mbs = st.seconds > 0 ? (double)st.bytes / 1e6 / st.seconds : 0;
    fprintf(stderr, "normalize: %zu texts, %zu bytes, %zu mentions, %.3f CPU s (%.1f MB/s per core); JSON %.3f CPU s; "
            "automaton %zu states, %zu keys\n", st.texts, st.bytes, st.mentions, st.seconds, mbs,
            st.render_seconds, imt_matcher_states(imt_matcher_of(s)), imt_matcher_keys(imt_matcher_of(s)));
  }
  imt_buf_free(&in);
  imt_snapshot_free(s);
  return rc;
}
