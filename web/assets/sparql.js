// sparql.js - the SPARQL console (/query): an editor with worked example queries for data
// stewards, a results table (imterm IRIs link to concept pages), CSV/JSON downloads, and
// clear messages for syntax errors, refused features, timeouts and a busy server.

import { t, lang } from './i18n.js';
import { el, clear, downloadBlob, announce, conceptIdOfIri } from './util.js';
import * as api from './api.js';

const PREFIXES = `PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX imt:  <https://w3id.org/imterm/concept/>
PREFIX imtv: <https://w3id.org/imterm/>
PREFIX imto: <https://w3id.org/imterm/ontology#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX dct:  <http://purl.org/dc/terms/>
`;

// Worked examples. Rasqal has no property paths, FILTER NOT EXISTS or MINUS: the store
// materializes skos:narrower, skos:broaderTransitive and skos:narrowerTransitive instead.
// A FILTER applies at the end of its group, so the text filters sit in their own { } group
// with the one pattern they test: Rasqal then filters before joining (milliseconds instead of
// seconds). Each example is run by tests/browser/app.test.mjs and must return rows.
export const EXAMPLES = [
  {
    id: 'top', zh: '顶层分支', en: 'Top-level branches',
    dzh: '概念树的顶层概念及其中英文名称。', den: 'The top concepts of the tree with their Chinese and English labels.',
    q: `SELECT ?concept ?zh ?en WHERE {
  ?concept skos:topConceptOf imtv:scheme ;
           skos:prefLabel ?zh , ?en .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}
ORDER BY ?concept`,
  },
  {
    id: 'children', zh: '下位概念', en: 'Children of a concept',
    dzh: '“肺实质密度增高影”的直接下位概念。', den: 'The direct children of “increased lung attenuation findings”.',
    q: `SELECT ?child ?zh ?en WHERE {
  ?child skos:broader imt:IMT0001003 ;
         skos:prefLabel ?zh , ?en .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}
ORDER BY ?en`,
  },
  {
    id: 'ancestors', zh: '所有上位概念', en: 'All ancestors',
    dzh: '磨玻璃影的所有上位概念（用物化的 skos:broaderTransitive，代替属性路径 broader+）。', den: 'Every ancestor of ground-glass opacity, through the materialized skos:broaderTransitive (instead of the property path broader+).',
    q: `SELECT ?ancestor ?zh ?en WHERE {
  imt:IMT0001100 skos:broaderTransitive ?ancestor .
  ?ancestor skos:prefLabel ?zh , ?en .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}`,
  },
  {
    id: 'descendants', zh: '整个分支', en: 'A whole branch',
    dzh: '“胸部影像表现”之下的全部概念（skos:narrowerTransitive）。', den: 'Every concept under “chest imaging finding” (skos:narrowerTransitive).',
    q: `SELECT ?concept ?zh ?en WHERE {
  imt:IMT0000010 skos:narrowerTransitive ?concept .
  ?concept skos:prefLabel ?zh , ?en .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}
ORDER BY ?en
LIMIT 500`,
  },
  {
    id: 'label-zh', zh: '中文名称检索', en: 'Chinese label search',
    dzh: '首选名含“积液”的概念。', den: 'Concepts whose Chinese preferred label contains 积液 (effusion).',
    q: `SELECT ?concept ?zh ?en WHERE {
  { ?concept skos:prefLabel ?zh .
    FILTER(LANG(?zh) = "zh" && CONTAINS(STR(?zh), "积液")) }
  ?concept skos:prefLabel ?en .
  FILTER(LANG(?en) = "en")
}
ORDER BY ?zh`,
  },
  {
    id: 'label-en', zh: '英文同义词检索', en: 'English synonym search',
    dzh: '英文同义词中含 “nodule” 的概念。', den: 'Concepts with an English synonym containing “nodule”.',
    q: `SELECT ?concept ?synonym ?zh WHERE {
  { ?concept skos:altLabel ?synonym .
    FILTER(LANG(?synonym) = "en" && CONTAINS(LCASE(STR(?synonym)), "nodule")) }
  ?concept skos:prefLabel ?zh .
  FILTER(LANG(?zh) = "zh")
}
ORDER BY ?synonym`,
  },
  {
    id: 'crosswalk', zh: 'RadLex ↔ SNOMED CT 对照', en: 'Crosswalk RadLex ↔ SNOMED CT',
    dzh: '同时与 RadLex 和 SNOMED CT 等同的概念及两边的代码。', den: 'Concepts with an exact match in both RadLex and SNOMED CT, with both codes.',
    q: `SELECT ?concept ?en ?radlex ?snomed WHERE {
  { ?concept skos:exactMatch ?radlex .
    FILTER(STRSTARTS(STR(?radlex), "http://radlex.org/RID/")) }
  { ?concept skos:exactMatch ?snomed .
    FILTER(STRSTARTS(STR(?snomed), "http://snomed.info/id/")) }
  ?concept skos:prefLabel ?en .
  FILTER(LANG(?en) = "en")
}
ORDER BY ?en`,
  },
  {
    id: 'branch-mappings', zh: '分支的外部映射', en: 'Mappings of a branch',
    dzh: '“肺实质密度增高影”各下位概念的全部等同映射（RadLex、SNOMED CT、NCIt、DICOM）。', den: 'Every exact mapping (RadLex, SNOMED CT, NCIt, DICOM) of the children of “increased lung attenuation findings”.',
    q: `SELECT ?concept ?en ?target WHERE {
  imt:IMT0001003 skos:narrower ?concept .
  ?concept skos:exactMatch ?target ;
           skos:prefLabel ?en .
  FILTER(LANG(?en) = "en")
}
ORDER BY ?en`,
  },
  {
    id: 'counts', zh: '各分支概念数', en: 'Concepts per branch',
    dzh: '每个顶层分支之下的概念数量。', den: 'How many concepts lie under each top-level branch.',
    q: `SELECT ?branch (COUNT(?concept) AS ?concepts) WHERE {
  ?branch skos:topConceptOf imtv:scheme .
  ?concept skos:broaderTransitive ?branch .
}
GROUP BY ?branch
ORDER BY DESC(?concepts)`,
  },
  {
    id: 'kinds', zh: '按概念类型计数', en: 'Concepts per kind',
    dzh: '表现、征象、描述词、分类和分组各有多少。', den: 'How many findings, signs, descriptors, categories and groupings there are.',
    q: `SELECT ?kind (COUNT(?concept) AS ?concepts) WHERE {
  ?concept a ?kind .
  FILTER(STRSTARTS(STR(?kind), "https://w3id.org/imterm/ontology#"))
}
GROUP BY ?kind
ORDER BY DESC(?concepts)`,
  },
  {
    id: 'ask', zh: '是否属于某分支（ASK）', en: 'Is it in a branch? (ASK)',
    dzh: '磨玻璃影是否在“胸部影像表现”之下？', den: 'Is ground-glass opacity under “chest imaging finding”?',
    q: `ASK {
  imt:IMT0001100 skos:broaderTransitive ?ancestor .
  FILTER(?ancestor = imt:IMT0000010)
}`,
  },
  {
    id: 'deprecated', zh: '已停用的概念', en: 'Deprecated concepts',
    dzh: '已停用（owl:deprecated）的概念及替代它们的概念。', den: 'Deprecated (owl:deprecated) concepts and the concepts that replace them.',
    q: `SELECT ?concept ?en ?replacement WHERE {
  ?concept owl:deprecated true ;
           skos:prefLabel ?en .
  FILTER(LANG(?en) = "en")
  OPTIONAL { ?concept dct:isReplacedBy ?replacement }
}`,
  },
];

