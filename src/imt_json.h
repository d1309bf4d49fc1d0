/* imt_json.h - parsing JSON that clients send, with limits: nesting depth, valid UTF-8, one
 * value. Handlers use imt_json_parse(rq, &json) (imt_http.h), which replies 400/413 itself;
 * this lower layer has no server state so it can be fuzzed (tests/fuzz/fuzz_json.c). */
#ifndef IMT_JSON_H
#define IMT_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "imt.h"

/* Parse len bytes of JSON text. Returns a new tree (caller deletes with cJSON_Delete) or NULL
 * with err set: IMT_ERR_LIMIT when arrays/objects nest deeper than max_depth,
 * IMT_ERR_INVALID for bytes that are not UTF-8 (or a NUL byte), IMT_ERR_SYNTAX naming line and
 * column of the first error or trailing data, IMT_ERR_NOMEM. */
cJSON *imt_json_parse_text(const char *s, size_t len, int max_depth, imt_error *err);

/* Deepest nesting of arrays and objects in s (strings skipped); stops counting early and
 * returns limit + 1 once the nesting exceeds limit. */
int imt_json_depth(const char *s, size_t len, int limit);

/* Writing JSON without building a cJSON tree, for hot responses (search). */
struct imt_buf;
/* Append s (UTF-8, NUL-terminated) as a JSON string literal with quotes; 0 or IMT_ERR_NOMEM. */
int imt_json_put_string(struct imt_buf *b, const char *s);
/* Append "key": (a quoted, escaped key and a colon). */
int imt_json_put_key(struct imt_buf *b, const char *key);

#endif
