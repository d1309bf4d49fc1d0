// tree.js - the concept tree: a WAI-ARIA tree view (roving tabindex, arrow keys, Home/End, *,
// type-ahead) whose children load lazily from /api/concepts/{id}/children, with child counts and
// a reveal() that expands the path from a root to a concept and selects it.

import { t, label, otherLabel, lang } from './i18n.js';
import { el, listOf } from './util.js';
import * as api from './api.js';

const PAGE = 200;
let uidCounter = 0;

// createTree(slot, {onOpen}): build the tree in slot; onOpen(id) opens a concept page.
// Returns {reveal(id), relabel(), ready}.
export function createTree(slot, { onOpen }) {
  const root = el('ul', { role: 'tree', class: 'tree', 'aria-label': t('tree.label') });
  const status = el('div', { class: 'tree-status' }, t('tree.loading'));
  slot.append(status, root);
  const byId = new Map(); // concept id -> [node]
  let focused = null;     // the node holding tabindex=0
  let selectedId = null;
  let typeBuf = '', typeTimer = null;

  // node: {id, prefLabel, childCount, parent, level, children: null | [], total, li, row, group}
  function makeNode(brief, parent) {
    const node = {
      id: brief.id, prefLabel: brief.prefLabel, childCount: brief.childCount,
      parent, level: parent ? parent.level + 1 : 1, children: null, total: 0, loading: null,
    };
    const uid = 'tn' + (++uidCounter);
    node.labelEl = el('a', { id: uid + '-l', class: 'tree-label', href: '/concept/' + encodeURIComponent(node.id), tabindex: '-1', 'data-route': '' });
    node.countEl = el('span', { class: 'tree-count', id: uid + '-c' });
    node.twisty = el('span', { class: 'twisty', 'aria-hidden': 'true' });
    node.row = el('div', { class: 'tree-row' }, node.twisty, node.labelEl, node.countEl);
    node.li = el('li', { role: 'treeitem', id: uid, tabindex: '-1', 'aria-level': node.level, 'aria-labelledby': uid + '-l ' + uid + '-c', 'aria-selected': 'false' }, node.row);
    node.li._node = node;
    node.twisty.addEventListener('click', (ev) => { ev.preventDefault(); ev.stopPropagation(); toggle(node); setFocus(node); });
    node.row.addEventListener('click', (ev) => {
      if (ev.target === node.twisty) return;
      setFocus(node, false);
    });
    node.labelEl.addEventListener('click', () => { setFocus(node, false); });
    paint(node);
    if (!byId.has(node.id)) byId.set(node.id, []);
    byId.get(node.id).push(node);
    return node;
  }

  function hasKids(node) {
    if (node.children) return node.children.length > 0 || node.total > 0;
    return node.childCount === undefined || node.childCount === null ? true : node.childCount > 0;
  }

  function paint(node) {
    node.labelEl.textContent = label(node.prefLabel) || node.id;
    const o = otherLabel(node.prefLabel);
    node.labelEl.title = o ? o + ' · ' + node.id : node.id;
    node.labelEl.lang = lang() === 'zh' ? 'zh-CN' : 'en';
    const n = node.childCount ?? (node.children ? node.total : null);
    node.countEl.textContent = n ? String(n) : '';
    node.countEl.title = n ? t('tree.children', { n }) : '';
    if (hasKids(node)) {
      node.li.setAttribute('aria-expanded', node.group && !node.group.hidden ? 'true' : 'false');
      node.twisty.classList.remove('leaf');
    } else {
      node.li.removeAttribute('aria-expanded');
      node.twisty.classList.add('leaf');
    }
  }

  function isExpanded(node) {
    return node.li.getAttribute('aria-expanded') === 'true';
  }

  // Children arrive as briefs; fill in child counts the reply lacks from the concept itself.
  async function withCounts(items) {
    const missing = items.filter((b) => b && b.id && (b.childCount === undefined || b.childCount === null));
    if (missing.length && missing.length <= 60) {
      await Promise.all(missing.map(async (b) => {
        try { b.childCount = (await api.concept(b.id)).childCount; } catch (e) { /* leave unknown */ }
      }));
    }
    return items;
  }

  async function loadChildren(node, more = false) {
    if (node.loading) return node.loading;
    if (node.children && !more) return undefined;
    const offset = node.children ? node.children.length : 0;
    node.li.setAttribute('aria-busy', 'true');
    node.loading = (async () => {
      try {
        const json = await api.children(node.id, PAGE, offset);
        const items = await withCounts(listOf(json).filter((b) => b && b.id));
        if (!node.children) {
          node.children = [];
          node.group = el('ul', { role: 'group', class: 'tree-group' });
          node.li.append(node.group);
        }
        node.total = typeof json.total === 'number' ? json.total : offset + items.length;
        if (node.moreEl) { node.moreEl.remove(); node.moreEl = null; }
        for (const b of items) {
          const kid = makeNode(b, node);
          node.children.push(kid);
          node.group.append(kid.li);
        }
        if (node.childCount === undefined || node.childCount === null) node.childCount = node.total;
        if (node.children.length < node.total) addMore(node);
        setPositions(node.children, node.total);
      } catch (e) {
        node.li.classList.add('tree-failed');
        node.row.title = t('tree.error') + ': ' + api.describeError(e, t);
        throw e;
      } finally {
        node.li.removeAttribute('aria-busy');
        node.loading = null;
        paint(node);
      }
    })();
    return node.loading;
  }

  function addMore(node) {
    const rest = node.total - node.children.length;
    node.moreEl = el('li', { role: 'none', class: 'tree-more' },
      el('button', { type: 'button', class: 'btn btn-link', onclick: async () => {
        await loadChildren(node, true);
        const first = node.children[node.children.length - Math.min(PAGE, node.children.length)];
        if (first) setFocus(first);
      } }, t('tree.more', { n: Math.min(rest, PAGE) })));
    node.group.append(node.moreEl);
  }

  function setPositions(nodes, total) {
    nodes.forEach((n, i) => {
      n.li.setAttribute('aria-posinset', String(i + 1));
      n.li.setAttribute('aria-setsize', String(total || nodes.length));
    });
  }

  async function expand(node) {
    if (!hasKids(node)) return;
    await loadChildren(node).catch(() => {});
    if (node.group) node.group.hidden = false;
    paint(node);
  }

  function collapse(node) {
    if (node.group) node.group.hidden = true;
    paint(node);
  }

  function toggle(node) {
    if (isExpanded(node)) collapse(node);
    else expand(node);
  }

  function setFocus(node, move = true) {
    if (focused && focused !== node) focused.li.setAttribute('tabindex', '-1');
    focused = node;
    node.li.setAttribute('tabindex', '0');
    if (move) node.li.focus();
  }

  // visible(): the tree items shown, in document order.
  function visible() {
    const out = [];
    const walk = (nodes) => {
      for (const n of nodes) {
        out.push(n);
        if (n.children && isExpanded(n)) walk(n.children);
      }
    };
    walk(rootNodes);
    return out;
  }

  root.addEventListener('keydown', (ev) => {
    const li = ev.target.closest('[role=treeitem]');
    if (!li || !li._node || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const node = li._node;
    const vis = visible();
    const i = vis.indexOf(node);
    let handled = true;
    switch (ev.key) {
      case 'ArrowDown': if (i < vis.length - 1) setFocus(vis[i + 1]); break;
      case 'ArrowUp': if (i > 0) setFocus(vis[i - 1]); break;
      case 'ArrowRight':
        if (hasKids(node) && !isExpanded(node)) expand(node);
        else if (isExpanded(node) && node.children && node.children.length) setFocus(node.children[0]);
        break;
      case 'ArrowLeft':
        if (isExpanded(node)) collapse(node);
        else if (node.parent) setFocus(node.parent);
        break;
      case 'Home': if (vis.length) setFocus(vis[0]); break;
      case 'End': if (vis.length) setFocus(vis[vis.length - 1]); break;
      case 'Enter': onOpen(node.id); break;
      case ' ': toggle(node); break;
      case '*': {
        const sibs = node.parent ? node.parent.children : rootNodes;
        sibs.forEach((s) => expand(s));
        break;
      }
      default:
        if (ev.key.length === 1 && /\S/.test(ev.key)) typeAhead(ev.key, vis, i);
        else handled = false;
    }
    if (handled) { ev.preventDefault(); ev.stopPropagation(); }
  });

  // type-ahead: focus the next visible item whose label starts with the typed characters
  function typeAhead(ch, vis, from) {
    clearTimeout(typeTimer);
    typeBuf += ch.toLowerCase();
    typeTimer = setTimeout(() => { typeBuf = ''; }, 700);
    for (let k = 1; k <= vis.length; k++) {
      const n = vis[(from + k) % vis.length];
      if ((n.labelEl.textContent || '').toLowerCase().startsWith(typeBuf)) { setFocus(n); return; }
    }
  }

  let rootNodes = [];
  const ready = (async () => {
    try {
      const json = await api.roots();
      const items = await withCounts(listOf(json).filter((b) => b && b.id));
      rootNodes = items.map((b) => makeNode(b, null));
      setPositions(rootNodes, rootNodes.length);
      rootNodes.forEach((n) => root.append(n.li));
      if (rootNodes.length) {
        rootNodes[0].li.setAttribute('tabindex', '0');
        focused = rootNodes[0];
      }
      status.textContent = '';
      status.hidden = true;
      if (selectedId) markSelected(selectedId);
    } catch (e) {
      status.textContent = t('tree.error') + ': ' + api.describeError(e, t);
      status.classList.add('notice', 'notice-error');
    }
  })();

  function markSelected(id) {
    selectedId = id;
    root.querySelectorAll('[role=treeitem][aria-selected=true]').forEach((li) => li.setAttribute('aria-selected', 'false'));
    for (const n of byId.get(id) || []) n.li.setAttribute('aria-selected', 'true');
  }

  // pathTo(id): concept ids from a root down to id (inclusive), from /paths or else by walking
  // first parents.
  async function pathTo(id) {
    try {
      const json = await api.paths(id);
      const ps = listOf(json).map((p) => (Array.isArray(p) ? p : listOf(p.path ? { results: p.path } : p)))
        .filter((p) => p.length);
      if (ps.length) {
        ps.sort((a, b) => a.length - b.length);
        const ids = ps[0].map((x) => (typeof x === 'string' ? x : x && x.id)).filter(Boolean);
        if (ids[ids.length - 1] !== id) ids.push(id);
        return ids;
      }
    } catch (e) { /* fall back to parents */ }
    const ids = [id];
    let cur = id;
    for (let guard = 0; guard < 64; guard++) {
      const c = await api.concept(cur);
      const p = (c.parents || [])[0];
      if (!p || !p.id || ids.includes(p.id)) break;
      ids.unshift(p.id);
      cur = p.id;
    }
    return ids;
  }

  // reveal(id): expand the path to id, select it and scroll it into view (focus stays put).
  async function reveal(id, { focus = false } = {}) {
    selectedId = id;
    await ready;
    markSelected(id);
    let ids;
    try { ids = await pathTo(id); } catch (e) { return false; }
    let level = rootNodes;
    let node = null;
    for (const step of ids) {
      node = level.find((n) => n.id === step) || null;
      if (!node && level.length && level[0].parent) {
        const parent = level[0].parent;
        while (!node && parent.children.length < parent.total) {
          const before = parent.children.length;
          await loadChildren(parent, true);
          if (parent.children.length === before) break; // no progress: give up, never spin
          node = parent.children.find((n) => n.id === step) || null;
        }
      }
      if (!node) break;
      if (step === id) break;
      await expand(node);
      level = node.children || [];
    }
    markSelected(id);
    if (node && node.id === id) {
      setFocus(node, focus);
      scrollIntoPanel(node.row);
      return true;
    }
    return false;
  }

  // scrollIntoPanel(row): bring row into view inside the tree's own scrolling box only, so
  // revealing a concept never scrolls the page itself.
  function scrollIntoPanel(row) {
    for (let box = row.parentElement; box && box !== document.body; box = box.parentElement) {
      const oy = getComputedStyle(box).overflowY;
      if ((oy === 'auto' || oy === 'scroll') && box.scrollHeight > box.clientHeight) {
        const r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
        if (r.top < b.top) box.scrollTop -= b.top - r.top + 8;
        else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom + Math.min(b.height / 3, 120);
        return;
      }
    }
  }

  function relabel() {
    root.setAttribute('aria-label', t('tree.label'));
    for (const nodes of byId.values()) for (const n of nodes) paint(n);
    root.querySelectorAll('.tree-more').forEach((m) => {
      const n = m.parentElement.parentElement._node;
      if (n) m.querySelector('button').textContent = t('tree.more', { n: Math.min(n.total - n.children.length, PAGE) });
    });
    if (!status.hidden && !status.classList.contains('notice')) status.textContent = t('tree.loading');
  }

  return { reveal, relabel, ready };
}
