#!/usr/bin/env node
// Generates the phone-number metadata tables (Rust) from libphonenumber's
// PhoneNumberMetadata.xml, taken from the pinned crates.io package `phonenumber`.
//
// Usage (from the repository root):
//   node scripts/gen-phone-metadata.mjs [--check] [OUTPUT]
// OUTPUT defaults to src/engine/phone/metadata.rs. With --check nothing is written and
// the exit code is 1 when OUTPUT differs from what would be generated.
//
// Node 20, no npm dependencies. The downloaded .crate is cached under
// target/phone-metadata/ (relative to the working directory) and its sha256 is verified.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const PACKAGE = 'phonenumber';
const VERSION = '0.3.10+9.0.33';
const METADATA_VERSION = '9.0.33';
const URL = `https://static.crates.io/crates/${PACKAGE}/${PACKAGE}-${encodeURIComponent(VERSION)}.crate`;
const SHA256 = '66d85d3cc5477bfe2f357939e7f02a5a566632508633af1a2c37577d0bef87d9';
const XML_PATH = `${PACKAGE}-${VERSION}/assets/PhoneNumberMetadata.xml`;
const CACHE_DIR = join('target', 'phone-metadata');
const DEFAULT_OUTPUT = 'src/engine/phone/metadata.rs';

function fail(msg) {
  console.error(`gen-phone-metadata: ${msg}`);
  process.exit(2);
}

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

