/* test_text.c - the matching normalization: folding results and the byte -> input offset map. */
#include "config.h"
#include "imt.h"
#include "imt_text.h"
#include "tap.h"

#include <pthread.h>

static const char *key(const char *s)
{
  static char buf[8][512];
  static int k;
  char *b = buf[k++ & 7];
  imt_text_key_into(s, strlen(s), b, 512);
  return b;
}

/* The offset map must be non-decreasing, end at n_input_cp, and each byte's source must be a
 * valid input code point index. */
static int map_ok(const imt_folded *f)
{
  for (size_t i = 0; i < f->len; i++)
    if (f->src[i] > f->src[i + 1] || f->src[i] >= f->n_input_cp) return 0;
  return f->src[f->len] == f->n_input_cp;
}

static void *thread_fold(void *arg)
{
  long bad = 0;
  imt_folded f = {0};
  for (int i = 0; i < 2000; i++) {
    if (imt_text_refold("支氣管充氣徵 ＧＧＯ", strlen("支氣管充氣徵 ＧＧＯ"), &f) || strcmp(f.text, "支气管充气征 ggo"))
      bad++;
  }
  imt_folded_free(&f);
  return (void *)bad;
}

int main(void)
{
  imt_folded f;
  CHECK(imt_text_init() == 0, "tables build with OpenCC");
  /* NFKC, case folding, full-width, quotes */
  CHECK_STR(key("ＧＧＯ"), "ggo", "full-width letters fold to ASCII lower case");
  CHECK_STR(key("＂ＧＧＯ＂"), "ggo", "full-width quotes are dropped");
  CHECK_STR(key("“GGO”"), "ggo", "curly quotes are dropped");
  CHECK_STR(key("Ground-Glass  Opacity"), "ground glass opacity", "hyphen and space runs fold to one space");
  CHECK_STR(key("  ground\t\n glass  "), "ground glass", "leading and trailing whitespace dropped");
  CHECK_STR(key("Crohn's disease"), "crohns disease", "apostrophe dropped");
  CHECK_STR(key("Sjögren"), "sjogren", "marks stripped (precomposed)");
  CHECK_STR(key("Sjo\xcc\x88gren"), "sjogren", "marks stripped (combining)");
  CHECK_STR(key("3×4 cm"), "3x4 cm", "multiplication sign folds to x");
  CHECK_STR(key("结节。肿块、钙化"), "结节.肿块,钙化", "ideographic full stop and comma");
  CHECK_STR(key("《磨玻璃影》"), "磨玻璃影", "title marks dropped");
  CHECK_STR(key("T2·WI"), "t2 wi", "middle dot is a separator");
  CHECK_STR(key("ＬＩ－ＲＡＤＳ　５"), "li rads 5", "full-width hyphen and ideographic space");
  CHECK_STR(key("ﬁbrosis"), "fibrosis", "NFKC ligature");
  CHECK_STR(key("Ⅲ级"), "iii级", "roman numeral compatibility form");
  /* traditional -> simplified */
  CHECK_STR(key("支氣管充氣徵"), "支气管充气征", "OpenCC t2s per character");
  CHECK_STR(key("磨玻璃樣密度影"), "磨玻璃样密度影", "t2s in a hidden label");
  CHECK_STR(key("肺結節"), "肺结节", "t2s 結節");
  CHECK_STR(key("肺结节"), "肺结节", "simplified text unchanged");
  CHECK_STR(key("纵隔"), "纵隔", "纵隔 unchanged");
  /* domain table */
  CHECK_STR(key("電腦斷層掃描"), "计算机断层扫描", "domain word 電腦斷層");
  CHECK_STR(key("磁振造影"), "磁共振成像", "domain word 磁振造影");
  CHECK_STR(key("超音波檢查"), "超声检查", "domain word 超音波");
  CHECK_STR(key("肋膜積水"), "胸膜积水", "domain word 肋膜");
  /* invalid input and controls */
  CHECK_STR(key("a\xff" "b"), "a\xef\xbf\xbd" "b", "invalid byte becomes U+FFFD");
  CHECK_STR(key("a\x01\xe2\x80\x8b" "b"), "ab", "control and zero-width characters dropped");
  CHECK_STR(key(""), "", "empty input");
  CHECK_STR(key("\xf0\xa0\x80\x80"), "\xf0\xa0\x80\x80", "beyond the BMP passes through");

  /* offset map */
  CHECK(imt_text_fold("＂ＧＧＯ＂ 和  毛玻璃", strlen("＂ＧＧＯ＂ 和  毛玻璃"), &f) == 0, "fold with offsets");
  CHECK_STR(f.text, "ggo 和 毛玻璃", "folded text");
  CHECK(f.n_input_cp == 12, "input code points counted");
  CHECK(f.src[0] == 1 && f.src[2] == 3, "ggo maps to code points 1..3 (after the quote)");
  CHECK(f.src[3] == 5, "the space maps to the first space of the run");
  CHECK(f.src[4] == 6 && f.src[6] == 6, "和 (3 bytes) maps to code point 6");
  CHECK(f.src[7] == 7, "collapsed double space maps to its first space");
  CHECK(f.src[8] == 9 && f.src[14] == 11, "毛玻璃 maps to 9..11");
  CHECK(f.src[f.len] == 12, "src[len] is the input length");
  CHECK(map_ok(&f), "map non-decreasing and in range");
  imt_folded_free(&f);
  CHECK(imt_text_fold("做電腦斷層", strlen("做電腦斷層"), &f) == 0 && !strcmp(f.text, "做计算机断层"), "domain word in context");
  CHECK(map_ok(&f), "domain replacement keeps the map valid");
  CHECK(f.src[0] == 0 && f.src[3] == 1 && f.src[f.len - 1] == 4, "replacement spread over the replaced input");
  imt_folded_free(&f);
  CHECK(imt_text_fold("ﬁ", 3, &f) == 0 && f.len == 2 && f.src[0] == 0 && f.src[1] == 0 && f.src[2] == 1,
        "expansion: both bytes of fi come from code point 0");
  imt_folded_free(&f);
  {
    imt_folded r = {0};
    int ok = 1;
    for (int i = 0; i < 50; i++) {
      const char *t = i % 2 ? "ＡＢＣ" : "支氣管充氣徵 and a longer English text to grow the buffer";
      if (imt_text_refold(t, strlen(t), &r) || !map_ok(&r)) ok = 0;
    }
    CHECK(ok && !strcmp(r.text, "abc"), "refold reuses buffers");
    imt_folded_free(&r);
  }
  {
    pthread_t th[4];
    long bad = 0;
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, thread_fold, NULL);
    for (int i = 0; i < 4; i++) { void *r; pthread_join(th[i], &r); bad += (long)r; }
    CHECK(bad == 0, "concurrent folding from four threads");
  }
  return TAP_DONE();
}
