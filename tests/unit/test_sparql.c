/* test_sparql.c - the SPARQL guard's tokenizer and table, the engine (join reordering, result
 * writers, DESCRIBE) on tests/data/sparql, and the workers' seccomp filter. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_query.h"
#include "imt_sparql_guard.h"
#include "imt_sparql_pool.h"
#include "imt_store.h"
#include "tap.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define P "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX imt: <https://w3id.org/imterm/concept/> "

static int guard(const char *q, int parse_failed)
{
  char d[128];
  return imt_guard_text(q, parse_failed, d, sizeof d);
}

static char *run(imt_query_engine *e, const char *q, const char *fb, const char *fg, unsigned cap, int no_reorder,
                 imt_query_result *res)
{
  imt_query_opts o = {fb, fg, cap, no_reorder};
  imt_buf out = IMT_BUF_INIT;
  if (imt_query_engine_run(e, q, &o, &out, res)) {
    imt_buf_free(&out);
    return NULL;
  }
  return imt_buf_steal(&out, NULL);
}

int main(void)
{
  char path[1024], plan[128];
  imt_error err = {0};
  imt_store *st;
  imt_query_engine *e;
  imt_query_result res;
  char *a, *b;
  size_t n;
  imt_tok *t;

  /* tokenizer */
  t = imt_sparql_tokenize("SELECT ?x WHERE { <http://a> skos:b \"s\\\"x\"@en-US . FILTER(?x<2) } # c", &n);
  CHECK(t && n == 16, "tokenizer: 16 tokens");
  CHECK(t && t[3].type == IMT_TOK_PUNCT && t[4].type == IMT_TOK_IRI && t[5].type == IMT_TOK_PNAME &&
        t[6].type == IMT_TOK_STRING && t[7].type == IMT_TOK_LANGTAG, "tokenizer: IRI, prefixed name, string, language tag");
  free(t);

  /* the textual guard */
  CHECK(guard("SELECT * WHERE { SERVICE <http://x> { ?s ?p ?o } }", 0) == IMT_GUARD_SERVICE, "guard: SERVICE");
  CHECK(guard("PREFIX a: <http://a#> INSERT DATA { a:x a:y a:z }", 0) == IMT_GUARD_UPDATE, "guard: update after a prologue");
  CHECK(guard("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <a> <b> }", 0) == IMT_GUARD_VALUES_ROWS, "guard: two-row VALUES");
  CHECK(guard("SELECT * WHERE { ?s ?p ?o } VALUES (?s ?o) { (<a> 1) (<b> 2) }", 0) == IMT_GUARD_VALUES_ROWS,
        "guard: two-row VALUES with a variable list");
  CHECK(guard("SELECT * WHERE { ?s ?p ?o } VALUES ?s { \"a\"@en }", 0) == -1, "guard: one-row VALUES passes");
  CHECK(guard("SELECT (GROUP_CONCAT(?o; SEPARATOR=\",\") AS ?x) WHERE { ?s ?p ?o }", 0) == IMT_GUARD_GROUP_CONCAT_SEPARATOR,
        "guard: GROUP_CONCAT separator");
  CHECK(guard("SELECT (GROUP_CONCAT(?o) AS ?x) WHERE { ?s ?p ?o }", 0) == -1, "guard: GROUP_CONCAT without separator passes");
  CHECK(guard("SELECT * WHERE { ?s <http://p>+ ?o }", 1) == IMT_GUARD_PROPERTY_PATH, "guard: path +");
  CHECK(guard("SELECT * WHERE { ?s skos:a/skos:b ?o }", 1) == IMT_GUARD_PROPERTY_PATH, "guard: path /");
  CHECK(guard("SELECT * WHERE { ?s ^skos:b ?o }", 1) == IMT_GUARD_PROPERTY_PATH, "guard: path ^");
  CHECK(guard("SELECT (?a / 2 AS ?h) WHERE { ?s ?p ?a }", 1) == -1, "guard: division is not a path");
  CHECK(guard("SELECT * WHERE { ?s ?p \"a/b+c\" }", 1) == -1, "guard: path characters inside a string are not a path");
  CHECK(guard("SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { ?o ?p ?s } }", 0) == IMT_GUARD_EXISTS, "guard: NOT EXISTS");
  CHECK(guard("SELECT ?c WHERE { ?c ?p ?o { SELECT ?o WHERE { ?o ?q ?r } } }", 0) == IMT_GUARD_SUBSELECT, "guard: sub-SELECT");
  CHECK(guard("SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://x> { ?s ?p ?o } } } }", 0) == IMT_GUARD_SERVICE,
        "guard: SERVICE inside a sub-SELECT is named as SERVICE");
  CHECK(guard("SELECT ?s WHERE { ?s ?p \"SELECT\" }", 0) == -1, "guard: SELECT inside a string is not a sub-SELECT");
  CHECK(guard("SELECT (CONCAT(STR(?l), \"x\") AS ?x) WHERE { ?s ?p ?l }", 0) == IMT_GUARD_STRING_CALL_ARG,
        "guard: CONCAT of a call");
  CHECK(guard("SELECT (strbefore(lcase(?l), \"x\") AS ?x) WHERE { ?s ?p ?l }", 0) == IMT_GUARD_STRING_CALL_ARG,
        "guard: STRBEFORE of a call, any case");
  CHECK(guard("SELECT (CONCAT(?l, \" (\", ?m) AS ?x) WHERE { ?s ?p ?l ; ?q ?m }", 0) == -1,
        "guard: CONCAT of variables and a string holding '(' passes");
  CHECK(guard("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }", 0) == IMT_GUARD_AGGREGATE_DISTINCT,
        "guard: COUNT(DISTINCT)");
  CHECK(guard("SELECT DISTINCT ?o (COUNT(?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o", 0) == -1,
        "guard: SELECT DISTINCT with a plain COUNT passes");
  CHECK(guard("SELECT * WHERE { ?s ?p ?o MINUS { ?o ?p ?s } }", 0) == IMT_GUARD_MINUS, "guard: MINUS");
  CHECK(guard("SELECT ?service WHERE { ?service ?p \"SERVICE\" }", 0) == -1, "guard: a variable or string named service passes");
  for (int i = 0; i < IMT_GUARD_COUNT; i++)
    CHECK(imt_guard_rules[i].id == (imt_guard_id)i && imt_guard_rules[i].workaround[0], "guard table: rule in its slot with a workaround");

  /* the engine on the test data */
  snprintf(path, sizeof path, "%s/tests/data/sparql", tap_srcdir());
  imt_log_set_quiet(1);
  st = imt_store_new(&err);
  if (!st || imt_store_load_dir(st, path, NULL, &err) || !(e = imt_query_engine_new(st, &err))) {
    printf("not ok - cannot load %s: %s\n", path, err.message);
    return 1;
  }
  CHECK(imt_query_engine_plan(e, P "SELECT * WHERE { ?c skos:prefLabel ?l . ?c skos:broader imt:S2 }", plan, sizeof plan) == 0 &&
        !strcmp(plan, "1,0"), "reorder: the selective broader pattern runs first");
  CHECK(imt_query_engine_plan(e, P "SELECT * WHERE { ?g skos:prefLabel ?gl . ?p skos:broader ?g . imt:S3 skos:broader ?p }", plan, sizeof plan) == 0 &&
        !strcmp(plan, "2,1,0"), "reorder: a chain starts from its constant");
  a = run(e, P "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l . ?c skos:broader imt:S2 } ORDER BY ?c ?l", "json", NULL, 0, 0, &res);
  b = run(e, P "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l . ?c skos:broader imt:S2 } ORDER BY ?c ?l", "json", NULL, 0, 1, &res);
  CHECK(a && b && !strcmp(a, b) && strstr(a, "solid nodule"), "reorder: same rows as the written order");
  free(a);
  free(b);
  a = run(e, P "SELECT ?l WHERE { imt:S3 skos:prefLabel ?l FILTER(LANG(?l)=\"zh\") }", "json", NULL, 0, 0, &res);
  {
    cJSON *j = a ? cJSON_Parse(a) : NULL;
    cJSON *v = j ? cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "results"), "bindings"), 0), "l"), "value") : NULL;
    CHECK(v && cJSON_IsString(v) && !strcmp(v->valuestring, "\xF0\xA0\x80\x80\xE5\xAD\x97\xE7\xBB\x93\xE8\x8A\x82\xF0\x9F\x98\x80"),
          "JSON writer: U+20000 and an emoji survive a parse");
    cJSON_Delete(j);
  }
  free(a);
  a = run(e, P "SELECT ?h WHERE { imt:S3 skos:hiddenLabel ?h }", "xml", NULL, 0, 0, &res);
  CHECK(a && strstr(a, "xml:lang=\"zh-Hant\""), "XML writer: language tag case kept");
  free(a);
  a = run(e, P "SELECT ?d WHERE { imt:S3 skos:definition ?d FILTER(LANG(?d)=\"en\") }", "csv", NULL, 0, 0, &res);
  CHECK(a && strstr(a, "\"Label with \"\"quotes\"\", a comma, and a tab\there.\"\r\n"), "CSV writer: quotes doubled, field quoted");
  free(a);
  a = run(e, P "SELECT ?d WHERE { imt:S3 skos:definition ?d FILTER(LANG(?d)=\"en\") }", "tsv", NULL, 0, 0, &res);
  CHECK(a && strstr(a, "\"Label with \\\"quotes\\\", a comma, and a tab\\there.\"@en\n"), "TSV writer: escapes in an RDF term");
  free(a);
  a = run(e, "SELECT * WHERE { ?s ?p ?o }", "json", NULL, 3, 0, &res);
  CHECK(a && res.truncated && res.rows == 3 && strstr(a, "\"truncated\":true"), "row cap: cut at 3 and marked");
  free(a);
  a = run(e, P "DESCRIBE imt:S4", NULL, "ntriples", 0, 0, &res);
  CHECK(a && strstr(a, "<https://w3id.org/imterm/concept/S4> <http://www.w3.org/2004/02/skos/core#prefLabel> \"solid nodule\"@en ."),
        "DESCRIBE: the resource's triples");
  free(a);
  a = run(e, P "SELECT * WHERE { ?s ?p ?o }", NULL, "turtle", 0, 0, &res);
  CHECK(!a && res.status == 406, "SELECT with only graph formats acceptable: 406");
  a = run(e, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "json", NULL, 0, 0, &res);
  CHECK(!a && res.status == 400 && !strcmp(res.code, "service_refused"), "engine refuses SERVICE");
  a = run(e, "SELECT * FROM <http://example.org/x> WHERE { ?s ?p ?o }", "json", NULL, 0, 0, &res);
  CHECK(!a && res.status == 400 && !strcmp(res.code, "dataset_not_held"), "engine refuses FROM other data");
  imt_query_engine_free(e);
  imt_store_free(st);

  /* the seccomp wall, in a child so that this process keeps its network */
  {
    pid_t pid = fork();
    int status = 0;
    if (pid == 0) {
      int fd;
      if (imt_sparql_seccomp_install()) _exit(3);
      fd = socket(AF_INET, SOCK_STREAM, 0);
      _exit(fd < 0 && errno == EACCES ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "seccomp: socket() fails with EACCES in a worker sandbox");
  }
  return TAP_DONE();
}