const STORE_KEY = 'imterm.sparql.query';
// State kept across re-renders (language switch, navigation away and back).
const state = { query: null, result: null, error: null, ms: 0, running: null, example: null, view: null };

function defaultQuery() {
  return PREFIXES + '\n' + EXAMPLES[0].q + '\n';
}

// Namespaces shown as prefixed names in the results table (the full IRI stays in the tooltip).
const SHORT = [
  ['skos:', 'http://www.w3.org/2004/02/skos/core#'], ['rdf:', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'],
  ['rdfs:', 'http://www.w3.org/2000/01/rdf-schema#'], ['owl:', 'http://www.w3.org/2002/07/owl#'],
  ['xsd:', 'http://www.w3.org/2001/XMLSchema#'], ['dct:', 'http://purl.org/dc/terms/'],
  ['imto:', 'https://w3id.org/imterm/ontology#'], ['imtsrc:', 'https://w3id.org/imterm/source/'],
  ['RADLEX:', 'http://radlex.org/RID/'], ['SCT:', 'http://snomed.info/id/'],
  ['NCIT:', 'http://purl.obolibrary.org/obo/NCIT_'], ['DCM:', 'http://dicom.nema.org/resources/ontology/DCM/'],
];

function shortIri(iri) {
  for (const [p, ns] of SHORT) {
    if (iri.startsWith(ns) && /^[\w.-]+$/.test(iri.slice(ns.length))) return p + iri.slice(ns.length);
  }
  return iri;
}

// termCell(term): the table cell content for one SPARQL JSON result term.
function termCell(term) {
  if (!term) return el('span', { class: 'unbound', 'aria-label': 'unbound' }, '');
  if (term.type === 'uri') {
    const id = conceptIdOfIri(term.value);
    if (id) return el('a', { href: '/concept/' + encodeURIComponent(id), 'data-route': '', class: 'iri', title: term.value }, 'imt:' + id);
    const short = shortIri(term.value);
    return el('span', { class: 'iri', title: short !== term.value ? term.value : null }, short);
  }
  if (term.type === 'bnode') return el('span', { class: 'bnode' }, '_:' + term.value);
  const tagLang = term['xml:lang'] || term.lang;
  return el('span', { class: 'literal', lang: tagLang || null }, term.value,
    tagLang ? el('span', { class: 'lang-tag' }, '@' + tagLang) : null,
    term.datatype && !tagLang && !/#string$/.test(term.datatype) ? el('span', { class: 'dt' }, '^^' + shortIri(term.datatype)) : null);
}

// errorText(e): what went wrong, in words a steward can act on.
function errorText(e) {
  if (e instanceof api.ApiError) {
    if (e.code === 'aborted') return t('sparql.cancelled');
    if (e.status === 0 && e.code === 'client_timeout') return t('sparql.clientTimeout', { s: e.extra.seconds });
    if (e.status === 0) return t('sparql.network') + ': ' + e.message;
    if (e.status === 503 && /timeout|time/i.test(e.code + ' ' + e.message)) return t('sparql.timeout') + (e.message ? ' (' + e.message + ')' : '');
    if (e.status === 503 || e.status === 429) return t('sparql.busy') + (e.message ? ' (' + e.message + ')' : '');
    return (e.message || t('error.api', { status: e.status })) + (e.code ? '  [' + e.status + ' ' + e.code + ']' : '  [' + e.status + ']');
  }
  return String(e && e.message || e);
}

// render(main, ctx): draw the console into main.
export function render(main) {
  if (state.query === null) {
    let saved = null;
    try { saved = localStorage.getItem(STORE_KEY); } catch (e) { saved = null; }
    state.query = saved || defaultQuery();
  }
  const editor = el('textarea', {
    id: 'sparql-editor', class: 'editor', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
    rows: 14, 'aria-describedby': 'sparql-hint', wrap: 'off',
  });
  editor.value = state.query;
  const runBtn = el('button', { type: 'submit', class: 'btn btn-primary', id: 'sparql-run' }, t('sparql.run'));
  const cancelBtn = el('button', { type: 'button', class: 'btn', hidden: true }, t('sparql.cancel'));
  const out = el('section', { class: 'sparql-out', 'aria-live': 'polite', 'aria-labelledby': 'sparql-out-title' });

  const exampleList = el('ul', { class: 'examples' });
  for (const ex of EXAMPLES) {
    exampleList.append(el('li', null, el('button', {
      type: 'button', class: 'example' + (state.example === ex.id ? ' current' : ''), dataset: { example: ex.id },
      'aria-pressed': String(state.example === ex.id),
      onclick: () => {
        state.example = ex.id;
        editor.value = PREFIXES + '\n' + ex.q + '\n';
        state.query = editor.value;
        exampleList.querySelectorAll('.example').forEach((b) => {
          b.classList.toggle('current', b.dataset.example === ex.id);
          b.setAttribute('aria-pressed', String(b.dataset.example === ex.id));
        });
        run();
      },
    }, el('strong', null, lang() === 'zh' ? ex.zh : ex.en), el('span', null, lang() === 'zh' ? ex.dzh : ex.den))));
  }

  function setRunning(r) {
    runBtn.disabled = !!r;
    runBtn.textContent = r ? t('sparql.running') : t('sparql.run');
    cancelBtn.hidden = !r;
    out.setAttribute('aria-busy', String(!!r));
  }

  async function run() {
    const q = editor.value;
    state.query = q;
    try { localStorage.setItem(STORE_KEY, q); } catch (e) { /* not remembered */ }
    if (!q.trim()) { state.result = null; state.error = t('sparql.empty'); state.view.draw(); return; }
    if (state.running) state.running.abort();
    const ctrl = new AbortController();
    state.running = ctrl;
    state.view.setRunning(true);
    const t0 = performance.now();
    try {
      const res = await api.sparql(q, 'application/sparql-results+json, text/turtle;q=0.9', { signal: ctrl.signal });
      const type = (res.headers.get('Content-Type') || '').toLowerCase();
      const text = await res.text();
      state.ms = Math.round(performance.now() - t0);
      if (type.includes('json') && !type.includes('ld+json')) {
        state.result = { kind: 'json', json: JSON.parse(text), text, truncated: res.headers.get('X-Imterm-Truncated') || res.headers.get('X-Truncated') };
      } else {
        state.result = { kind: 'graph', text, type };
      }
      state.error = null;
    } catch (e) {
      if (state.running !== ctrl) return;
      state.result = null;
      state.error = errorText(e);
    } finally {
      if (state.running === ctrl) { state.running = null; state.view.setRunning(false); }
    }
    state.view.draw();
    announce(state.error ? t('sparql.error') : state.view.out.querySelector('.result-summary')?.textContent || '');
  }

  async function downloadCsv() {
    try {
      const res = await api.sparql(editor.value, 'text/csv');
      downloadBlob('imterm-query.csv', 'text/csv;charset=utf-8', await res.text());
    } catch (e) {
      state.error = errorText(e);
      draw();
    }
  }

  function draw() {
    clear(out);
    out.append(el('h2', { id: 'sparql-out-title', class: 'offscreen' }, t('sparql.results')));
    if (state.error) {
      out.append(el('div', { class: 'notice notice-error sparql-error', role: 'alert' }, el('strong', null, t('sparql.error') + ': '), el('span', { class: 'pre' }, state.error)));
      return;
    }
    const r = state.result;
    if (!r) return;
    if (r.kind === 'graph') {
      out.append(el('p', { class: 'result-summary' }, t('sparql.graph') + ' ' + t('sparql.time', { t: state.ms })),
        el('pre', { class: 'graph-out' }, r.text),
        el('div', { class: 'toolbar' }, el('button', { type: 'button', class: 'btn btn-small', onclick: () => downloadBlob('imterm-query.ttl', 'text/turtle', r.text) }, 'Turtle')));
      return;
    }
    const json = r.json;
    if (typeof json.boolean === 'boolean') {
      out.append(el('p', { class: 'result-summary ask-result ask-' + json.boolean }, t(json.boolean ? 'sparql.ask.true' : 'sparql.ask.false'), ' · ', t('sparql.time', { t: state.ms })));
      return;
    }
    const vars = (json.head && json.head.vars) || [];
    const rows = (json.results && json.results.bindings) || [];
    const truncated = r.truncated || (json.results && json.results.truncated) || json.truncated;
    out.append(el('div', { class: 'toolbar' },
      el('p', { class: 'result-summary' }, t('sparql.rows', { n: rows.length }), ' · ', t('sparql.time', { t: state.ms })),
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', class: 'btn btn-small', onclick: downloadCsv }, t('sparql.downloadCsv')),
      el('button', { type: 'button', class: 'btn btn-small', onclick: () => downloadBlob('imterm-query.json', 'application/sparql-results+json', r.text) }, t('sparql.downloadJson'))));
    if (truncated) out.append(el('div', { class: 'notice notice-warn', role: 'note' }, t('sparql.truncated', { n: rows.length })));
    if (!rows.length) { out.append(el('p', { class: 'muted' }, t('sparql.noRows'))); return; }
    out.append(el('div', { class: 'table-wrap results-wrap' }, el('table', { class: 'data results' },
      el('thead', null, el('tr', null, el('th', { scope: 'col', class: 'rownum' }, '#'), vars.map((v) => el('th', { scope: 'col' }, '?' + v)))),
      el('tbody', null, rows.map((b, i) => el('tr', null, el('td', { class: 'rownum' }, String(i + 1)), vars.map((v) => el('td', null, termCell(b[v])))))))));
  }

  editor.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
    // Tab inserts two spaces; Escape then Tab leaves the editor (keyboard users are not trapped)
    if (ev.key === 'Tab' && !ev.shiftKey && !editor.dataset.escaped) {
      ev.preventDefault();
      editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
    }
    if (ev.key === 'Escape') editor.dataset.escaped = '1';
    else if (ev.key !== 'Tab') delete editor.dataset.escaped;
  });
  editor.addEventListener('input', () => { state.query = editor.value; });
  cancelBtn.addEventListener('click', () => { if (state.running) state.running.abort(); });

  const form = el('form', { class: 'sparql-form', onsubmit: (ev) => { ev.preventDefault(); run(); } },
    el('label', { for: 'sparql-editor', class: 'field-label' }, t('sparql.editor')),
    editor,
    el('div', { class: 'toolbar' }, runBtn, cancelBtn,
      el('span', { id: 'sparql-hint', class: 'muted small' }, t('sparql.runHint') + ' · Esc, Tab ⇥'),
      el('span', { class: 'spacer' }),
      el('a', { href: '/sparql', class: 'small', target: '_blank', rel: 'noopener' }, t('footer.sparql') + ': /sparql')));

  main.append(
    el('h1', { class: 'page-title' }, t('sparql.title')),
    el('p', { class: 'lead' }, t('sparql.lead')),
    el('div', { class: 'sparql-layout' },
      el('div', { class: 'sparql-main' }, form, out),
      el('aside', { class: 'sparql-examples', 'aria-labelledby': 'examples-title' },
        el('h2', { id: 'examples-title', class: 'card-title' }, t('sparql.examples')), exampleList)));
  state.view = { draw, setRunning, out };
  if (state.running) setRunning(true);
  draw();
  return () => { /* a running query keeps going; its result shows when the console is opened again */ };
}