async function loadCrate() {
  const file = join(CACHE_DIR, `${PACKAGE}-${VERSION}.crate`);
  if (existsSync(file)) {
    const buf = readFileSync(file);
    if (sha256(buf) === SHA256) return buf;
    console.error(`gen-phone-metadata: cached ${file} has the wrong sha256; downloading again`);
  }
  const res = await fetch(URL);
  if (!res.ok) fail(`download of ${URL} failed: HTTP ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  const got = sha256(buf);
  if (got !== SHA256) fail(`sha256 mismatch for ${URL}: expected ${SHA256}, got ${got}`);
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, buf);
  return buf;
}

// Minimal tar reader: returns the contents of the entry named `wanted`.
// Handles ustar prefixes, GNU long names ('L') and pax 'path' records ('x').
function tarExtract(tar, wanted) {
  const str = (b, s, n) => {
    const slice = b.subarray(s, s + n);
    const nul = slice.indexOf(0);
    return slice.subarray(0, nul < 0 ? n : nul).toString('utf8');
  };
  let off = 0;
  let longName = null;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(str(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    let name = str(h, 0, 100);
    const magic = str(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? str(h, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = str(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if (longName !== null) {
      name = longName;
      longName = null;
    }
    if ((type === '0' || type === '\0') && name === wanted) return body;
  }
  fail(`${wanted} not found in the crate`);
}

// --- tiny XML reader -------------------------------------------------------
// Enough for PhoneNumberMetadata.xml: comments, a DOCTYPE with an internal
// subset, elements with (multi-line) double-quoted attributes, text.

function decodeEntities(s) {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e[1] === 'x') return String.fromCodePoint(parseInt(e.slice(2), 16));
    return String.fromCodePoint(parseInt(e.slice(1), 10));
  });
}

function parseXml(text) {
  const root = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    stack[stack.length - 1].text += text.slice(i, lt);
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<!DOCTYPE', lt)) {
      const end = text.indexOf(']>', lt);
      if (end < 0) fail('unterminated DOCTYPE');
      i = end + 2;
    } else if (text.startsWith('<?', lt)) {
      i = text.indexOf('?>', lt) + 2;
    } else if (text[lt + 1] === '/') {
      const end = text.indexOf('>', lt);
      const name = text.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (!top || top.name !== name) fail(`mismatched </${name}>`);
      i = end + 1;
    } else {
      // Attribute values cannot contain '>' unescaped in this file, but be safe
      // and scan quoted strings.
      let j = lt + 1;
      let quote = null;
      while (j < text.length && (quote || text[j] !== '>')) {
        if (quote) {
          if (text[j] === quote) quote = null;
        } else if (text[j] === '"' || text[j] === "'") {
          quote = text[j];
        }
        j++;
      }
      let inner = text.slice(lt + 1, j);
      const selfClosing = inner.endsWith('/');
      if (selfClosing) inner = inner.slice(0, -1);
      const m = /^([A-Za-z_][\w.-]*)/.exec(inner);
      if (!m) fail(`bad tag at offset ${lt}`);
      const attrs = {};
      const re = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
      let a;
      while ((a = re.exec(inner.slice(m[1].length))) !== null) {
        attrs[a[1]] = decodeEntities(a[2] ?? a[3]);
      }
      const el = { name: m[1], attrs, children: [], text: '' };
      stack[stack.length - 1].children.push(el);
      if (!selfClosing) stack.push(el);
      i = j + 1;
    }
  }
  if (stack.length !== 1) fail('unclosed elements');
  return root;
}

const child = (el, name) => el.children.find((c) => c.name === name);

// --- metadata extraction ---------------------------------------------------

// Number types whose possible lengths make up the general description, as in
// libphonenumber's BuildMetadataFromXml (noInternationalDialling excluded).
const TYPES = [
  'fixedLine', 'mobile', 'pager', 'tollFree', 'premiumRate', 'sharedCost',
  'personalNumber', 'voip', 'uan', 'voicemail',
];

// "[7-9]", "8,10", "[4-6],8" -> [4, 5, 6, 8]; "-1" -> [].
function parseLengths(spec, where) {
  const out = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    let m;
    if ((m = /^\[(\d+)-(\d+)\]$/.exec(part))) {
      for (let n = +m[1]; n <= +m[2]; n++) out.push(n);
    } else if (/^\d+$/.test(part)) {
      out.push(+part);
    } else if (part === '-1') {
      // "no numbers of this type"
    } else {
      fail(`${where}: bad possibleLengths "${spec}"`);
    }
  }
  for (const n of out) if (n < 1 || n > 31) fail(`${where}: length ${n} out of range`);
  return out;
}

const pattern = (s) => (s ?? '').replace(/\s+/g, '');

function territoryRecord(el, order) {
  const a = el.attrs;
  const id = a.id;
  if (!/^([A-Z]{2}|001)$/.test(id ?? '')) fail(`bad territory id ${id}`);
  const cc = Number(a.countryCode);
  if (!Number.isInteger(cc) || cc < 1 || cc > 999) fail(`${id}: bad countryCode`);
  const where = `${id}/${cc}`;
  let lengths = new Set();
  const general = child(el, 'generalDesc');
  const generalLengths = general && child(general, 'possibleLengths');
  if (generalLengths) {
    parseLengths(generalLengths.attrs.national ?? '', where).forEach((n) => lengths.add(n));
  } else {
    for (const t of TYPES) {
      const desc = child(el, t);
      const pl = desc && child(desc, 'possibleLengths');
      if (pl) parseLengths(pl.attrs.national ?? '', `${where} ${t}`).forEach((n) => lengths.add(n));
    }
  }
  let mask = 0;
  for (const n of lengths) mask |= 2 ** n;
  const nationalPrefix = pattern(a.nationalPrefix);
  const hasNpp = Object.hasOwn(a, 'nationalPrefixForParsing');
  return {
    id,
    cc,
    order,
    main: a.mainCountryForCode === 'true',
    lengths: mask >>> 0,
    idd: pattern(a.internationalPrefix),
    np: hasNpp ? pattern(a.nationalPrefixForParsing) : nationalPrefix,
    transform: hasNpp ? pattern(a.nationalPrefixTransformRule) : '',
    leading: pattern(a.leadingDigits),
  };
}

function rustStr(s) {
  if (/[\u0000-\u001f\u007f]/.test(s)) fail(`control character in pattern ${JSON.stringify(s)}`);
  if (s.includes('"')) return JSON.stringify(s);
  return s.includes('\\') ? `r"${s}"` : `"${s}"`;
}

function generate(xml) {
  const doc = parseXml(xml);
  const top = child(doc, 'phoneNumberMetadata');
  const list = top && child(top, 'territories');
  if (!list) fail('no <territories>');
  const recs = list.children
    .filter((c) => c.name === 'territory')
    .map((el, i) => territoryRecord(el, i));
  if (recs.length < 200) fail(`only ${recs.length} territories`);

  recs.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : x.cc - y.cc));
  const regions = [...new Set(recs.map((r) => r.id))];
  const regionIndex = new Map(regions.map((r, i) => [r, i]));
  recs.forEach((r, i) => {
    r.index = i;
  });
  for (const r of recs) {
    if (r.id !== '001' && recs.filter((o) => o.id === r.id).length !== 1) fail(`duplicate ${r.id}`);
  }

  // Calling code -> territories: main country first, then document order
  // (libphonenumber's CountryCodeToRegionCodeMap).
  const byCode = new Map();
  for (const r of [...recs].sort((x, y) => x.order - y.order)) {
    if (!byCode.has(r.cc)) byCode.set(r.cc, []);
    const l = byCode.get(r.cc);
    if (r.main) l.unshift(r);
    else l.push(r);
  }
  const codes = [...byCode.keys()].sort((x, y) => x - y);

  const out = [];
  out.push('// Phone-number metadata tables for E.164 parsing.');
  out.push(`// Source: crates.io package \`${PACKAGE}\` ${VERSION}, file assets/PhoneNumberMetadata.xml`);
  out.push(`// (Google libphonenumber metadata version ${METADATA_VERSION}, Apache-2.0).`);
  out.push('// generated by scripts/gen-phone-metadata.mjs; do not edit.');
  out.push('');
  out.push('use super::territory::{t, Territory};');
  out.push('');
  out.push('/// libphonenumber metadata version the tables were generated from.');
  out.push(`pub const METADATA_VERSION: &str = "${METADATA_VERSION}";`);
  out.push('');
  out.push('/// Region codes, sorted; `Region` is an index into this array.');
  out.push(`pub(super) static REGIONS: [&str; ${regions.length}] = [`);
  for (let i = 0; i < regions.length; i += 12) {
    out.push(`    ${regions.slice(i, i + 12).map((r) => `"${r}"`).join(', ')},`);
  }
  out.push('];');
  out.push('');
  out.push('/// One entry per `<territory>`, sorted by region, then calling code.');
  out.push('/// t(region, calling code, possible national lengths as a bit set (bit n = length n),');
  out.push('///   internationalPrefix, nationalPrefixForParsing, nationalPrefixTransformRule, leadingDigits)');
  out.push(`pub(super) static TERRITORIES: [Territory; ${recs.length}] = [`);
  for (const r of recs) {
    const args = [
      regionIndex.get(r.id),
      r.cc,
      `0x${r.lengths.toString(16).padStart(5, '0')}`,
      rustStr(r.idd),
      rustStr(r.np),
      rustStr(r.transform),
      rustStr(r.leading),
    ];
    out.push(`    t(${args.join(', ')}), // ${r.index} ${r.id}`);
  }
  out.push('];');
  out.push('');
  out.push('/// Calling code -> indexes into `TERRITORIES`, main country first; sorted by code.');
  out.push(`pub(super) static CALLING_CODES: [(u16, &[u16]); ${codes.length}] = [`);
  for (const c of codes) {
    out.push(`    (${c}, &[${byCode.get(c).map((r) => r.index).join(', ')}]),`);
  }
  out.push('];');
  out.push('');
  return out.join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const rest = args.filter((a) => a !== '--check');
  if (rest.some((a) => a.startsWith('-')) || rest.length > 1) {
    fail('usage: node scripts/gen-phone-metadata.mjs [--check] [OUTPUT]');
  }
  const output = rest[0] ?? DEFAULT_OUTPUT;
  const crate = await loadCrate();
  const xml = tarExtract(gunzipSync(crate), XML_PATH).toString('utf8');
  const text = generate(xml);

  if (check) {
    const current = existsSync(output) ? readFileSync(output, 'utf8') : null;
    if (current === text) {
      console.log(`${output} is up to date (${PACKAGE} ${VERSION})`);
      return;
    }
    if (current === null) {
      console.error(`${output} is missing; run: node scripts/gen-phone-metadata.mjs ${output}`);
    } else {
      const a = current.split('\n');
      const b = text.split('\n');
      let line = 0;
      while (line < a.length && line < b.length && a[line] === b[line]) line++;
      console.error(`${output} differs from the generated tables at line ${line + 1}:`);
      console.error(`  committed: ${a[line] ?? '<end of file>'}`);
      console.error(`  generated: ${b[line] ?? '<end of file>'}`);
      console.error(`regenerate with: node scripts/gen-phone-metadata.mjs ${output}`);
    }
    process.exit(1);
  }
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, text);
  console.log(`wrote ${output} (${Buffer.byteLength(text)} bytes)`);
}

main().catch((e) => fail(e?.stack ?? String(e)));
