// concept.js - the concept page (/concept/{id}): labels in both languages, synonyms,
// definitions, broader and narrower concepts, mappings linked to the RadLex, NCIt and SNOMED CT
// browsers, DICOM code triplets with copy buttons, and downloads (Turtle, JSON-LD, JSON).

import { t, label, otherLabel, lang, langAttr, has } from './i18n.js';
import { el, clear, copyText, announce, listOf, conceptIdOfIri } from './util.js';
import * as api from './api.js';

// Display names and outside browsers of the mapped systems. Links only: nothing is loaded
// from these sites.
const SYSTEMS = {
  RADLEX: { name: 'RadLex', link: (c) => 'https://radlex.org/RID/' + encodeURIComponent(c) },
  NCIT: { name: 'NCIt', link: (c) => 'https://ncit.nci.nih.gov/ncitbrowser/ConceptReport.jsp?dictionary=NCI_Thesaurus&code=' + encodeURIComponent(c) },
  SCT: { name: 'SNOMED CT', link: (c) => 'https://browser.ihtsdotools.org/?perspective=full&conceptId1=' + encodeURIComponent(c) },
  DCM: { name: 'DICOM', link: (c) => 'https://dicom.nema.org/medical/dicom/current/output/chtml/part16/chapter_d.html#DCM_' + encodeURIComponent(c) },
};
const SYSTEM_ORDER = ['DCM', 'SCT', 'RADLEX', 'NCIT'];
const PRED_ORDER = ['skos:exactMatch', 'skos:closeMatch', 'skos:narrowMatch', 'skos:broadMatch', 'skos:relatedMatch'];

const CHILD_LIMIT = 100;

function systemKey(s) {
  const k = String(s || '').toUpperCase().replace(/[^A-Z]/g, '');
  if (k === 'SNOMEDCT' || k === 'SNOMED') return 'SCT';
  if (k === 'DICOM') return 'DCM';
  return k;
}

