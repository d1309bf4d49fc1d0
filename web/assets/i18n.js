// i18n.js - the UI strings in Chinese and English, the current UI language (Chinese by default,
// remembered in localStorage) and helpers to pick a concept's label in that language.

const STORE_KEY = 'imterm.lang';

const STRINGS = {
  zh: {
    'app.title': 'imterm 医学影像术语',
    'app.tagline': '中英双语医学影像术语服务',
    'skip': '跳到主要内容',
    'nav.browse': '浏览',
    'nav.query': 'SPARQL 查询',
    'nav.normalize': '文本规范化',
    'nav.curation': '术语审核',
    'nav.menu': '导航',
    'lang.switch': 'English',
    'lang.switchLabel': 'Switch the interface to English',
    'search.label': '搜索术语',
    'search.placeholder': '搜索术语：中文、英文、拼音或代码',
    'search.none': '没有找到匹配的术语',
    'search.error': '搜索失败',
    'search.count': '{n} 个结果',
    'search.matched': '匹配：',
    'search.hint': '↑↓ 选择，回车打开，Esc 关闭',
    'match.exact': '精确',
    'match.prefLabel': '首选名',
    'match.synonym': '同义词',
    'match.altLabel': '同义词',
    'match.prefix': '前缀',
    'match.wordPrefix': '词前缀',
    'match.word_prefix': '词前缀',
    'match.substring': '包含',
    'match.fuzzy': '近似',
    'match.pinyin': '拼音',
    'match.code': '代码',
    'match.id': '编号',
    'match.variant': '变体',
    'tree.title': '概念树',
    'tree.label': '术语概念树',
    'tree.loading': '加载中…',
    'tree.error': '无法加载概念树',
    'tree.more': '再加载 {n} 个',
    'tree.children': '{n} 个下位概念',
    'tree.toggle': '显示概念树',
    'tree.help': '方向键浏览，→ 展开，← 折叠，回车打开',
    'home.title': '欢迎使用 imterm',
    'home.lead': '一个中英双语的医学影像术语服务：影像表现、征象、描述词与报告分类，映射到 RadLex、SNOMED CT、NCIt 和 DICOM。',
    'home.search': '在上方搜索框输入中文、英文或拼音，例如：',
    'home.browse': '或在左侧的概念树中逐级浏览。',
    'home.tools': '更多工具',
    'home.query': '用 SPARQL 查询术语库（含示例查询）',
    'home.normalize': '把报告文本规范化为概念，识别否定与不确定',
    'home.stats': '术语库：{n} 个概念',
    'concept.loading': '正在加载概念…',
    'concept.notFound': '找不到概念 {id}',
    'concept.error': '无法加载概念',
    'concept.id': '编号',
    'concept.iri': 'IRI',
    'concept.synonyms': '同义词',
    'concept.definition': '定义',
    'concept.parents': '上位概念',
    'concept.children': '下位概念',
    'concept.noParents': '（顶层概念）',
    'concept.noChildren': '（无下位概念）',
    'concept.moreChildren': '还有 {n} 个下位概念',
    'concept.mappings': '外部术语映射',
    'concept.noMappings': '暂无外部映射',
    'concept.system': '术语系统',
    'concept.code': '代码',
    'concept.display': '名称',
    'concept.predicate': '关系',
    'concept.dicom': 'DICOM 编码三元组',
    'concept.dicomHelp': '（CodeValue, CodingSchemeDesignator, CodeMeaning），可直接用于 DICOM SR / SEG',
    'concept.noDicom': '此概念没有可用的编码三元组',
    'concept.copy': '复制',
    'concept.copyIri': '复制 IRI',
    'concept.copied': '已复制',
    'concept.copyFailed': '复制失败',
    'concept.downloads': '下载',
    'concept.kind': '类型',
    'kind.finding': '影像表现',
    'kind.sign': '征象',
    'kind.descriptor': '描述词',
    'kind.grouping': '分组',
    'kind.category': '报告分类',
    'kind.assessmentCategory': '报告分类',
    'concept.deprecatedBadge': '已停用',
    'concept.deprecated': '此概念已停用。',
    'concept.replacedBy': '请改用：',
    'concept.zh': '中文',
    'concept.en': '英文',
    'concept.none': '—',
    'concept.showInTree': '在概念树中定位',
    'concept.openIn': '在 {s} 浏览器中打开 {c}（外部网站）',
    'pred.skos:exactMatch': '等同',
    'pred.skos:closeMatch': '近似',
    'pred.skos:broadMatch': '更宽',
    'pred.skos:narrowMatch': '更窄',
    'pred.skos:relatedMatch': '相关',
    'sparql.title': 'SPARQL 查询控制台',
    'sparql.lead': '用 SPARQL 1.1 查询术语库。只读；单个查询有时间和行数上限。',
    'sparql.examples': '示例查询',
    'sparql.editor': 'SPARQL 查询',
    'sparql.run': '运行',
    'sparql.running': '正在运行…',
    'sparql.runHint': 'Ctrl+Enter 运行',
    'sparql.cancel': '取消',
    'sparql.rows': '{n} 行',
    'sparql.time': '用时 {t} 毫秒',
    'sparql.truncated': '结果已截断：只显示了服务器返回的前 {n} 行。请加 LIMIT 或缩小查询范围。',
    'sparql.noRows': '查询成功，但没有结果行。',
    'sparql.ask.true': 'ASK 的结果：是（true）',
    'sparql.ask.false': 'ASK 的结果：否（false）',
    'sparql.downloadCsv': '下载 CSV',
    'sparql.downloadJson': '下载 JSON',
    'sparql.error': '查询出错',
    'sparql.timeout': '查询超时：服务器在时间上限内没有算完。请缩小范围、加 LIMIT，或先用选择性更强的条件。',
    'sparql.busy': '服务器繁忙，请稍后再试。',
    'sparql.network': '无法连接服务器',
    'sparql.clientTimeout': '等待超过 {s} 秒，已放弃。',
    'sparql.cancelled': '已取消查询。',
    'sparql.empty': '请先输入查询。',
    'sparql.graph': 'CONSTRUCT/DESCRIBE 的结果（Turtle）：',
    'sparql.results': '查询结果',
    'normalize.title': '报告文本规范化',
    'normalize.lead': '粘贴一段影像报告（中文或英文），系统标出其中的术语，并判断是阳性、阴性（否定）还是不确定。',
    'normalize.input': '报告文本',
    'normalize.run': '分析',
    'normalize.running': '正在分析…',
    'normalize.samples': '示例：',
    'normalize.sampleZh': '中文胸部 CT',
    'normalize.sampleEn': '英文胸片',
    'normalize.sampleMixed': '中文肝脏 MRI',
    'normalize.result': '标注结果',
    'normalize.concepts': '识别到的概念',
    'normalize.none': '没有识别到术语。',
    'normalize.error': '分析失败',
    'normalize.text': '原文',
    'normalize.concept': '概念',
    'normalize.status': '状态',
    'normalize.match': '匹配',
    'normalize.cue': '触发词',
    'normalize.count': '{n} 处提及',
    'normalize.empty': '请先输入文本。',
    'status.present': '阳性（存在）',
    'status.absent': '阴性（否定）',
    'status.uncertain': '不确定',
    'curation.title': '术语审核',
    'curation.missing': '术语审核模块尚未安装（/assets/curation.js 不存在）。',
    'curation.failed': '术语审核模块加载失败：',
    'error.title': '出错了',
    'error.api': '服务器返回错误 {status}',
    'error.network': '无法连接服务器，请检查 imterm 是否在运行。',
    'error.notFoundPage': '没有这个页面',
    'footer.api': 'API 文档',
    'footer.dataset': '数据集描述',
    'footer.sparql': 'SPARQL 端点',
  },
  en: {
    'app.title': 'imterm imaging terminology',
    'app.tagline': 'Bilingual medical imaging terminology',
    'skip': 'Skip to main content',
    'nav.browse': 'Browse',
    'nav.query': 'SPARQL query',
    'nav.normalize': 'Normalize text',
    'nav.curation': 'Curation',
    'nav.menu': 'Navigation',
    'lang.switch': '中文',
    'lang.switchLabel': '将界面切换为中文',
    'search.label': 'Search terms',
    'search.placeholder': 'Search terms: Chinese, English, pinyin or code',
    'search.none': 'No matching terms',
    'search.error': 'Search failed',
    'search.count': '{n} results',
    'search.matched': 'matched: ',
    'search.hint': '↑↓ to choose, Enter to open, Esc to close',
    'match.exact': 'exact',
    'match.prefLabel': 'preferred',
    'match.synonym': 'synonym',
    'match.altLabel': 'synonym',
    'match.prefix': 'prefix',
    'match.wordPrefix': 'word prefix',
    'match.word_prefix': 'word prefix',
    'match.substring': 'contains',
    'match.fuzzy': 'fuzzy',
    'match.pinyin': 'pinyin',
    'match.code': 'code',
    'match.id': 'id',
    'match.variant': 'variant',
    'tree.title': 'Concept tree',
    'tree.label': 'Terminology concept tree',
    'tree.loading': 'Loading…',
    'tree.error': 'Cannot load the concept tree',
    'tree.more': 'Load {n} more',
    'tree.children': '{n} narrower concepts',
    'tree.toggle': 'Show the concept tree',
    'tree.help': 'Arrow keys move, → expands, ← collapses, Enter opens',
    'home.title': 'Welcome to imterm',
    'home.lead': 'A bilingual Chinese–English terminology of imaging findings, signs, descriptors and reporting categories, mapped to RadLex, SNOMED CT, NCIt and DICOM.',
    'home.search': 'Type Chinese, English or pinyin into the search box above, for example:',
    'home.browse': 'Or browse the concept tree level by level.',
    'home.tools': 'More tools',
    'home.query': 'Query the terminology with SPARQL (worked examples included)',
    'home.normalize': 'Normalize report text to concepts, with negation and uncertainty',
    'home.stats': 'Vocabulary: {n} concepts',
    'concept.loading': 'Loading concept…',
    'concept.notFound': 'No concept {id}',
    'concept.error': 'Cannot load the concept',
    'concept.id': 'Id',
    'concept.iri': 'IRI',
    'concept.synonyms': 'Synonyms',
    'concept.definition': 'Definition',
    'concept.parents': 'Broader concepts',
    'concept.children': 'Narrower concepts',
    'concept.noParents': '(top concept)',
    'concept.noChildren': '(no narrower concepts)',
    'concept.moreChildren': '{n} more narrower concepts',
    'concept.mappings': 'Mappings to other terminologies',
    'concept.noMappings': 'No mappings yet',
    'concept.system': 'System',
    'concept.code': 'Code',
    'concept.display': 'Name',
    'concept.predicate': 'Relation',
    'concept.dicom': 'DICOM code triplet',
    'concept.dicomHelp': '(CodeValue, CodingSchemeDesignator, CodeMeaning), ready for DICOM SR / SEG',
    'concept.noDicom': 'No code triplet is available for this concept',
    'concept.copy': 'Copy',
    'concept.copyIri': 'Copy IRI',
    'concept.copied': 'Copied',
    'concept.copyFailed': 'Copy failed',
    'concept.downloads': 'Download',
    'concept.kind': 'Kind',
    'kind.finding': 'finding',
    'kind.sign': 'sign',
    'kind.descriptor': 'descriptor',
    'kind.grouping': 'grouping',
    'kind.category': 'assessment category',
    'kind.assessmentCategory': 'assessment category',
    'concept.deprecatedBadge': 'deprecated',
    'concept.deprecated': 'This concept is deprecated.',
    'concept.replacedBy': 'Use instead: ',
    'concept.zh': 'Chinese',
    'concept.en': 'English',
    'concept.none': '—',
    'concept.showInTree': 'Show in tree',
    'concept.openIn': 'Open {c} in the {s} browser (external site)',
    'pred.skos:exactMatch': 'exact',
    'pred.skos:closeMatch': 'close',
    'pred.skos:broadMatch': 'broader',
    'pred.skos:narrowMatch': 'narrower',
    'pred.skos:relatedMatch': 'related',
    'sparql.title': 'SPARQL console',
    'sparql.lead': 'Query the terminology with SPARQL 1.1. Read-only; each query has a time and row limit.',
    'sparql.examples': 'Example queries',
    'sparql.editor': 'SPARQL query',
    'sparql.run': 'Run',
    'sparql.running': 'Running…',
    'sparql.runHint': 'Ctrl+Enter runs',
    'sparql.cancel': 'Cancel',
    'sparql.rows': '{n} rows',
    'sparql.time': '{t} ms',
    'sparql.truncated': 'Result truncated: only the first {n} rows the server returned are shown. Add a LIMIT or narrow the query.',
    'sparql.noRows': 'The query succeeded but returned no rows.',
    'sparql.ask.true': 'ASK result: true',
    'sparql.ask.false': 'ASK result: false',
    'sparql.downloadCsv': 'Download CSV',
    'sparql.downloadJson': 'Download JSON',
    'sparql.error': 'Query error',
    'sparql.timeout': 'Query timed out: the server did not finish within its time limit. Narrow the query, add a LIMIT, or start from a more selective pattern.',
    'sparql.busy': 'The server is busy; try again shortly.',
    'sparql.network': 'Cannot reach the server',
    'sparql.clientTimeout': 'Gave up after waiting {s} s.',
    'sparql.cancelled': 'Query cancelled.',
    'sparql.empty': 'Enter a query first.',
    'sparql.graph': 'CONSTRUCT/DESCRIBE result (Turtle):',
    'sparql.results': 'Results',
    'normalize.title': 'Normalize report text',
    'normalize.lead': 'Paste an imaging report (Chinese or English): the terms in it are marked and classed as present, absent (negated) or uncertain.',
    'normalize.input': 'Report text',
    'normalize.run': 'Analyze',
    'normalize.running': 'Analyzing…',
    'normalize.samples': 'Examples:',
    'normalize.sampleZh': 'Chinese chest CT',
    'normalize.sampleEn': 'English chest X-ray',
    'normalize.sampleMixed': 'Chinese liver MRI',
    'normalize.result': 'Annotated text',
    'normalize.concepts': 'Concepts found',
    'normalize.none': 'No terms found.',
    'normalize.error': 'Analysis failed',
    'normalize.text': 'Text',
    'normalize.concept': 'Concept',
    'normalize.status': 'Status',
    'normalize.match': 'Match',
    'normalize.cue': 'Cue',
    'normalize.count': '{n} mentions',
    'normalize.empty': 'Enter some text first.',
    'status.present': 'present',
    'status.absent': 'absent (negated)',
    'status.uncertain': 'uncertain',
    'curation.title': 'Curation',
    'curation.missing': 'The curation module is not installed (/assets/curation.js is missing).',
    'curation.failed': 'The curation module failed to load: ',
    'error.title': 'Something went wrong',
    'error.api': 'The server answered with error {status}',
    'error.network': 'Cannot reach the server: is imterm running?',
    'error.notFoundPage': 'No such page',
    'footer.api': 'API docs',
    'footer.dataset': 'Dataset description',
    'footer.sparql': 'SPARQL endpoint',
  },
};

