/* test_json_url.c - request JSON limits (imt_json_parse_text) and URL parsing (imt_query_parse,
 * imt_route_match): the pure layers under the HTTP server. */
#include "config.h"
#include "imt.h"
#include "imt_json.h"
#include "imt_url.h"
#include "tap.h"

static cJSON *parse(const char *s, int depth, imt_error *err)
{
  memset(err, 0, sizeof *err);
  return imt_json_parse_text(s, strlen(s), depth, err);
}

static int collect(char *k, char *v, void *arg)
{
  char *out = arg;
  size_t l = strlen(out);
  snprintf(out + l, 256 - l, "[%s=%s]", k, v);
  free(k);
  free(v);
  return 0;
}

int main(void)
{
  imt_error err;
  cJSON *j;
  char buf[256];
  size_t bad;
  imt_route_param p[4];
  int np;

  /* ---- JSON ---- */
  j = parse("{\"a\":[1,{\"b\":\"c\"}]}", 3, &err);
  CHECK(j && cJSON_IsArray(cJSON_GetObjectItem(j, "a")), "nesting at the limit parses");
  cJSON_Delete(j);
  j = parse("{\"a\":[1,{\"b\":[]}]}", 3, &err);
  CHECK(!j && err.code == IMT_ERR_LIMIT, "one level over the limit is IMT_ERR_LIMIT");
  CHECK(strstr(err.message, "3 levels") != NULL, "the depth message names the limit");
  j = parse("[\"[[[[\", \"\\\"[[[[\"]", 1, &err);
  CHECK(j != NULL, "brackets inside strings (also after an escaped quote) do not count");
  cJSON_Delete(j);
  {
    /* a million '[' must fail fast on depth, not recurse in cJSON */
    size_t n = 1000000;
    char *deep = malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    memset(&err, 0, sizeof err);
    j = imt_json_parse_text(deep, n, 64, &err);
    CHECK(!j && err.code == IMT_ERR_LIMIT, "a million open brackets are refused by the depth limit");
    free(deep);
  }
  CHECK(imt_json_depth("[]{}[[]]", 8, 10) == 2, "depth of sibling containers is the deepest one");
  CHECK(imt_json_depth("]]]][", 5, 10) == 1, "stray closing brackets do not go below zero");
  j = parse("{\"a\":\"\xff\"}", 64, &err);
  CHECK(!j && err.code == IMT_ERR_INVALID, "invalid UTF-8 is IMT_ERR_INVALID");
  memset(&err, 0, sizeof err);
  j = imt_json_parse_text("{\"a\":\"x\0y\"}", 11, 64, &err);
  CHECK(!j && err.code == IMT_ERR_INVALID, "a NUL byte is refused");
  j = parse("{\n  \"a\": tru\n}", 64, &err);
  CHECK(!j && err.code == IMT_ERR_SYNTAX && strstr(err.message, "line 2") != NULL, "a syntax error names its line");
  j = parse("{} x", 64, &err);
  CHECK(!j && err.code == IMT_ERR_SYNTAX && strstr(err.message, "after the JSON value"), "trailing data is refused");
  j = parse("  {\"a\":1}\r\n\t ", 64, &err);
  CHECK(j != NULL, "whitespace around the value is allowed");
  cJSON_Delete(j);
  j = parse("   ", 64, &err);
  CHECK(!j && strstr(err.message, "empty"), "a blank body is reported as empty");
  j = parse("\"\\ud83d\\ude00\"", 64, &err);
  CHECK(j && cJSON_IsString(j) && strcmp(j->valuestring, "\xf0\x9f\x98\x80") == 0, "surrogate pairs decode to UTF-8");
  cJSON_Delete(j);

  /* ---- query strings ---- */
  buf[0] = '\0';
  bad = 0;
  CHECK(imt_query_parse("a=1&b=%E7%BB%93+%E8%8A%82;c&=x&d=%zz&&e=%2F", 43, collect, buf, &bad) == 0, "query parses");
  CHECK_STR(buf, "[a=1][b=结 节][c=][=x][e=/]", "pairs decoded in order, '+' is a space, empty key kept");
  CHECK(bad == 1, "a pair with a bad escape is skipped and counted");

  /* ---- routes ---- */
  CHECK(imt_route_match("/api/concepts/{ref}/children", "/api/concepts/RADLEX%3ARID1/children", p, 4, &np) == 1 &&
        np == 1 && strcmp(p[0].value, "RADLEX:RID1") == 0 && p[0].name_len == 3 && !strncmp(p[0].name, "ref", 3),
        "a {name} segment is captured and decoded");
  imt_route_params_free(p, np);
  CHECK(imt_route_match("/api/concepts/{ref}", "/api/concepts/a/b", p, 4, &np) == 0 && np == 0,
        "{name} does not span a slash");
  CHECK(imt_route_match("/fhir/{rest*}", "/fhir/a/b%2Fc", p, 4, &np) == 1 && np == 1 &&
        strcmp(p[0].value, "a/b/c") == 0 && p[0].name_len == 4, "{name*} takes the rest, decoded");
  imt_route_params_free(p, np);
  CHECK(imt_route_match("/api/concepts/{ref}", "/api/concepts/", p, 4, &np) == 0, "an empty segment does not match");
  CHECK(imt_route_match("/api/concepts/{ref}", "/api/concepts/%ff", p, 4, &np) == -1, "invalid UTF-8 in a segment is -1");
  CHECK(imt_route_match("/api/concepts/{ref}", "/api/concepts/%00", p, 4, &np) == -1, "an encoded NUL is -1");
  CHECK(imt_route_match("/x/{a}/{b}", "/x/1/2", p, 1, &np) == 0, "more captures than room do not match");
  CHECK(imt_route_match("/x/{bad", "/x/1", p, 4, &np) == 0, "a malformed pattern never matches");
  CHECK(imt_route_match("/api/concepts/{ref}", "/api/concepts/%ff/children", p, 4, &np) == 0 && np == 0,
        "a bad escape is only an error for the route that matches (decoded after the shape)");
  return TAP_DONE();
}
