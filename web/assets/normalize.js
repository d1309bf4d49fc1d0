// normalize.js - the normalize playground (/normalize): report text in, mentions highlighted by
// status (present / absent / uncertain) and the list of concepts out. Offsets from the server
// are Unicode code points; the text is split into code points before slicing, so characters
// beyond U+FFFF (𠀀, emoji) never break the highlighting.

import { t, label, otherLabel, lang, has } from './i18n.js';
import { el, clear, codePoints, sliceCodePoints, announce } from './util.js';
import * as api from './api.js';

const SAMPLES = [
  { key: 'normalize.sampleZh', text: '右肺上叶见磨玻璃结节，边缘毛刺，未见胸腔积液。纵隔未见肿大淋巴结。右肺中叶片状实变影，考虑肺炎可能。' },
  { key: 'normalize.sampleEn', text: 'Small left pleural effusion. No pneumothorax. Possible right lower lobe consolidation. The heart is not enlarged.' },
  { key: 'normalize.sampleMixed', text: '肝右叶见一结节，动脉期高强化，门脉期廓清，可见包膜强化，考虑LR-5。未见门静脉癌栓。' },
];
const STATUSES = ['present', 'absent', 'uncertain'];
const state = { text: null, result: null, error: null, running: null, view: null };

// segments(text, mentions): [{text, mention|null}] covering text, mentions sorted by start and
// overlaps dropped (the earlier, then longer, mention wins); offsets are code points.
export function segments(text, mentions) {
  const cps = codePoints(text);
  const ms = mentions
    .filter((m) => Number.isInteger(m.start) && Number.isInteger(m.end) && m.start >= 0 && m.end > m.start && m.end <= cps.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out = [];
  let pos = 0;
  for (const m of ms) {
    if (m.start < pos) continue;
    if (m.start > pos) out.push({ text: sliceCodePoints(cps, pos, m.start), mention: null });
    out.push({ text: sliceCodePoints(cps, m.start, m.end), mention: m });
    pos = m.end;
  }
  if (pos < cps.length) out.push({ text: sliceCodePoints(cps, pos, cps.length), mention: null });
  return out;
}

function statusBadge(s) {
  return el('span', { class: 'badge status status-' + s }, has('status.' + s) ? t('status.' + s) : s);
}

function cueText(cue) {
  if (!cue) return '';
  if (typeof cue === 'string') return cue;
  return cue.text || cue.cue || '';
}

// render(main, ctx): draw the playground into main.
export function render(main) {
  if (state.text === null) state.text = SAMPLES[0].text;
  const input = el('textarea', { id: 'normalize-input', class: 'editor editor-text', rows: 6, spellcheck: 'false', 'aria-describedby': 'normalize-hint' });
  input.value = state.text;
  const runBtn = el('button', { type: 'submit', class: 'btn btn-primary', id: 'normalize-run' }, t('normalize.run'));
  const out = el('section', { class: 'normalize-out', 'aria-live': 'polite' });

  function setRunning(r) {
    runBtn.disabled = r;
    runBtn.textContent = r ? t('normalize.running') : t('normalize.run');
    out.setAttribute('aria-busy', String(r));
  }

  async function run() {
    const text = input.value;
    state.text = text;
    if (!text.trim()) { state.result = null; state.error = t('normalize.empty'); state.view.draw(); return; }
    if (state.running) state.running.abort();
    const ctrl = new AbortController();
    state.running = ctrl;
    state.view.setRunning(true);
    try {
      const json = await api.normalize(text, { signal: ctrl.signal });
      state.result = { text, mentions: Array.isArray(json.mentions) ? json.mentions : [] };
      state.error = null;
    } catch (e) {
      if (state.running !== ctrl) return;
      state.result = null;
      state.error = api.describeError(e, t);
    } finally {
      if (state.running === ctrl) { state.running = null; state.view.setRunning(false); }
    }
    state.view.draw();
    if (state.result) announce(t('normalize.count', { n: state.result.mentions.length }));
  }

  function draw() {
    clear(out);
    if (state.error) {
      out.append(el('div', { class: 'notice notice-error', role: 'alert' }, el('strong', null, t('normalize.error') + ': '), state.error));
      return;
    }
    const r = state.result;
    if (!r) return;
    const legend = el('ul', { class: 'legend', 'aria-label': t('normalize.status') },
      STATUSES.map((s) => el('li', null, el('mark', { class: 'mention st-' + s }, t('status.' + s)),
        ' ', el('span', { class: 'muted' }, String(r.mentions.filter((m) => m.status === s).length)))));
    const annotated = el('div', { class: 'annotated', lang: /[\u4e00-\u9fff]/.test(r.text) ? 'zh-CN' : 'en', id: 'normalize-annotated' });
    r.mentions.forEach((m, i) => { m._row = 'mention-row-' + i; });
    for (const seg of segments(r.text, r.mentions)) {
      if (!seg.mention) { annotated.append(document.createTextNode(seg.text)); continue; }
      const m = seg.mention;
      const c = m.concept || {};
      const st = STATUSES.includes(m.status) ? m.status : 'present';
      annotated.append(el('mark', {
        class: 'mention st-' + st, dataset: { status: st, concept: c.id || '' },
        title: (label(c.prefLabel) || c.id || '') + ' · ' + t('status.' + st) + (cueText(m.cue) ? ' · ' + t('normalize.cue') + ': ' + cueText(m.cue) : ''),
      }, seg.text, el('span', { class: 'offscreen' }, ' (' + t('status.' + st) + ')')));
    }
    out.append(el('h2', { class: 'card-title' }, t('normalize.result'), ' ', el('span', { class: 'muted small' }, t('normalize.count', { n: r.mentions.length }))),
      legend, annotated);
    out.append(el('h2', { class: 'card-title' }, t('normalize.concepts')));
    if (!r.mentions.length) { out.append(el('p', { class: 'muted' }, t('normalize.none'))); return; }
    out.append(el('div', { class: 'table-wrap' }, el('table', { class: 'data mentions' },
      el('thead', null, el('tr', null, ['normalize.text', 'normalize.concept', 'normalize.status', 'normalize.match', 'normalize.cue'].map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', null, r.mentions.map((m) => {
        const c = m.concept || {};
        const st = STATUSES.includes(m.status) ? m.status : 'present';
        const o = otherLabel(c.prefLabel);
        return el('tr', { id: m._row, dataset: { status: st } },
          el('td', null, m.text || ''),
          el('td', null, c.id
            ? el('a', { href: '/concept/' + encodeURIComponent(c.id), 'data-route': '' }, label(c.prefLabel) || c.id, o ? el('span', { class: 'muted' }, ' ' + o) : null, el('span', { class: 'muted small mono' }, ' ' + c.id))
            : ''),
          el('td', null, statusBadge(st)),
          el('td', null, has('match.' + m.match) ? t('match.' + m.match) : (m.match || '')),
          el('td', null, cueText(m.cue)));
      })))));
  }

  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
  });
  input.addEventListener('input', () => { state.text = input.value; });

  main.append(
    el('h1', { class: 'page-title' }, t('normalize.title')),
    el('p', { class: 'lead' }, t('normalize.lead')),
    el('form', { class: 'normalize-form', onsubmit: (ev) => { ev.preventDefault(); run(); } },
      el('label', { for: 'normalize-input', class: 'field-label' }, t('normalize.input')),
      input,
      el('div', { class: 'toolbar' }, runBtn,
        el('span', { id: 'normalize-hint', class: 'muted small' }, t('sparql.runHint')),
        el('span', { class: 'spacer' }),
        el('span', { class: 'small' }, t('normalize.samples')),
        SAMPLES.map((s) => el('button', { type: 'button', class: 'btn btn-small', onclick: () => { input.value = s.text; run(); } }, t(s.key))))),
    out);
  state.view = { draw, setRunning };
  if (state.running) setRunning(true);
  draw();
  if (!state.result && !state.error && !state.running && lang()) run();
  return undefined;
}
