// home.js - the start page (/ and /browse): what imterm is, search examples that open directly,
// and the way to the other tools.

import { t } from './i18n.js';
import { el } from './util.js';
import * as api from './api.js';

const EXAMPLES = ['磨玻璃', 'GGO', 'mbl', '胸腔积液', 'spiculated', '分叶征', 'BI-RADS 4', 'LR-5'];

// render(main, ctx): draw the start page into main.
export async function render(main) {
  const examples = el('ul', { class: 'chips' });
  for (const q of EXAMPLES) {
    examples.append(el('li', null, el('button', {
      type: 'button', class: 'chip', lang: /[\u4e00-\u9fff]/.test(q) ? 'zh-CN' : 'en',
      onclick: () => {
        const input = document.querySelector('.search-input');
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.focus();
      },
    }, q)));
  }
  const stats = el('p', { class: 'muted home-stats' });
  main.append(
    el('section', { class: 'hero' },
      el('h1', { class: 'page-title' }, t('home.title')),
      el('p', { class: 'lead' }, t('home.lead')),
      el('p', null, t('home.search')),
      examples,
      el('p', null, t('home.browse')),
      stats),
    el('section', { class: 'home-tools' },
      el('h2', null, t('home.tools')),
      el('ul', { class: 'tool-list' },
        el('li', null, el('a', { href: '/query', 'data-route': '', class: 'tool-card' },
          el('strong', null, t('nav.query')), el('span', null, t('home.query')))),
        el('li', null, el('a', { href: '/normalize', 'data-route': '', class: 'tool-card' },
          el('strong', null, t('nav.normalize')), el('span', null, t('home.normalize')))))));
  try {
    const h = await api.getJSON('/health', { timeout: 5000 });
    const n = h.concepts ?? (h.snapshot && h.snapshot.concepts);
    if (typeof n === 'number') stats.textContent = t('home.stats', { n: n.toLocaleString() });
  } catch (e) { /* the count is a nicety */ }
}
