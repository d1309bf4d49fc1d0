/* fuzz_url.c - libFuzzer target: percent-decoding, query strings and route matching, i.e.
 * everything the server parses out of a request URL before a handler runs. The input is used
 * as a raw path (against every route pattern of the server) and as a query string; decoded
 * output is checked to be valid UTF-8 without NUL bytes, as the handlers rely on. */
#include "config.h"
#include "imt.h"
#include "imt_http.h"
#include "imt_url.h"

#include <stdlib.h>
#include <string.h>

static void check_utf8(const char *s)
{
  if (s && !imt_utf8_valid(s, strlen(s)))
    abort();
}

static int on_pair(char *k, char *v, void *arg)
{
  size_t *n = arg;
  check_utf8(k);
  check_utf8(v);
  (*n)++;
  free(k);
  free(v);
  return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  char *in = malloc(size + 1), *d;
  size_t pairs = 0, bad = 0;
  if (!in)
    return 0;
  memcpy(in, data, size);
  in[size] = '\0';

  /* decoding with every mode: strict UTF-8 results must be valid; raw decoding never longer */
  d = imt_percent_decode(in, size, 1, 1);
  check_utf8(d);
  free(d);
  d = imt_percent_decode(in, size, 0, 0);
  if (d && strlen(d) > size)
    abort();
  free(d);

  if (imt_query_parse(in, size, on_pair, &pairs, &bad) == 0 && pairs + bad > size + 1)
    abort();

  /* route matching on a NUL-free path, as MHD hands it over */
  if (!memchr(data, 0, size)) {
    for (int t = 0; imt_route_tables[t]; t++)
      for (const imt_route *r = imt_route_tables[t]; r->method; r++) {
        imt_route_param p[4];
        int n = 0, m = imt_route_match(r->pattern, in, p, 4, &n);
        if (m == 1) {
          for (int i = 0; i < n; i++)
            check_utf8(p[i].value);
          imt_route_params_free(p, n);
        } else if (n != 0) {
          abort();
        }
      }
  }
  free(in);
  return 0;
}
