// fhir_client.js - run by tests/suites/fhir.sh: a real FHIR client (fhir-kit-client) against
// `imterm serve`, JSON-LD checked against Turtle with the npm jsonld and n3 packages (canonical
// N-Quads, URDNA2015), and the exports checked in their target formats. Prints TAP.
// Usage: node fhir_client.js BASE_URL EXPORT_DIR
'use strict';
const Client = require('fhir-kit-client');
const jsonld = require('jsonld');
const N3 = require('n3');
const fs = require('fs');
const path = require('path');

const base = process.argv[2];
const exportDir = process.argv[3];
const CS = 'https://w3id.org/imterm/scheme';
let n = 0;
let failed = 0;

function ok(cond, name, detail) {
  n += 1;
  if (cond) console.log(`ok ${n} - ${name}`);
  else {
    failed += 1;
    console.log(`not ok ${n} - ${name}`);
    if (detail !== undefined) console.log(`# ${String(detail).slice(0, 400).replace(/\n/g, ' ')}`);
  }
}

function param(params, name) {
  return (params.parameter || []).filter((p) => p.name === name);
}

async function get(url, accept) {
  let r;
  try {
    r = await fetch(url, { headers: { Accept: accept } });
  } catch (e) {
    // a pooled keep-alive connection the server closed while we were busy (idle timeout): retry once
    r = await fetch(url, { headers: { Accept: accept } });
  }
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

// Canonical N-Quads of Turtle text (parsed with n3) and of a JSON-LD document.
function turtleToQuads(text) {
  const quads = new N3.Parser({ format: 'text/turtle' }).parse(text);
  return new N3.Writer({ format: 'N-Quads' }).quadsToString(quads);
}
async function canonTurtle(text) {
  return jsonld.canonize(turtleToQuads(text), { algorithm: 'URDNA2015', inputFormat: 'application/n-quads' });
}
async function canonJsonld(doc) {
  return jsonld.canonize(doc, { algorithm: 'URDNA2015', format: 'application/n-quads', safe: false });
}
function lines(s) {
  return s.split('\n').filter((l) => l.length);
}
// Language tags compare case-insensitively (RDF 1.1); n3 and jsonld keep the case as written.
function normLang(s) {
  return lines(s).map((l) => l.replace(/"@([A-Za-z0-9-]+) /, (m, t) => `"@${t.toLowerCase()} `)).sort().join('\n');
}

async function main() {
  const client = new Client({ baseUrl: `${base}/fhir` });

  // capability statement through the client
  const cap = await client.capabilityStatement();
  ok(cap.resourceType === 'CapabilityStatement' && cap.fhirVersion === '4.0.1', 'client reads the CapabilityStatement (FHIR 4.0.1)');

  // $lookup, GET
  const lk = await client.operation({ name: '$lookup', resourceType: 'CodeSystem', method: 'GET',
    input: { system: CS, code: 'IMT0001300', displayLanguage: 'zh' } });
  ok(param(lk, 'display')[0] && param(lk, 'display')[0].valueString === '胸腔积液', '$lookup (GET) gives the Chinese display', JSON.stringify(lk));
  const des = param(lk, 'designation').map((d) => d.part.find((p) => p.name === 'value').valueString);
  ok(des.includes('pleural effusion') && des.includes('胸水'), '$lookup designations hold English and Chinese labels', des.join('|'));
  const parents = param(lk, 'property').filter((p) => p.part[0].valueCode === 'parent').map((p) => p.part[1].valueCode);
  ok(parents.length >= 1 && /^IMT\d{7}$/.test(parents[0]), '$lookup returns the parent property', JSON.stringify(parents));

  // $lookup, POST Parameters
  const lk2 = await client.operation({ name: '$lookup', resourceType: 'CodeSystem',
    input: { resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: { system: CS, code: 'IMT0001010' } }] } });
  ok(param(lk2, 'display')[0] && param(lk2, 'display')[0].valueString.length > 0, '$lookup (POST Parameters) answers a display', JSON.stringify(lk2).slice(0, 200));

  // $validate-code: right display, wrong display (warning), unknown code
  const v1 = await client.operation({ name: '$validate-code', resourceType: 'CodeSystem',
    input: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: CS }, { name: 'code', valueCode: 'IMT0001300' }, { name: 'display', valueString: '胸腔积液' }] } });
  ok(param(v1, 'result')[0].valueBoolean === true && param(v1, 'issues').length === 0, '$validate-code accepts the Chinese preferred label as display');
  const v2 = await client.operation({ name: '$validate-code', resourceType: 'CodeSystem', method: 'GET',
    input: { url: CS, code: 'IMT0001300', display: 'pneumothorax' } });
  const issue = param(v2, 'issues')[0];
  ok(param(v2, 'result')[0].valueBoolean === true && issue && issue.resource.issue[0].severity === 'warning',
    '$validate-code: a wrong display is a warning, the code stays valid', JSON.stringify(v2).slice(0, 300));
  const v3 = await client.operation({ name: '$validate-code', resourceType: 'ValueSet', method: 'GET',
    input: { url: `${CS}?fhir_vs=isa/IMT0001300`, system: CS, code: 'IMT0001010' } });
  ok(param(v3, 'result')[0].valueBoolean === false, 'ValueSet/$validate-code: a code outside the is-a value set is invalid');

  // $expand with filter, count, offset
  const ex = await client.operation({ name: '$expand', resourceType: 'ValueSet', method: 'GET',
    input: { url: `${CS}?fhir_vs`, filter: 'pleural effusion', count: 3 } });
  ok(ex.resourceType === 'ValueSet' && ex.expansion.contains[0].code === 'IMT0001300' && ex.expansion.contains.length <= 3,
    '$expand with filter ranks the exact label first', JSON.stringify(ex.expansion && ex.expansion.contains));
  const all = await client.operation({ name: '$expand', resourceType: 'ValueSet', method: 'GET', input: { url: `${CS}?fhir_vs=isa/IMT0001300` } });
  const page = await client.operation({ name: '$expand', resourceType: 'ValueSet', method: 'GET',
    input: { url: `${CS}?fhir_vs=isa/IMT0001300`, offset: 2, count: 2 } });
  ok(page.expansion.total === all.expansion.total && page.expansion.contains.map((c) => c.code).join() ===
    all.expansion.contains.slice(2, 4).map((c) => c.code).join(), '$expand paging (offset/count) slices the full expansion');

  // $translate: RadLex -> SNOMED CT through the imterm concept; reverse on a ConceptMap
  const tr = await client.operation({ name: '$translate', resourceType: 'ConceptMap', method: 'GET',
    input: { system: 'http://radlex.org', code: 'RID34539', targetsystem: 'http://snomed.info/sct' } });
  const m0 = param(tr, 'match')[0];
  ok(param(tr, 'result')[0].valueBoolean === true && m0 && m0.part.find((p) => p.name === 'concept').valueCoding.code === '60046008' &&
    m0.part.find((p) => p.name === 'equivalence').valueCode === 'equivalent',
  '$translate RadLex RID34539 -> SNOMED CT 60046008 (equivalent, via imterm)', JSON.stringify(tr).slice(0, 300));
  const rv = await client.operation({ name: '$translate', resourceType: 'ConceptMap', id: 'imterm-to-sct',
    input: { resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: { system: 'http://snomed.info/sct', code: '60046008' } },
      { name: 'reverse', valueBoolean: true }] } });
  ok(param(rv, 'match').some((m) => m.part.find((p) => p.name === 'concept').valueCoding.code === 'IMT0001300'),
    '$translate reverse=true (POST) maps SNOMED CT back to imterm', JSON.stringify(rv).slice(0, 300));

  // errors come back as OperationOutcome through the client
  let oo = null;
  try {
    await client.operation({ name: '$lookup', resourceType: 'CodeSystem', method: 'GET', input: { system: CS, code: 'IMT9999999' } });
  } catch (e) {
    oo = e.response && e.response.data;
  }
  ok(oo && oo.resourceType === 'OperationOutcome' && oo.issue[0].code === 'not-found', 'unknown code: the client sees a 404 OperationOutcome');

  // JSON-LD and Turtle of one concept give the same triples
  const cttl = await get(`${base}/concept/IMT0001300`, 'text/turtle');
  const cjl = await get(`${base}/concept/IMT0001300`, 'application/ld+json');
  const a = normLang(await canonTurtle(cttl.text));
  const b = normLang(await canonJsonld(JSON.parse(cjl.text)));
  ok(a.length > 0 && a === b, `concept IMT0001300: JSON-LD and Turtle give the same ${lines(a).length} triples`, `${a.slice(0, 200)} // ${b.slice(0, 200)}`);

  // the dataset description (blank nodes) too
  const dttl = await get(`${base}/dataset`, 'text/turtle');
  const djl = await get(`${base}/dataset`, 'application/ld+json');
  const da = normLang(await canonTurtle(dttl.text));
  const db = normLang(await canonJsonld(JSON.parse(djl.text)));
  ok(da.length > 0 && da === db, `dataset description: JSON-LD and Turtle give the same ${lines(da).length} triples`);
  ok(/<http:\/\/rdfs\.org\/ns\/void#triples> "\d+"\^\^<http:\/\/www\.w3\.org\/2001\/XMLSchema#integer>/.test(da),
    'dataset description carries void:triples as an xsd:integer');

  // exports: the whole vocabulary as JSON-LD and Turtle
  const ttl = fs.readFileSync(path.join(exportDir, 'imterm.ttl'), 'utf8');
  const jl = JSON.parse(fs.readFileSync(path.join(exportDir, 'imterm.jsonld'), 'utf8'));
  const ea = normLang(await canonTurtle(ttl));
  const eb = normLang(await canonJsonld(jl));
  ok(lines(ea).length > 5000 && ea === eb, `export: JSON-LD and Turtle of the vocabulary give the same ${lines(ea).length} triples`);
  const served = await get(`${base}/dataset/imterm.jsonld`, 'application/ld+json');
  ok(JSON.stringify(JSON.parse(served.text)) === JSON.stringify(jl), 'the served JSON-LD distribution equals the exported one');

  // export: FHIR CodeSystem matches the server's and lists every concept
  const csx = JSON.parse(fs.readFileSync(path.join(exportDir, 'codesystem.json'), 'utf8'));
  const csr = await client.read({ resourceType: 'CodeSystem', id: 'imterm' });
  ok(csx.resourceType === 'CodeSystem' && csx.concept.length === csx.count && csx.count === csr.count && csx.url === CS,
    `export: FHIR CodeSystem lists all ${csx.count} concepts, as the server does`);
  const zhOk = csx.concept.every((c) => (c.designation || []).some((d) => d.language === 'zh') && (c.designation || []).some((d) => d.language === 'en'));
  ok(zhOk, 'export: every CodeSystem concept has zh and en designations');
  const cmb = JSON.parse(fs.readFileSync(path.join(exportDir, 'conceptmaps.json'), 'utf8'));
  const eqs = new Set();
  cmb.entry.forEach((e) => e.resource.group.forEach((g) => g.element.forEach((el) => el.target.forEach((t) => eqs.add(t.equivalence)))));
  ok(cmb.resourceType === 'Bundle' && cmb.entry.length === 4 && [...eqs].every((q) => ['equivalent', 'inexact', 'wider', 'narrower', 'relatedto'].includes(q)),
    `export: ConceptMap bundle of 4 maps with R4 equivalences (${[...eqs].join(', ')})`);

  // export: SSSOM TSV: header, 6 columns, CURIE prefixes declared
  const sssom = fs.readFileSync(path.join(exportDir, 'imterm.sssom.tsv'), 'utf8').split('\n').filter((l) => l);
  const meta = sssom.filter((l) => l.startsWith('#'));
  const rows = sssom.filter((l) => !l.startsWith('#'));
  const declared = new Set(meta.map((l) => (l.match(/^#\s+(\w+):\s+http/) || [])[1]).filter(Boolean));
  const header = rows[0].split('\t');
  const bad = rows.slice(1).filter((r) => {
    const c = r.split('\t');
    return c.length !== header.length || !declared.has(c[0].split(':')[0]) || !declared.has(c[3].split(':')[0]) ||
      !/^skos:(exact|close|broad|narrow|related)Match$/.test(c[2]);
  });
  ok(header.join() === 'subject_id,subject_label,predicate_id,object_id,object_label,mapping_justification' && rows.length > 500 && bad.length === 0,
    `export: SSSOM TSV has ${rows.length - 1} well-formed rows with declared prefixes`, bad[0]);

  // export: 3D Slicer terminology JSON against the dcmqi segment-context schema's rules
  const sl = JSON.parse(fs.readFileSync(path.join(exportDir, 'slicer.json'), 'utf8'));
  const allowed = {
    Category: ['CodeValue', 'CodeMeaning', 'CodingSchemeDesignator', 'recommendedDisplayRGBValue', '3dSlicerLabel', 'cid', 'contextGroupName', 'UMLSConceptUID', 'SNOMEDCTConceptID', 'showAnatomy', 'Type'],
    Type: ['CodeValue', 'CodeMeaning', 'CodingSchemeDesignator', 'recommendedDisplayRGBValue', '3dSlicerLabel', 'cid', 'contextGroupName', 'UMLSConceptUID', 'SNOMEDCTConceptID', 'Modifier'],
    Modifier: ['CodeValue', 'CodeMeaning', 'CodingSchemeDesignator', 'recommendedDisplayRGBValue', 'cid', 'contextGroupName', 'UMLSConceptUID', 'SNOMEDCTConceptID'],
  };
  const problems = [];
  function checkItem(kind, it) {
    Object.keys(it).forEach((k) => { if (!allowed[kind].includes(k)) problems.push(`${kind} has ${k}`); });
    ['CodeValue', 'CodeMeaning', 'CodingSchemeDesignator'].forEach((k) => {
      if (typeof it[k] !== 'string' || !it[k].length || [...it[k]].length > 64) problems.push(`${kind}.${k} bad: ${it[k]}`);
    });
    if (!['SCT', 'DCM', 'RADLEX'].includes(it.CodingSchemeDesignator)) problems.push(`${kind} scheme ${it.CodingSchemeDesignator}`);
    const rgb = it.recommendedDisplayRGBValue;
    if (rgb !== undefined && !(Array.isArray(rgb) && rgb.length === 3 && rgb.every((x) => Number.isInteger(x) && x >= 0 && x <= 255))) problems.push(`${kind} rgb`);
  }
  const cats = sl.SegmentationCodes && sl.SegmentationCodes.Category;
  let nTypes = 0;
  (cats || []).forEach((c) => {
    checkItem('Category', c);
    (c.Type || []).forEach((t) => { nTypes += 1; checkItem('Type', t); (t.Modifier || []).forEach((m) => checkItem('Modifier', m)); });
  });
  ok(typeof sl.SegmentationCategoryTypeContextName === 'string' && Array.isArray(cats) && nTypes > 50 && problems.length === 0,
    `export: Slicer terminology has ${nTypes} types with valid DICOM code triplets`, problems.slice(0, 3).join('; '));
  const pe = cats[0].Type.find((t) => t.CodeValue === '60046008');
  ok(pe && pe.CodingSchemeDesignator === 'SCT' && pe.CodeMeaning === 'Pleural effusion', 'export: Slicer type for pleural effusion is (60046008, SCT, "Pleural effusion")');

  console.log(`1..${n}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  n += 1;
  console.log(`not ok ${n} - the FHIR client suite crashed: ${String(e && e.stack || e).split('\n').slice(0, 3).join(' | ')}`);
  console.log(`1..${n}`);
  process.exitCode = 1;
});