let current = 'zh';
try {
  const saved = localStorage.getItem(STORE_KEY);
  if (saved === 'zh' || saved === 'en') current = saved;
} catch (e) { /* storage blocked: stay with the default */ }

const listeners = new Set();

// lang(): the current UI language, 'zh' or 'en'.
export function lang() {
  return current;
}

// other(): the language that is not the UI language.
export function other() {
  return current === 'zh' ? 'en' : 'zh';
}

// setLang(l): switch the UI language, remember it and tell every listener.
export function setLang(l) {
  if (l !== 'zh' && l !== 'en' || l === current) return;
  current = l;
  try { localStorage.setItem(STORE_KEY, l); } catch (e) { /* not remembered */ }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  for (const fn of listeners) fn(l);
}

// onLangChange(fn): call fn(lang) after each switch; returns an unsubscribe function.
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// t(key, vars): the UI string for key in the current language with {name} filled from vars.
export function t(key, vars) {
  let s = STRINGS[current][key];
  if (s === undefined) s = STRINGS.en[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

// has(key): whether a UI string exists.
export function has(key) {
  return STRINGS[current][key] !== undefined;
}

// label(obj): the text of a {zh, en} label object in the UI language, falling back to the other.
export function label(obj) {
  if (!obj) return '';
  if (typeof obj === 'string') return obj;
  return obj[current] || obj[other()] || '';
}

// otherLabel(obj): the label in the other language, or '' when it is absent or the same.
export function otherLabel(obj) {
  if (!obj || typeof obj === 'string') return '';
  const a = label(obj);
  const b = obj[other()] || '';
  return b && b !== a ? b : '';
}

// langAttr(l): the BCP 47 tag to put in a lang attribute for text in language l.
export function langAttr(l) {
  return l === 'zh' ? 'zh-CN' : l;
}
