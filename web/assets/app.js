// app.js - the imterm web app: boots the shell (language toggle, search box, concept tree) and
// routes the single-page paths (/, /browse, /concept/{id}, /query, /normalize, /curation) to
// their views without reloading the page.

import { t, lang, setLang, onLangChange } from './i18n.js';
import { el, clear } from './util.js';
import { createSearch } from './search.js';
import { createTree } from './tree.js';
import * as homeView from './home.js';
import * as conceptView from './concept.js';
import * as sparqlView from './sparql.js';
import * as normalizeView from './normalize.js';

const main = document.getElementById('main');
const sidebar = document.getElementById('sidebar');
const layout = document.getElementById('layout');
let tree = null;
let search = null;
let cleanup = null;
let renderSeq = 0;

// route(pathname): the view and its parameters for a path.
function route(pathname) {
  let m;
  if (pathname === '/' || pathname === '/browse' || pathname === '/browse/') return { name: 'browse', view: homeView, tree: true };
  if ((m = /^\/concept\/([^/]+)\/?$/.exec(pathname))) {
    let id;
    try { id = decodeURIComponent(m[1]); } catch (e) { id = m[1]; }
    return { name: 'concept', view: conceptView, tree: true, id };
  }
  if (pathname === '/query' || pathname === '/query/') return { name: 'query', view: sparqlView };
  if (pathname === '/normalize' || pathname === '/normalize/') return { name: 'normalize', view: normalizeView };
  if (pathname === '/curation' || pathname === '/curation/') return { name: 'curation', view: { render: renderCuration } };
  return { name: 'notfound', view: { render: renderNotFound } };
}

// navigate(url, replace): go to an app URL without reloading.
export function navigate(url, replace = false) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render({ focus: true });
}

// render(opts): draw the view for the current location. opts.focus moves focus to the main
// region (after a navigation, not on first load), opts.keepScroll keeps the scroll position.
async function render(opts = {}) {
  const seq = ++renderSeq;
  const r = route(location.pathname);
  if (cleanup) { try { cleanup(); } catch (e) { console.warn(e); } cleanup = null; }
  document.querySelectorAll('[data-nav]').forEach((a) => {
    const active = a.dataset.nav === r.name || (a.dataset.nav === 'browse' && r.name === 'concept');
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  sidebar.hidden = !r.tree;
  layout.classList.toggle('with-tree', !!r.tree);
  if (r.tree && !tree) {
    tree = createTree(document.getElementById('tree-slot'), {
      onOpen: (id) => { closeTreeOnPhone(); navigate('/concept/' + encodeURIComponent(id)); },
    });
  }
  clear(main);
  main.dataset.view = r.name;
  const titleKey = { browse: 'app.title', query: 'nav.query', normalize: 'nav.normalize', curation: 'nav.curation', concept: 'app.title', notfound: 'error.notFoundPage' }[r.name];
  document.title = r.name === 'browse' || r.name === 'concept' ? t('app.title') : t(titleKey) + ' · imterm';
  const ctx = { lang: lang(), navigate, tree, params: r, isCurrent: () => seq === renderSeq };
  try {
    const c = await r.view.render(main, ctx);
    if (typeof c === 'function') {
      if (seq === renderSeq) cleanup = c;
      else c();
    }
  } catch (e) {
    console.warn('view failed', e);
    if (seq === renderSeq) {
      clear(main);
      main.append(el('div', { class: 'notice notice-error', role: 'alert' }, el('strong', null, t('error.title') + ': '), String(e.message || e)));
    }
  }
  if (opts.focus && seq === renderSeq) {
    if (!opts.keepScroll) window.scrollTo(0, 0);
    main.focus({ preventScroll: true });
  }
}

// The curation module is written separately; load it only when someone opens /curation.
async function renderCuration(container, ctx) {
  container.append(el('h1', { class: 'page-title' }, t('curation.title')));
  const slot = el('div', { class: 'curation-slot' });
  container.append(slot);
  let mod;
  try {
    mod = await import('/assets/curation.js');
  } catch (e) {
    // a missing module and a broken one read differently to the person looking at the page
    let exists = false;
    try { exists = (await fetch('/assets/curation.js', { method: 'HEAD' })).ok; } catch (e2) { exists = false; }
    slot.append(el('div', { class: 'notice notice-info', role: 'status' },
      exists ? t('curation.failed') + String(e.message || e) : t('curation.missing')));
    return undefined;
  }
  if (!ctx.isCurrent()) return undefined;
  if (!mod || typeof mod.render !== 'function') {
    slot.append(el('div', { class: 'notice notice-info', role: 'status' }, t('curation.failed') + 'render() is not exported'));
    return undefined;
  }
  return mod.render(slot, { lang: ctx.lang, navigate });
}

function renderNotFound(container) {
  container.append(el('h1', { class: 'page-title' }, t('error.notFoundPage')),
    el('p', null, el('a', { href: '/', 'data-route': '' }, t('nav.browse'))));
}

// On a phone the tree panel sits above the page: fold it away once a concept is chosen from it,
// so the concept itself is what the person sees.
function closeTreeOnPhone() {
  if (!window.matchMedia('(max-width: 900px)').matches) return;
  const toggle = document.getElementById('tree-toggle');
  if (toggle.getAttribute('aria-expanded') !== 'true') return;
  toggle.setAttribute('aria-expanded', 'false');
  toggle.dataset.i18n = 'tree.toggle';
  toggle.textContent = t('tree.toggle');
  sidebar.classList.remove('open');
}

// Static text of the shell (data-i18n attributes) in the current language.
function translateShell() {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.title');
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.getElementById('mainnav').setAttribute('aria-label', t('nav.menu'));
  const btn = document.getElementById('lang-toggle');
  btn.textContent = t('lang.switch');
  btn.setAttribute('lang', lang() === 'zh' ? 'en' : 'zh-CN');
  btn.setAttribute('aria-label', t('lang.switchLabel'));
}

// Same-origin links marked data-route (or pointing at an app path) navigate in place.
function interceptLinks(ev) {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest && ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.search) return;
  if (!a.hasAttribute('data-route') && route(url.pathname).name === 'notfound') return;
  ev.preventDefault();
  if (a.closest('#tree-slot')) closeTreeOnPhone();
  if (url.pathname + url.hash === location.pathname + location.hash) return;
  navigate(url.pathname + url.hash);
}

function boot() {
  translateShell();
  document.getElementById('lang-toggle').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  onLangChange(() => {
    translateShell();
    if (search) search.relabel();
    if (tree) tree.relabel();
    render({ keepScroll: true });
  });
  search = createSearch(document.getElementById('search-slot'), {
    onPick: (id) => navigate('/concept/' + encodeURIComponent(id)),
  });
  const toggle = document.getElementById('tree-toggle');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.dataset.i18n = open ? 'tree.hide' : 'tree.toggle';
    toggle.textContent = t(toggle.dataset.i18n);
    sidebar.classList.toggle('open', open);
  });
  document.addEventListener('click', interceptLinks);
  window.addEventListener('popstate', () => render({ focus: true }));
  render();
}

boot();
