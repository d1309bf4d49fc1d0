// util.js - small DOM and text helpers shared by every view of the imterm web app.

// el(tag, attrs, ...children): create an element. attrs keys: class, text, html is not
// supported on purpose (everything is built from text nodes, so no markup injection);
// "on<event>" keys add listeners; boolean true sets an empty attribute; null/false skip.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (k === 'value') node.value = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(node, children);
  return node;
}

// append(node, children): append strings, nodes and (nested) arrays of them.
export function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}

// clear(node): remove every child; returns node.
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// codePoints(s): the string as an array of Unicode code points (each a string of 1 or 2 UTF-16
// units), so offsets from the server (code points) index it directly.
export function codePoints(s) {
  return Array.from(s);
}

// sliceCodePoints(cps, start, end): the text between two code-point offsets of an array made by
// codePoints().
export function sliceCodePoints(cps, start, end) {
  return cps.slice(start, end).join('');
}

// fold(s): a loose case/width fold for highlighting only (the server does the real matching).
export function fold(s) {
  return s.normalize('NFKC').toLowerCase();
}

// highlight(label, query): nodes for label with the parts matching query wrapped in <mark>.
// Tries the whole query, then each whitespace-separated word; matching runs on folded text
// code point by code point, so characters beyond U+FFFF never split.
export function highlight(label, query) {
  const cps = codePoints(label);
  const folded = cps.map((c) => fold(c));
  const marks = new Array(cps.length).fill(false);
  const q = fold(query || '').trim();
  const needles = q ? [q, ...q.split(/\s+/).filter((w) => w && w !== q)] : [];
  for (const n of needles) {
    const ncp = codePoints(n);
    for (let i = 0; i + ncp.length <= folded.length; i++) {
      let ok = true;
      for (let j = 0; j < ncp.length; j++) {
        if (folded[i + j] !== ncp[j]) { ok = false; break; }
      }
      if (ok) for (let j = 0; j < ncp.length; j++) marks[i + j] = true;
    }
  }
  const out = [];
  let i = 0;
  while (i < cps.length) {
    let j = i;
    while (j < cps.length && marks[j] === marks[i]) j++;
    const text = cps.slice(i, j).join('');
    out.push(marks[i] ? el('mark', null, text) : document.createTextNode(text));
    i = j;
  }
  return out;
}

// debounce(fn, ms): fn delayed until ms after the last call.
export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// copyText(text): copy to the clipboard; resolves true on success.
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (e) { /* fall through to the textarea way */ }
  const ta = el('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
  ta.value = text;
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
  ta.remove();
  return ok;
}

// downloadBlob(name, type, data): offer data as a file download.
export function downloadBlob(name, type, data) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// announce(text): say text through the polite live region (screen readers).
export function announce(text) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

// listOf(json): the array inside a paged or plain list reply.
export function listOf(json) {
  if (Array.isArray(json)) return json;
  if (!json || typeof json !== 'object') return [];
  for (const k of ['results', 'concepts', 'roots', 'children', 'items', 'paths']) {
    if (Array.isArray(json[k])) return json[k];
  }
  return [];
}

// The imterm concept IRI base: IRIs under it are shown as links to the concept page.
export const CONCEPT_BASE = 'https://w3id.org/imterm/concept/';

// conceptIdOfIri(iri): the local id for an imterm concept IRI, else null.
export function conceptIdOfIri(iri) {
  if (typeof iri === 'string' && iri.startsWith(CONCEPT_BASE)) {
    const id = iri.slice(CONCEPT_BASE.length);
    if (/^[A-Za-z0-9_.-]+$/.test(id)) return id;
  }
  return null;
}
