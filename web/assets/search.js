// search.js - the search box with autocomplete: a WAI-ARIA combobox (input + listbox) fed by
// /api/search as the user types Chinese, English or pinyin; ↑/↓/Home/End move, Enter opens,
// Escape closes; the matched part of each suggestion is highlighted.

import { t, label, otherLabel, has, lang } from './i18n.js';
import { el, clear, highlight, debounce, announce } from './util.js';
import * as api from './api.js';

let counter = 0;

// createSearch(slot, {onPick}): build the search box inside slot; onPick(id) is called when a
// suggestion is chosen. Returns {relabel(), input}.
export function createSearch(slot, { onPick }) {
  const uid = 'search' + (++counter);
  const listId = uid + '-list';
  const labelEl = el('label', { for: uid + '-input', class: 'offscreen' });
  const input = el('input', {
    id: uid + '-input', type: 'search', class: 'search-input', autocomplete: 'off', spellcheck: 'false',
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    enterkeyhint: 'search',
  });
  const list = el('ul', { id: listId, role: 'listbox', class: 'search-list', hidden: true });
  const status = el('div', { class: 'search-status', role: 'status' });
  const form = el('form', { class: 'search', role: 'search' }, labelEl,
    el('span', { class: 'search-icon', 'aria-hidden': 'true' }), input, list, status);
  slot.append(form);

  let results = [];
  let active = -1;
  let query = '';
  let seq = 0;
  let ctrl = null;

  function relabel() {
    labelEl.textContent = t('search.label');
    input.placeholder = t('search.placeholder');
    input.setAttribute('aria-label', t('search.label'));
    if (!list.hidden) draw();
  }

  function open(b) {
    list.hidden = !b;
    input.setAttribute('aria-expanded', String(b));
    if (!b) { active = -1; input.removeAttribute('aria-activedescendant'); }
  }

  function matchBadge(r) {
    const k = r.matchType ? 'match.' + r.matchType : '';
    return k ? el('span', { class: 'badge badge-match' }, has(k) ? t(k) : r.matchType) : null;
  }

  function draw() {
    clear(list);
    if (!results.length) {
      list.append(el('li', { class: 'search-empty', role: 'option', 'aria-disabled': 'true', id: uid + '-none' }, t('search.none')));
      return;
    }
    results.forEach((r, i) => {
      const c = r.concept || {};
      const main = label(c.prefLabel);
      const sec = otherLabel(c.prefLabel);
      const matched = r.matched && r.matched !== main && r.matched !== sec ? r.matched : '';
      const li = el('li', {
        id: uid + '-opt' + i, role: 'option', class: 'search-option', 'aria-selected': String(i === active),
        dataset: { id: c.id || '' },
        onmousedown: (ev) => ev.preventDefault(), // keep focus in the input
        onclick: () => pick(i),
        onmousemove: () => { if (active !== i) setActive(i, false); },
      },
      el('span', { class: 'opt-main' },
        el('span', { class: 'opt-label', lang: lang() === 'zh' ? 'zh-CN' : 'en' }, highlight(main, query)),
        sec ? el('span', { class: 'opt-other' }, highlight(sec, query)) : null),
      el('span', { class: 'opt-meta' },
        matched ? el('span', { class: 'opt-matched' }, t('search.matched'), highlight(matched, query)) : null,
        matchBadge(r),
        el('span', { class: 'opt-id' }, c.id || '')));
      list.append(li);
    });
  }

  function setActive(i, scroll = true) {
    active = i;
    list.querySelectorAll('[role=option]').forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
    if (i >= 0 && results[i]) {
      const li = document.getElementById(uid + '-opt' + i);
      input.setAttribute('aria-activedescendant', li.id);
      if (scroll) li.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function pick(i) {
    const r = results[i];
    if (!r || !r.concept || !r.concept.id) return;
    open(false);
    input.value = label(r.concept.prefLabel);
    onPick(r.concept.id);
  }

  async function run(q) {
    const my = ++seq;
    if (ctrl) ctrl.abort();
    if (!q.trim()) { results = []; open(false); status.textContent = ''; return; }
    ctrl = new AbortController();
    try {
      const json = await api.search(q.trim(), { limit: 10, signal: ctrl.signal });
      if (my !== seq) return;
      results = Array.isArray(json.results) ? json.results : [];
      query = q.trim();
      active = -1;
      draw();
      open(true);
      status.textContent = '';
      announce(results.length ? t('search.count', { n: json.total ?? results.length }) : t('search.none'));
    } catch (e) {
      if (my !== seq || e.code === 'aborted') return;
      results = [];
      clear(list);
      list.append(el('li', { class: 'search-empty search-error', role: 'option', 'aria-disabled': 'true' },
        t('search.error') + ': ' + api.describeError(e, t)));
      open(true);
    }
  }
  const runSoon = debounce(run, 120);

  input.addEventListener('input', () => runSoon(input.value));
  input.addEventListener('focus', () => { if (results.length && input.value.trim() === query) open(true); });
  input.addEventListener('blur', () => setTimeout(() => open(false), 150));
  input.addEventListener('keydown', (ev) => {
    // keys that commit or move inside a Chinese input method's composition are not ours
    if (ev.isComposing || ev.keyCode === 229) return;
    const n = results.length;
    switch (ev.key) {
      case 'ArrowDown':
        ev.preventDefault();
        if (list.hidden) { if (n) { open(true); setActive(0); } else run(input.value); return; }
        if (n) setActive(active < n - 1 ? active + 1 : 0);
        break;
      case 'ArrowUp':
        ev.preventDefault();
        if (n) { open(true); setActive(active > 0 ? active - 1 : n - 1); }
        break;
      case 'Home':
      case 'End':
        if (!list.hidden && n && (ev.ctrlKey || active >= 0)) {
          ev.preventDefault();
          setActive(ev.key === 'Home' ? 0 : n - 1);
        }
        break;
      case 'Enter':
        ev.preventDefault();
        if (!list.hidden && active >= 0) pick(active);
        else if (n && query === input.value.trim()) pick(0);
        else run(input.value).then(() => { if (results.length) pick(0); });
        break;
      case 'Escape':
        if (!list.hidden) { ev.preventDefault(); open(false); }
        else if (input.value) { ev.preventDefault(); input.value = ''; results = []; }
        break;
      default:
    }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  // "/" anywhere focuses the search box, as on most documentation sites
  document.addEventListener('keydown', (ev) => {
    if (ev.key === '/' && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      const tag = (document.activeElement && document.activeElement.tagName) || '';
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || document.activeElement.isContentEditable) return;
      ev.preventDefault();
      input.focus();
      input.select();
    }
  });
  relabel();
  return { relabel, input };
}