// tripletText(d): the DICOM notation (CodeValue, CodingSchemeDesignator, "CodeMeaning").
export function tripletText(d) {
  return '(' + d.CodeValue + ', ' + d.CodingSchemeDesignator + ', "' + String(d.CodeMeaning || '').replace(/"/g, "'") + '")';
}

// copyButton(text, what): a button copying text, announcing the result.
function copyButton(text, what) {
  const face = el('span', null, t('concept.copy'));
  const b = el('button', { type: 'button', class: 'btn btn-small btn-copy', 'data-copy': text }, face,
    what ? el('span', { class: 'offscreen' }, ' ' + what) : null);
  b.addEventListener('click', async () => {
    const ok = await copyText(text);
    face.textContent = ok ? t('concept.copied') : t('concept.copyFailed');
    b.classList.toggle('copied', ok);
    announce(ok ? t('concept.copied') + ': ' + text : t('concept.copyFailed'));
    setTimeout(() => { face.textContent = t('concept.copy'); b.classList.remove('copied'); }, 1600);
  });
  return b;
}

function conceptLink(b) {
  const o = otherLabel(b.prefLabel);
  return el('a', { href: '/concept/' + encodeURIComponent(b.id), 'data-route': '', class: 'concept-link' },
    el('span', { lang: langAttr(lang()) }, label(b.prefLabel) || b.id),
    o ? el('span', { class: 'muted', lang: langAttr(lang() === 'zh' ? 'en' : 'zh') }, ' ' + o) : null);
}

let sectionCounter = 0;
function section(title, wide, ...body) {
  const id = 'concept-sec-' + (++sectionCounter);
  return el('section', { class: wide ? 'card card-wide' : 'card', 'aria-labelledby': id }, el('h2', { id, class: 'card-title' }, title), ...body);
}

function refOf(v) {
  if (!v) return null;
  if (typeof v === 'string') return { id: conceptIdOfIri(v) || v, prefLabel: null };
  if (Array.isArray(v)) return refOf(v[0]);
  if (v.id) return v;
  if (v.iri) return { id: conceptIdOfIri(v.iri) || v.iri, prefLabel: v.prefLabel };
  return null;
}

// render(main, ctx): load /api/concepts/{id} and draw the page.
export async function render(main, ctx) {
  const id = ctx.params.id;
  const loading = el('p', { class: 'muted', role: 'status' }, t('concept.loading'));
  main.append(loading);
  let c;
  try {
    c = await api.concept(id);
  } catch (e) {
    if (!ctx.isCurrent()) return;
    clear(main);
    if (e.status === 404) {
      main.append(el('h1', { class: 'page-title' }, t('concept.notFound', { id })),
        el('p', { class: 'muted' }, e.message || ''));
    } else {
      main.append(el('div', { class: 'notice notice-error', role: 'alert' }, t('concept.error') + ': ' + api.describeError(e, t)));
    }
    return;
  }
  if (!ctx.isCurrent()) return;
  clear(main);
  if (Array.isArray(c.candidates)) {   // an outside code mapped to several concepts (HTTP 300)
    main.append(el('h1', { class: 'page-title' }, id),
      el('p', null, t('concept.candidates')),
      el('ul', { class: 'link-list candidates' }, c.candidates.map((b) => el('li', null, conceptLink(b)))));
    return;
  }
  if (c.id && c.id !== id) history.replaceState(null, '', '/concept/' + encodeURIComponent(c.id));
  document.title = (label(c.prefLabel) || c.id) + ' · imterm';
  const cid = c.id || id;
  const ui = lang(), oth = ui === 'zh' ? 'en' : 'zh';

  // header
  const header = el('header', { class: 'concept-head' });
  if (c.deprecated) {
    const rb = refOf(c.replacedBy);
    header.append(el('div', { class: 'notice notice-warn', role: 'note' }, t('concept.deprecated'), ' ',
      rb ? [t('concept.replacedBy'), rb.prefLabel ? conceptLink(rb) : el('a', { href: '/concept/' + encodeURIComponent(rb.id), 'data-route': '' }, rb.id)] : null));
  }
  const enc = encodeURIComponent(cid);
  const downloads = el('div', { class: 'concept-downloads', role: 'group', 'aria-label': t('concept.downloads') },
    el('span', null, t('concept.downloads')),
    [['ttl', 'Turtle', '.ttl'], ['jsonld', 'JSON-LD', '.jsonld'], ['json', 'JSON', '.json']].map(([f, name, ext]) =>
      el('a', { href: '/concept/' + enc + '?format=' + f, download: cid + ext, class: 'btn btn-small', 'data-format': f }, name)));
  const kindKey = 'kind.' + c.kind;
  header.append(
    el('div', { class: 'concept-head-top' },
      el('div', null,
        el('h1', { class: 'concept-title', lang: langAttr(ui) }, label(c.prefLabel) || cid),
        otherLabel(c.prefLabel) ? el('p', { class: 'concept-subtitle', lang: langAttr(oth) }, otherLabel(c.prefLabel)) : null),
      downloads),
    el('dl', { class: 'concept-meta' },
      el('div', null, el('dt', null, t('concept.id')), el('dd', null, el('code', { class: 'concept-id' }, cid), ' ', copyButton(cid, cid))),
      c.iri ? el('div', null, el('dt', null, t('concept.iri')), el('dd', null, el('code', { class: 'concept-iri' }, c.iri), ' ', copyButton(c.iri, t('concept.iri')))) : null,
      c.kind ? el('div', null, el('dt', null, t('concept.kind')), el('dd', null, el('span', { class: 'badge' }, has(kindKey) ? t(kindKey) : c.kind))) : null,
      c.deprecated ? el('div', null, el('dd', null, el('span', { class: 'badge badge-deprecated' }, t('concept.deprecatedBadge')))) : null));
  main.append(header);

  // labels and synonyms
  const labelsTable = el('table', { class: 'kv' },
    el('tbody', null, ['zh', 'en'].map((l) => {
      const syn = (c.altLabel && c.altLabel[l]) || [];
      return el('tr', null,
        el('th', { scope: 'row' }, t('concept.' + l)),
        el('td', null,
          el('div', { class: 'pref', lang: langAttr(l) }, (c.prefLabel && c.prefLabel[l]) || t('concept.none')),
          syn.length ? el('ul', { class: 'syn-list', 'aria-label': t('concept.synonyms') + ' (' + t('concept.' + l) + ')' },
            syn.map((s) => el('li', { lang: langAttr(l) }, s))) : null));
    })));
  const defs = el('div', { class: 'defs' }, [ui, oth].map((l) => {
    const d = c.definition && c.definition[l];
    return el('div', { class: 'def' }, el('span', { class: 'def-lang' }, t('concept.' + l)),
      el('p', { lang: langAttr(l) }, d || t('concept.none')));
  }));

  // broader and narrower
  const parents = (c.parents || []).filter((p) => p && p.id);
  const parentsBody = parents.length
    ? el('ul', { class: 'link-list' }, parents.map((p) => el('li', null, conceptLink(p))))
    : el('p', { class: 'muted' }, t('concept.noParents'));
  const childrenBody = el('div', { class: 'children-body' });
  const childCount = typeof c.childCount === 'number' ? c.childCount : null;
  const childTitle = t('concept.children') + (childCount ? ' (' + childCount + ')' : '');
  if (childCount === 0) childrenBody.append(el('p', { class: 'muted' }, t('concept.noChildren')));
  else {
    childrenBody.append(el('p', { class: 'muted' }, t('tree.loading')));
    api.children(cid, CHILD_LIMIT, 0).then((json) => {
      const kids = listOf(json).filter((b) => b && b.id);
      clear(childrenBody);
      if (!kids.length) { childrenBody.append(el('p', { class: 'muted' }, t('concept.noChildren'))); return; }
      childrenBody.append(el('ul', { class: 'link-list' }, kids.map((b) => el('li', null, conceptLink(b)))));
      const total = typeof json.total === 'number' ? json.total : kids.length;
      if (total > kids.length) childrenBody.append(el('p', { class: 'muted' }, t('concept.moreChildren', { n: total - kids.length })));
    }).catch((e) => {
      clear(childrenBody);
      childrenBody.append(el('p', { class: 'notice notice-error' }, api.describeError(e, t)));
    });
  }

  // mappings
  const maps = (c.mappings || []).slice().sort((a, b) =>
    (PRED_ORDER.indexOf(a.predicate) - PRED_ORDER.indexOf(b.predicate)) ||
    (SYSTEM_ORDER.indexOf(systemKey(a.system)) - SYSTEM_ORDER.indexOf(systemKey(b.system))));
  let mapBody;
  if (!maps.length) mapBody = el('p', { class: 'muted' }, t('concept.noMappings'));
  else {
    mapBody = el('div', { class: 'table-wrap' }, el('table', { class: 'data mappings' },
      el('thead', null, el('tr', null, ['concept.system', 'concept.code', 'concept.display', 'concept.predicate'].map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', null, maps.map((m) => {
        const key = systemKey(m.system);
        const sys = SYSTEMS[key];
        const code = String(m.code || '');
        const link = sys && code
          ? el('a', { href: sys.link(code), rel: 'noopener noreferrer external', target: '_blank', class: 'ext', title: t('concept.openIn', { s: sys.name, c: code }) }, code)
          : el('span', null, code);
        return el('tr', { dataset: { system: key } },
          el('td', null, sys ? sys.name : m.system),
          el('td', { class: 'mono' }, link),
          el('td', null, m.display || ''),
          el('td', null, el('span', { class: 'badge pred pred-' + String(m.predicate || '').replace(/\W/g, '') }, t('pred.' + m.predicate) !== 'pred.' + m.predicate ? t('pred.' + m.predicate) : m.predicate || '')));
      }))));
  }

  // DICOM code triplets, best first
  const triplets = maps.filter((m) => m.dicom && m.dicom.CodeValue && m.dicom.CodingSchemeDesignator);
  const dicomBody = triplets.length
    ? el('ul', { class: 'triplets' }, triplets.map((m, i) => {
      const text = tripletText(m.dicom);
      return el('li', { class: i === 0 ? 'triplet triplet-best' : 'triplet' },
        el('code', { class: 'triplet-text' }, text),
        el('span', { class: 'badge pred' }, t('pred.' + m.predicate) !== 'pred.' + m.predicate ? t('pred.' + m.predicate) : m.predicate || ''),
        copyButton(text, text));
    }))
    : el('p', { class: 'muted' }, t('concept.noDicom'));

  const grid = el('div', { class: 'concept-grid' },
    section(t('concept.synonyms'), false, labelsTable),
    section(t('concept.definition'), false, defs),
    section(t('concept.parents'), false, parentsBody),
    section(childTitle, false, childrenBody),
    section(t('concept.mappings'), true, mapBody),
    section(t('concept.dicom'), true, el('p', { class: 'muted small' }, t('concept.dicomHelp')), dicomBody));
  main.append(grid);
  if (ctx.tree) ctx.tree.reveal(cid).catch(() => {});
}
