/* imt_cues.c - the normalization rules as data: cues, terminators, pseudo-cues, English suffix
 * rules and measurement units. Edit these tables, not the code, to change behaviour; every cue is
 * matched like a label (folded, English words stemmed, English on word boundaries, Chinese
 * anywhere), and where cues overlap the longest wins ("no change" over "no", 未见明显 over 未见). */
#include "config.h"
#include "imt_cues.h"

#include <stddef.h>

#define NEG IMT_CUE_NEG
#define UNC IMT_CUE_UNC
#define PSEUDO IMT_CUE_PSEUDO
#define TERM IMT_CUE_TERM
#define FWD IMT_CUE_FWD
#define BACK IMT_CUE_BACK
#define BOTH IMT_CUE_BOTH
#define CL IMT_SCOPE_CLAUSE
#define SE IMT_SCOPE_SENTENCE

const imt_cue imt_cues[] = {
  /* ---- Chinese negation, before the finding: 未见A、B及C -> all absent (scope: the clause) ---- */
  {"未见", NEG, FWD, CL}, {"未见明显", NEG, FWD, CL}, {"未见明确", NEG, FWD, CL},
  {"未见确切", NEG, FWD, CL}, {"未见有", NEG, FWD, CL}, {"未见到", NEG, FWD, CL},
  {"未见典型", NEG, FWD, CL}, {"未再见", NEG, FWD, CL}, {"未再见到", NEG, FWD, CL},
  {"无", NEG, FWD, CL}, {"无明显", NEG, FWD, CL}, {"无明确", NEG, FWD, CL}, {"无确切", NEG, FWD, CL},
  {"未显示", NEG, FWD, CL}, {"未发现", NEG, FWD, CL}, {"未见异常", NEG, FWD, CL},
  {"未探及", NEG, FWD, CL}, {"未检出", NEG, FWD, CL}, {"未出现", NEG, FWD, CL},
  {"没有", NEG, FWD, CL}, {"不伴", NEG, FWD, CL}, {"不伴有", NEG, FWD, CL},
  {"排除", NEG, FWD, CL}, {"已排除", NEG, FWD, CL}, {"否认", NEG, FWD, CL},
  {"未示", NEG, FWD, CL}, {"未累及", NEG, FWD, CL},
  /* ---- Chinese negation after the finding: 胸腔积液已吸收, 肋膈角未见显示 ---- */
  {"阴性", NEG, BACK, CL}, {"未见显示", NEG, BACK, CL}, {"消失", NEG, BACK, CL},
  {"已消失", NEG, BACK, CL}, {"已吸收", NEG, BACK, CL}, {"完全吸收", NEG, BACK, CL},
  {"已完全吸收", NEG, BACK, CL}, {"吸收消散", NEG, BACK, CL}, {"已消散", NEG, BACK, CL},
  {"不明显", NEG, BACK, CL}, {"(-)", NEG, BACK, CL}, {"（-）", NEG, BACK, CL},
  /* ---- Chinese uncertainty ---- */
  {"考虑", UNC, FWD, CL}, {"考虑为", UNC, FWD, CL}, {"疑似", UNC, FWD, CL}, {"疑为", UNC, FWD, CL},
  {"疑", UNC, FWD, CL}, {"疑有", UNC, FWD, CL}, {"怀疑", UNC, FWD, CL}, {"倾向", UNC, FWD, CL},
  {"倾向于", UNC, FWD, CL}, {"可疑", UNC, FWD, CL}, {"拟诊", UNC, FWD, CL}, {"似见", UNC, FWD, CL},
  {"除外", UNC, FWD, CL}, {"请除外", UNC, FWD, CL}, {"有无", UNC, FWD, CL},
  {"可能", UNC, BOTH, CL}, {"可能为", UNC, FWD, CL}, {"可能是", UNC, FWD, CL},
  {"不除外", UNC, BOTH, CL}, {"不排除", UNC, BOTH, CL}, {"不能除外", UNC, BOTH, CL},
  {"不能排除", UNC, BOTH, CL}, {"无法除外", UNC, BOTH, CL}, {"无法排除", UNC, BOTH, CL},
  {"待除外", UNC, BOTH, CL}, {"待排除", UNC, BOTH, CL}, {"待排", UNC, BACK, CL},
  {"可能性大", UNC, BACK, CL}, {"之可能", UNC, BACK, CL},
  {"待查", UNC, BACK, CL}, {"?", UNC, BACK, CL}, {"？", UNC, BACK, CL},
  /* ---- Chinese pseudo-cues: about change, not presence (结节较前未见明显增大 -> present) ---- */
  {"未见明显变化", PSEUDO, 0, CL}, {"未见明显改变", PSEUDO, 0, CL}, {"无明显变化", PSEUDO, 0, CL},
  {"无明显改变", PSEUDO, 0, CL}, {"无变化", PSEUDO, 0, CL}, {"未见变化", PSEUDO, 0, CL},
  {"未见增大", PSEUDO, 0, CL}, {"未见明显增大", PSEUDO, 0, CL}, {"无明显增大", PSEUDO, 0, CL},
  {"无增大", PSEUDO, 0, CL}, {"未见缩小", PSEUDO, 0, CL}, {"未见明显缩小", PSEUDO, 0, CL},
  {"无明显缩小", PSEUDO, 0, CL}, {"未见进展", PSEUDO, 0, CL}, {"无明显进展", PSEUDO, 0, CL},
  {"无明显吸收", PSEUDO, 0, CL}, {"未见明显吸收", PSEUDO, 0, CL}, {"未见吸收", PSEUDO, 0, CL},
  {"无明显诱因", PSEUDO, 0, CL}, {"不规则", PSEUDO, 0, CL}, {"无名", PSEUDO, 0, CL},
  {"部分吸收", PSEUDO, 0, CL}, {"较前吸收", PSEUDO, 0, CL}, {"明显吸收", PSEUDO, 0, CL},
  {"吸收好转", PSEUDO, 0, CL},
  /* ---- Chinese terminators: 但/而 end a scope ---- */
  {"但", TERM, 0, CL}, {"但是", TERM, 0, CL}, {"然而", TERM, 0, CL}, {"而", TERM, 0, CL},
  {"惟", TERM, 0, CL}, {"唯", TERM, 0, CL}, {"余", TERM, 0, CL}, {"另见", TERM, 0, CL},
  {"并见", TERM, 0, CL}, {"仅见", TERM, 0, CL}, {"可见", TERM, 0, CL}, {"伴有", TERM, 0, CL},

  /* ---- English negation before the finding (scope: the sentence; lists run over commas) ---- */
  {"no", NEG, FWD, SE}, {"not", NEG, FWD, SE}, {"without", NEG, FWD, SE}, {"negative for", NEG, FWD, SE},
  {"free of", NEG, FWD, SE}, {"clear of", NEG, FWD, SE}, {"absence of", NEG, FWD, SE},
  {"absent", NEG, BOTH, SE}, {"no evidence of", NEG, FWD, SE}, {"no sign of", NEG, FWD, SE},
  {"no signs of", NEG, FWD, SE}, {"resolution of", NEG, FWD, SE}, {"resolved", NEG, BOTH, SE},
  {"nor", NEG, FWD, SE}, {"neither", NEG, FWD, SE}, {"never", NEG, FWD, SE},
  {"ruled out", NEG, BACK, SE}, {"has been ruled out", NEG, BACK, SE}, {"excluded", NEG, BACK, SE},
  {"removal of", NEG, FWD, SE}, {"no longer", NEG, FWD, SE}, {"interval clearing of", NEG, FWD, SE},
  {"clearing of", NEG, FWD, SE}, {"cleared", NEG, BACK, SE}, {"has cleared", NEG, BACK, SE},
  /* after the finding: "pleural effusion is not seen" */
  {"not seen", NEG, BACK, SE}, {"not identified", NEG, BACK, SE}, {"not visualized", NEG, BACK, SE},
  {"not appreciated", NEG, BACK, SE}, {"not demonstrated", NEG, BACK, SE}, {"not present", NEG, BACK, SE},
  {"not evident", NEG, BACK, SE}, {"not detected", NEG, BACK, SE}, {"not noted", NEG, BACK, SE},
  {"not visible", NEG, BACK, SE}, {"no longer seen", NEG, BACK, SE}, {"no longer visualized", NEG, BACK, SE},
  {"no longer present", NEG, BACK, SE}, {"no longer evident", NEG, BACK, SE},
  {"no longer identified", NEG, BACK, SE}, {"no longer appreciated", NEG, BACK, SE},
  /* ---- English uncertainty ---- */
  {"possible", UNC, FWD, SE}, {"possibly", UNC, FWD, SE}, {"probable", UNC, FWD, SE},
  {"probably", UNC, FWD, SE}, {"may", UNC, FWD, SE}, {"might", UNC, FWD, SE}, {"could", UNC, FWD, SE},
  {"may represent", UNC, FWD, SE}, {"could represent", UNC, FWD, SE}, {"may be", UNC, FWD, SE},
  {"suspicious for", UNC, FWD, SE}, {"suspicion of", UNC, FWD, SE}, {"suspicion for", UNC, FWD, SE},
  {"suspected", UNC, FWD, SE}, {"questionable", UNC, FWD, SE}, {"question of", UNC, FWD, SE},
  {"concern for", UNC, FWD, SE}, {"concerning for", UNC, FWD, SE}, {"suggestive of", UNC, FWD, SE},
  {"suggesting", UNC, FWD, SE}, {"suggest", UNC, FWD, SE}, {"suggests", UNC, FWD, SE},
  {"cannot exclude", UNC, FWD, SE}, {"can not exclude", UNC, FWD, SE}, {"cannot rule out", UNC, FWD, SE},
  {"can not rule out", UNC, FWD, SE}, {"cannot be excluded", UNC, BACK, SE},
  {"can not be excluded", UNC, BACK, SE}, {"cannot be ruled out", UNC, BACK, SE},
  {"not excluded", UNC, BACK, SE}, {"not be excluded", UNC, BACK, SE}, {"not ruled out", UNC, BACK, SE},
  {"difficult to exclude", UNC, FWD, SE}, {"differential diagnosis", UNC, FWD, SE},
  {"versus", UNC, BOTH, SE}, {"vs", UNC, BOTH, SE}, {"equivocal", UNC, BOTH, SE},
  {"indeterminate", UNC, FWD, SE}, {"questioned", UNC, BACK, SE}, {"rule out", UNC, FWD, SE},
  {"to exclude", UNC, FWD, SE}, {"uncertain", UNC, FWD, SE},
  {"not certain", UNC, FWD, SE},
  /* ---- English pseudo-cues ---- */
  {"no change", PSEUDO, 0, SE}, {"no interval change", PSEUDO, 0, SE},
  {"no significant change", PSEUDO, 0, SE}, {"no significant interval change", PSEUDO, 0, SE},
  {"not changed", PSEUDO, 0, SE}, {"not significantly changed", PSEUDO, 0, SE},
  {"without change", PSEUDO, 0, SE}, {"without interval change", PSEUDO, 0, SE},
  {"no increase", PSEUDO, 0, SE}, {"no decrease", PSEUDO, 0, SE}, {"not only", PSEUDO, 0, SE},
  {"not necessarily", PSEUDO, 0, SE}, {"gram negative", PSEUDO, 0, SE}, {"no further", PSEUDO, 0, SE},
  {"not increased", PSEUDO, 0, SE}, {"not decreased", PSEUDO, 0, SE}, {"no worsening", PSEUDO, 0, SE},
  {"not well seen", PSEUDO, 0, SE}, {"not well visualized", PSEUDO, 0, SE},
  {"not entirely excluded", UNC, BACK, SE}, {"to suggest", PSEUDO, 0, SE},
  /* ---- English terminators ---- */
  {"but", TERM, 0, SE}, {"however", TERM, 0, SE}, {"although", TERM, 0, SE}, {"though", TERM, 0, SE},
  {"except", TERM, 0, SE}, {"aside from", TERM, 0, SE}, {"apart from", TERM, 0, SE},
  {"other than", TERM, 0, SE}, {"which", TERM, 0, SE}, {"whereas", TERM, 0, SE},
  {"there is", TERM, 0, SE}, {"there are", TERM, 0, SE}, {"there has been", TERM, 0, SE},
  {"there have been", TERM, 0, SE}, {"while", TERM, 0, SE}, {"yet", TERM, 0, SE},
  {NULL, 0, 0, 0}
};

