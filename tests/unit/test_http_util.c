/* test_http_util.c - percent-decoding and UTF-8 validation used on every request. */
#include "config.h"
#include "imt.h"
#include "imt_http.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
  char *d;
  d = imt_percent_decode("a%20b+c", 7, 1, 1);
  CHECK_STR(d, "a b c", "percent and plus decoded");
  free(d);
  d = imt_percent_decode("a+b", 3, 0, 1);
  CHECK_STR(d, "a+b", "plus kept in paths");
  free(d);
  d = imt_percent_decode("%E7%A3%A8", 9, 1, 1);
  CHECK_STR(d, "磨", "UTF-8 escapes decoded");
  free(d);
  CHECK(imt_percent_decode("%E7%A3", 6, 1, 1) == NULL, "truncated UTF-8 rejected");
  CHECK(imt_percent_decode("%zz", 3, 1, 1) == NULL, "bad escape rejected");
  CHECK(imt_percent_decode("%4", 2, 1, 1) == NULL, "short escape rejected");
  CHECK(imt_percent_decode("%", 1, 1, 1) == NULL, "lone percent rejected");
  CHECK(imt_percent_decode("%00", 3, 1, 1) == NULL, "NUL rejected");
  CHECK(imt_percent_decode("%C0%AF", 6, 1, 1) == NULL, "overlong encoding rejected");
  CHECK(imt_percent_decode("%ED%A0%80", 9, 1, 1) == NULL, "surrogate rejected");
  d = imt_percent_decode("%F0%A0%80%80", 12, 1, 1);
  CHECK(d && strcmp(d, "\xF0\xA0\x80\x80") == 0, "U+20000 accepted");
  free(d);
  CHECK(imt_utf8_valid("GGO 磨玻璃", strlen("GGO 磨玻璃")), "mixed text is valid");
  CHECK(!imt_utf8_valid("\xff", 1), "0xFF is invalid");
  return TAP_DONE();
}