/* English light morphology: applied to every English word of labels and text, so singular and
 * plural (effusion/effusions, opacity/opacities, mass/masses) and a few derivations
 * (calcified/calcification, atelectatic/atelectasis, fibrotic/fibrosis, edematous/edema)
 * reduce to the same stem. Longer suffixes first; the first rule that fits applies. */
const imt_suffix_rule imt_suffix_rules[] = {
  {"ifications", "ify", 3}, {"ification", "ify", 3}, {"ified", "ify", 3}, {"ifies", "ify", 3},
  {"ific", "ify", 3},
  {"ations", "ate", 3}, {"ation", "ate", 3}, {"ative", "ate", 3}, {"ated", "ate", 3},
  {"ates", "ate", 3},
  {"ematous", "ema", 3}, {"tatic", "tasis", 3}, {"otic", "osis", 3}, {"oses", "osis", 3},
  {"ements", "e", 3}, {"ement", "e", 3}, {"ening", "en", 3}, {"ened", "en", 3},
  {"ging", "ge", 3}, {"ged", "ge", 3},
  {"sses", "ss", 2}, {"xes", "x", 2}, {"ches", "ch", 2}, {"shes", "sh", 2}, {"ies", "y", 2},
  {"oraces", "orax", 2}, {"ices", "ex", 2}, {"ae", "a", 3},
  {"ing", "", 4}, {"ed", "", 4},
  /* protected endings: mass, hilus, atelectasis, emphysematous (handled above), -ous */
  {"ss", "ss", 1}, {"us", "us", 1}, {"is", "is", 1}, {"ous", "ous", 1}, {"as", "as", 1},
  {"s", "", 3},
  {NULL, NULL, 0}
};

/* Units whose word is ignored after a number ("5 mm", "2.3 cm", "60 HU"). */
const char *const imt_measure_units[] = {
  "mm", "cm", "m", "ml", "cc", "l", "hu", "mg", "g", "kg", "mmhg", "bpm", "ms", "s", "sec", "min",
  "mcg", "ug", "mci", "mbq", "msv", "mgy", "mm2", "cm2", "mm3", "cm3", "x", "in", "inch", "inches",
  "mm²", "cm²", "mm³", "cm³", "%", "kv", "mas", "t",
  NULL
};

const char *const imt_skip_words[] = {
  "is", "are", "was", "were", "be", "been", "being", "the",
  "mildly", "moderately", "markedly", "severely", "slightly", "minimally", "somewhat", "mild to moderately",
  "persistently", "still", "again", "now", "also", "very",
  NULL
};

const char *imt_cue_type_name(int type)
{
  switch (type) {
  case IMT_CUE_NEG: return "negation";
  case IMT_CUE_UNC: return "uncertainty";
  case IMT_CUE_PSEUDO: return "pseudo";
  case IMT_CUE_TERM: return "terminator";
  default: return "";
  }
}
