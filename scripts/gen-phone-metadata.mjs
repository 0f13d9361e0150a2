#!/usr/bin/env node
// Generates the phone-number metadata tables (Rust) from libphonenumber's metadata.
//
// Usage (from the repository root, after `npm ci`):
//   node scripts/gen-phone-metadata.mjs [--check]
// writes src/engine/phone/metadata.rs (the tables the crate compiles in) and
// src/engine/phone/examples.rs (every region's example numbers with libphonenumber's verdict,
// for the native tests). With --check nothing is written and the exit code is 1 when either
// file differs from what would be generated.
//
// Source: the npm package google-libphonenumber (pinned devDependency), which ships
// libphonenumber's PhoneNumberMetadata.xml compiled by libphonenumber's own build tool into its
// JS metadata. It is read through the package's public PhoneMetadata API, so the tables hold
// exactly what the differential test's reference uses. The package carries no version string;
// its metadata version was identified by comparing every pattern with the XML of
// crates.io `phonenumber` 0.3.10+9.0.33 and with libphonenumber-js's per-version changelog
// (3.2.46 ships 9.0.35, 3.2.47 ships 9.0.40; the test js/test/metadata.test.mjs checks the
// patterns against libphonenumber-js 1.13.14, whose metadata is 9.0.40).
//
// National-number and leadingDigits patterns are compiled here into a tokenised form (one byte
// per token, see "Bytecode" below) that src/engine/phone/plan.rs runs with a bit-parallel
// matcher: no regex engine runs these patterns at run time.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const PACKAGE = 'google-libphonenumber';
const VERSION = '3.2.47';
const METADATA_VERSION = '9.0.40';
const OUTPUT = 'src/engine/phone/metadata.rs';
const EXAMPLES = 'src/engine/phone/examples.rs';

function fail(msg) {
  console.error(`gen-phone-metadata: ${msg}`);
  process.exit(2);
}

function loadLibrary() {
  const require = createRequire(`${process.cwd()}/`);
  let pkg;
  try {
    pkg = require(`${PACKAGE}/package.json`);
  } catch {
    fail(`${PACKAGE} is not installed: run npm ci first`);
  }
  if (pkg.version !== VERSION) fail(`${PACKAGE} ${pkg.version} is installed, the generator pins ${VERSION}`);
  return require(PACKAGE);
}

// --- number descriptions -----------------------------------------------------

// Bits of a plan's output mask. GENERAL: the generalDesc pattern alone (libphonenumber's
// matchNationalNumber while parsing); the others are isNumberMatchingDesc (pattern and the
// desc's possible lengths), in the order getNumberTypeHelper tests them.
const BITS = {
  general: 0,
  generalDesc: 1,
  premiumRate: 2,
  tollFree: 3,
  sharedCost: 4,
  voip: 5,
  personalNumber: 6,
  pager: 7,
  uan: 8,
  voicemail: 9,
  fixedLine: 10,
  mobile: 11,
};
const TYPES = ['fixedLine', 'mobile', 'tollFree', 'premiumRate', 'sharedCost', 'personalNumber', 'voip', 'pager', 'uan', 'voicemail'];
const getter = (type) => `get${type[0].toUpperCase()}${type.slice(1)}`;

function descOf(desc) {
  // An empty pattern matches no national number.
  if (!desc || !desc.getNationalNumberPattern()) return null;
  const lengths = desc.possibleLengthArray();
  if (lengths.length === 1 && lengths[0] === -1) return null;
  return { pattern: desc.getNationalNumberPattern(), lengths };
}

const mask = (lengths) => lengths.filter((n) => n > 0).reduce((m, n) => (m | (1 << n)) >>> 0, 0);

function territoryRecord(util, id, cc) {
  const md = id === '001' ? util.getMetadataForNonGeographicalRegion(cc) : util.getMetadataForRegion(id);
  if (!md || md.getCountryCode() !== cc) fail(`no metadata for ${id}/${cc}`);
  const general = md.getGeneralDesc();
  const descs = { general: descOf(general) };
  if (!descs.general) fail(`${id}: no generalDesc pattern`);
  for (const t of TYPES) descs[t] = descOf(md[getter(t)]());
  const str = (s) => (s ?? '').replace(/\s+/g, '');
  return {
    id,
    cc,
    main: md.getMainCountryForCode() === true,
    lengths: mask(general.possibleLengthArray()),
    localLengths: mask(general.possibleLengthLocalOnlyArray()),
    idd: str(md.getInternationalPrefix()),
    np: str(md.getNationalPrefixForParsing()),
    transform: str(md.getNationalPrefixTransformRule()),
    leading: str(md.getLeadingDigits()),
    sameMobileFixed: md.getSameMobileAndFixedLinePattern() === true,
    descs,
    examples: TYPES.map((t) => [t, md[getter(t)]()?.getExampleNumber()]).filter(([, e]) => e),
  };
}

// --- patterns to automata -----------------------------------------------------
// The national-number and leading-digits patterns use a small regex subset over digits:
// digits, \d, [..] with ranges, (..), (?:..), |, ?, *, +, {n}, {n,}, {n,m} (lazy forms match
// the same language). Anything else is an error, so a new construct cannot slip through.

const ALL = 0x3ff;

function parsePattern(src) {
  let pos = 0;
  const bad = (why) => fail(`pattern ${JSON.stringify(src)} at ${pos}: ${why}`);
  const peek = () => src[pos];
  const eat = (c) => (src[pos] === c ? (pos++, true) : false);
  function number() {
    const start = pos;
    while (/[0-9]/.test(peek() ?? '')) pos++;
    if (pos === start) bad('number expected');
    return Number(src.slice(start, pos));
  }
  function alternation() {
    const alts = [sequence()];
    while (eat('|')) alts.push(sequence());
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }
  function sequence() {
    const items = [];
    while (pos < src.length && peek() !== '|' && peek() !== ')') {
      let atom = primary();
      for (;;) {
        let min;
        let max;
        if (eat('?')) [min, max] = [0, 1];
        else if (eat('*')) [min, max] = [0, Infinity];
        else if (eat('+')) [min, max] = [1, Infinity];
        else if (eat('{')) {
          min = number();
          max = eat(',') ? (peek() === '}' ? Infinity : number()) : min;
          if (!eat('}') || max < min) bad('bad repeat');
        } else break;
        eat('?'); // lazy: same language
        atom = { t: 'rep', node: atom, min, max };
      }
      items.push(atom);
    }
    return { t: 'seq', items };
  }
  function primary() {
    const c = src[pos++];
    if (/[0-9]/.test(c)) return { t: 'cls', m: 1 << Number(c) };
    if (c === '\\') {
      if (eat('d')) return { t: 'cls', m: ALL };
      bad('unsupported escape');
    }
    if (c === '[') {
      let m = 0;
      const negate = eat('^');
      while (!eat(']')) {
        let lo = src[pos++];
        if (lo === '\\' && eat('d')) {
          m |= ALL;
          continue;
        }
        if (!/[0-9]/.test(lo ?? '')) bad('class item');
        let hi = lo;
        if (peek() === '-' && src[pos + 1] !== ']') {
          pos++;
          hi = src[pos++];
          if (!/[0-9]/.test(hi ?? '') || hi < lo) bad('class range');
        }
        for (let d = Number(lo); d <= Number(hi); d++) m |= 1 << d;
      }
      return { t: 'cls', m: negate ? ALL & ~m : m };
    }
    if (c === '(') {
      if (eat('?') && !eat(':')) bad('unsupported group');
      const inner = alternation();
      if (!eat(')')) bad(') expected');
      return inner;
    }
    bad(`unsupported ${JSON.stringify(c)}`);
  }
  const ast = alternation();
  if (pos !== src.length) bad('trailing input');
  return ast;
}

// Longest string an AST matches (Infinity when unbounded).
function maxLength(node) {
  switch (node.t) {
    case 'cls':
      return 1;
    case 'seq':
      return node.items.reduce((n, i) => n + maxLength(i), 0);
    case 'alt':
      return Math.max(...node.alts.map(maxLength));
    case 'rep':
      return node.max === Infinity ? (maxLength(node.node) ? Infinity : 0) : node.max * maxLength(node.node);
    default:
      throw new Error(node.t);
  }
}

// Bytecode (read by src/engine/phone/plan.rs): the regex tokenised, one byte per token.
//   0-9         that digit
//   10          any digit (\d)
//   11 lo hi    a class: u16 LE bit set of digits
//   12 b        a range: digits (b & 15) to (b >> 4)
//   13 min max  any digits, min to max times (max 255: unbounded)
//   20 bits     (a group) the 2-digit strings of the 13-byte bitmap: string v is bit v & 7 of
//               byte v >> 3; for area-code lists, about half the size of their tokens
//   21 bits     the same for 3-digit strings (125 bytes)
//   32+n        any digits, exactly n times (n up to 24): the commonest run in one byte
//   14 min max  the next item (a class or a group), min to max times (max 255: unbounded)
//   15 ( 16 | 17 )  a group and its alternatives; a pattern ends with a 17 of its own.
//   18 lo hi    a group as 15 that is long: u16 LE byte count from after these bytes to
//               after its 17, so that the matcher skips it in one step.
//   19 lo hi    (in place of a whole pattern) the pattern at this u16 LE offset.
// Runs of \d collapse into one token. Gzip packs this form best: lengths or offsets per
// alternative made the tables 10 % larger, a minimised DFA three times larger.
const varint = (n) => {
  const out = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>>= 7;
  } while (n);
  return out;
};
const [OPEN, OR, CLOSE, LONG, REF] = [15, 16, 17, 18, 19];
const BITMAP = 20;
const EXACT_RUN = 32;
/** Groups of at least this many bytes get their length (LONG). */
const LONG_GROUP = 32;

/** A group: OPEN, or LONG and its length when long, then `body` and CLOSE. */
function group(body) {
  if (body.length + 1 < LONG_GROUP) return [OPEN, ...body, CLOSE];
  const n = body.length + 1;
  if (n > 0xffff) fail('group too long');
  return [LONG, n & 0xff, n >> 8, ...body, CLOSE];
}

function compileSeq(items) {
  const flat = [];
  for (const item of items) {
    if (item.t === 'seq') flat.push(...item.items);
    else flat.push(item);
  }
  const anyRun = (x) => (x.t === 'cls' && x.m === ALL ? [1, 1] : x.t === 'rep' && x.node.t === 'cls' && x.node.m === ALL ? [x.min, x.max] : null);
  const out = [];
  for (let i = 0; i < flat.length; i++) {
    const run = anyRun(flat[i]);
    if (!run) {
      out.push(...compileItem(flat[i]));
      continue;
    }
    let [min, max] = run;
    while (i + 1 < flat.length && anyRun(flat[i + 1])) {
      const [a, b] = anyRun(flat[++i]);
      min += a;
      max += b;
    }
    if (min === 1 && max === 1) out.push(10);
    else if (min === max && min <= 24) out.push(EXACT_RUN + min);
    else out.push(13, count(min), max === Infinity ? 255 : count(max));
  }
  return out;
}

const count = (n) => (n <= 254 ? n : fail('repeat too large'));

function compileItem(node) {
  switch (node.t) {
    case 'cls': {
      const m = node.m;
      for (let d = 0; d < 10; d++) if (m === 1 << d) return [d];
      if (m === ALL) return [10];
      const lo = 31 - Math.clz32(m & -m);
      const hi = 31 - Math.clz32(m);
      if (m === (1 << (hi + 1)) - (1 << lo)) return [12, lo | (hi << 4)];
      return [11, m & 0xff, m >> 8];
    }
    case 'seq':
      return bitmapOr(node, group(compileSeq(node.items)));
    case 'alt':
      return bitmapOr(node, group(alternatives(node)));
    case 'rep': {
      const inner = node.node.t === 'cls' ? compileItem(node.node) : compileItem(node.node.t === 'alt' ? node.node : { t: 'seq', items: [node.node] });
      return [14, count(node.min), node.max === Infinity ? 255 : count(node.max), ...inner];
    }
    default:
      throw new Error(node.t);
  }
}

// The digit strings of one length (up to 3) that `node` matches, if that is all it matches:
// digit sets in sequence, alternatives of equal length, fixed repeats. Area-code lists such as
// `2(?:0[1-35-9]|1[02-9]|...)` are this.
function fixedStrings(node) {
  switch (node.t) {
    case 'cls':
      return { len: 1, vals: [...Array(10).keys()].filter((d) => (node.m >> d) & 1) };
    case 'seq': {
      let acc = { len: 0, vals: [0] };
      for (const item of node.items) {
        const next = fixedStrings(item);
        if (!next || acc.len + next.len > 3) return null;
        acc = { len: acc.len + next.len, vals: acc.vals.flatMap((v) => next.vals.map((w) => v * 10 ** next.len + w)) };
      }
      return acc;
    }
    case 'alt': {
      const all = node.alts.map(fixedStrings);
      if (all.some((x) => !x || x.len !== all[0].len)) return null;
      return { len: all[0].len, vals: [...new Set(all.flatMap((x) => x.vals))] };
    }
    case 'rep':
      return node.min === node.max ? fixedStrings({ t: 'seq', items: Array(node.min).fill(node.node) }) : null;
    default:
      throw new Error(node.t);
  }
}

/** A group as a bitmap of the 2- or 3-digit strings it matches, when that is shorter. */
function bitmapOr(node, plain) {
  const fixed = fixedStrings(node);
  if (!fixed || fixed.len < 2) return plain;
  const bits = new Array(Math.ceil(10 ** fixed.len / 8)).fill(0);
  for (const v of fixed.vals) bits[v >> 3] |= 1 << (v & 7);
  const bitmap = [BITMAP + fixed.len - 2, ...bits];
  return bitmap.length < plain.length ? bitmap : plain;
}

const alternatives = (node) => node.alts.flatMap((a, i) => [...(i ? [OR] : []), ...compileSeq(a.t === 'seq' ? a.items : [a])]);

function compilePattern(src) {
  const ast = parsePattern(src);
  if (maxLength(ast) > 24) fail(`pattern ${JSON.stringify(src)} matches more than 24 digits`);
  const body = ast.t === 'alt' ? alternatives(ast) : compileSeq(ast.t === 'seq' ? ast.items : [ast]);
  return [...body, CLOSE];
}

// --- output -----------------------------------------------------------------

function rustStr(s) {
  if (/[\u0000-\u001f\u007f"]/.test(s)) fail(`unexpected character in ${JSON.stringify(s)}`);
  return s.includes('\\') ? `r"${s}"` : `"${s}"`;
}

function rustBytes(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 32) {
    lines.push(`    ${bytes.slice(i, i + 32).join(',')},`);
  }
  return lines;
}

function generate(lib) {
  const util = lib.PhoneNumberUtil.getInstance();
  const recs = [];
  for (const id of util.getSupportedRegions()) recs.push(territoryRecord(util, id, util.getCountryCodeForRegion(id)));
  for (const cc of util.getSupportedGlobalNetworkCallingCodes()) recs.push(territoryRecord(util, '001', cc));
  if (recs.length < 200) fail(`only ${recs.length} territories`);
  recs.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : x.cc - y.cc));
  const regions = [...new Set(recs.map((r) => r.id))];
  const regionIndex = new Map(regions.map((r, i) => [r, i]));
  recs.forEach((r, i) => {
    r.index = i;
  });
  const byCode = new Map();
  for (const r of recs) {
    if (r.id === '001') byCode.set(r.cc, [r]);
  }
  for (const cc of new Set(recs.filter((r) => r.id !== '001').map((r) => r.cc))) {
    const list = util.getRegionCodesForCountryCode(cc).map((id) => recs.find((r) => r.id === id));
    if (list.some((r) => !r)) fail(`calling code ${cc} lists an unknown region`);
    byCode.set(cc, list);
  }
  const codes = [...byCode.keys()].sort((x, y) => x - y);

  // One plan per territory in PATTERNS, read in order by plan.rs:
  //   u16 LE bit set of the types present (bits as in BITS; generalDesc is always there),
  //   per present type in bit order: its possible lengths as a varint bit set (0: any),
  //   the generalDesc pattern, then each present type's pattern in bit order.
  // A pattern is its tokens, or REF and the u16 LE offset of an earlier copy. leadingDigits
  // patterns follow the plan of the first territory that has them.
  const patterns = [];
  const patternAt = new Map();
  const placePattern = (src) => {
    if (patternAt.has(src)) {
      const at = patternAt.get(src);
      patterns.push(REF, at & 0xff, at >> 8);
    } else {
      patternAt.set(src, patterns.length);
      patterns.push(...compilePattern(src));
    }
  };
  for (const r of recs) {
    r.plan = patterns.length;
    let present = 0;
    const lengths = [];
    const types = Object.entries(BITS).filter(([type]) => TYPES.includes(type) && r.descs[type]);
    for (const [type, bit] of types) {
      present |= 1 << bit;
      lengths.push(...varint(mask(r.descs[type].lengths)));
    }
    patterns.push(present & 0xff, present >> 8, ...lengths);
    placePattern(r.descs.general.pattern);
    for (const [type] of types) placePattern(r.descs[type].pattern);
    if (r.leading) {
      if (!patternAt.has(r.leading)) placePattern(r.leading);
      r.lead = patternAt.get(r.leading);
    } else {
      r.lead = 0xffffffff;
    }
  }

  const out = [];
  out.push('// Phone-number metadata tables: calling codes, dialling rules and numbering plans.');
  out.push(`// Source: npm package \`${PACKAGE}\` ${VERSION}, libphonenumber metadata ${METADATA_VERSION}`);
  out.push('// (PhoneNumberMetadata.xml, Apache-2.0).');
  out.push('// generated by scripts/gen-phone-metadata.mjs; do not edit.');
  out.push('');
  out.push('use super::territory::{t, Territory, NONE};');
  out.push('');
  out.push('/// libphonenumber metadata version the tables were generated from.');
  out.push(`pub const METADATA_VERSION: &str = "${METADATA_VERSION}";`);
  out.push('');
  out.push('/// Region codes, sorted, two letters each ("00" stands for "001"); `Region` is an index.');
  out.push(`pub(super) static REGIONS: &str = "${regions.map((r) => (r === '001' ? '00' : r)).join('')}";`);
  out.push('');
  // Dialling patterns (IDD, national prefix, transform rule), deduplicated; index 0 is "".
  const strings = [''];
  const stringAt = new Map([['', 0]]);
  const str = (x) => {
    if (!stringAt.has(x)) {
      stringAt.set(x, strings.length);
      strings.push(x);
    }
    return stringAt.get(x);
  };
  const rows = recs.map((r) => [
    regionIndex.get(r.id),
    r.cc,
    `0x${r.lengths.toString(16).padStart(5, '0')}`,
    `0x${r.localLengths.toString(16).padStart(3, '0')}`,
    str(r.idd),
    str(r.np),
    str(r.transform),
    r.plan,
    r.lead === 0xffffffff ? 'NONE' : r.lead,
    r.sameMobileFixed,
  ]);
  if (strings.length > 0xffff || patterns.length > 0xfffe) fail('tables outgrow u16 offsets');
  out.push('/// internationalPrefix, nationalPrefixForParsing and nationalPrefixTransformRule patterns.');
  out.push(`pub(super) static STRINGS: [&str; ${strings.length}] = [`);
  for (const x of strings) out.push(`    ${rustStr(x)},`);
  out.push('];');
  out.push('');
  out.push('/// One entry per territory, sorted by region, then calling code.');
  out.push('/// t(region, calling code, possible national lengths and local-only lengths as bit sets');
  out.push('///   (bit n = length n), internationalPrefix, nationalPrefixForParsing and');
  out.push('///   nationalPrefixTransformRule as indexes into `STRINGS`, offset of the plan in `PATTERNS`,');
  out.push('///   offset of the leadingDigits pattern in `PATTERNS`, sameMobileAndFixedLinePattern)');
  out.push(`pub(super) static TERRITORIES: [Territory; ${recs.length}] = [`);
  rows.forEach((row, i) => out.push(`    t(${row.join(', ')}), // ${i} ${recs[i].id}`));
  out.push('];');
  out.push('');
  out.push('/// Calling code -> start of its territories in `CODE_TERRITORIES`; sorted by code.');
  out.push(`pub(super) static CALLING_CODES: [(u16, u16); ${codes.length}] = [`);
  let start = 0;
  const order = [];
  for (let i = 0; i < codes.length; i += 8) {
    const row = [];
    for (const c of codes.slice(i, i + 8)) {
      row.push(`(${c}, ${start})`);
      const list = byCode.get(c).map((r) => r.index);
      order.push(...list);
      start += list.length;
    }
    out.push(`    ${row.join(', ')},`);
  }
  out.push('];');
  out.push('');
  out.push('/// Indexes into `TERRITORIES`, grouped by calling code, main country first.');
  out.push(`pub(super) static CODE_TERRITORIES: [u16; ${order.length}] = [`);
  for (let i = 0; i < order.length; i += 20) out.push(`    ${order.slice(i, i + 20).join(', ')},`);
  out.push('];');
  out.push('');
  out.push(`/// Numbering plans: ${patternAt.size} distinct national-number and leadingDigits patterns as`);
  out.push('/// bytecode, and what each territory has of them; see plan.rs.');
  out.push(`pub(super) static PATTERNS: [u8; ${patterns.length}] = [`);
  out.push(...rustBytes(patterns));
  out.push('];');
  out.push('');

  // Example numbers with libphonenumber's own verdict, for the native tests.
  const ex = [];
  ex.push("// Every territory's example numbers with google-libphonenumber's verdict on them.");
  ex.push(`// Source: npm package \`${PACKAGE}\` ${VERSION} (metadata ${METADATA_VERSION}).`);
  ex.push('// generated by scripts/gen-phone-metadata.mjs; do not edit.');
  ex.push('');
  ex.push('/// (E.164 number, region of the metadata it is listed in, its type there, isValidNumber,');
  ex.push('/// getRegionCodeForNumber or "" for none, getNumberType).');
  ex.push('pub(super) static EXAMPLES: &[(&str, &str, &str, bool, &str, &str)] = &[');
  const typeName = Object.fromEntries(Object.entries(lib.PhoneNumberType).map(([k, v]) => [v, k]));
  let count = 0;
  for (const r of recs) {
    for (const [type, nsn] of r.examples) {
      const e164 = `+${r.cc}${nsn}`;
      const n = util.parse(e164, 'ZZ');
      const valid = util.isValidNumber(n);
      const region = util.getRegionCodeForNumber(n) ?? '';
      const got = typeName[util.getNumberType(n)];
      ex.push(`    ("${e164}", "${r.id}", "${type}", ${valid}, "${region}", "${got}"),`);
      count++;
    }
  }
  ex.push('];');
  ex.push('');
  if (count < 1000) fail(`only ${count} example numbers`);
  return { metadata: out.join('\n'), examples: ex.join('\n') };
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  if (args.some((a) => a !== '--check')) fail('usage: node scripts/gen-phone-metadata.mjs [--check]');
  const { metadata, examples } = generate(loadLibrary());
  let stale = false;
  for (const [file, text] of [[OUTPUT, metadata], [EXAMPLES, examples]]) {
    if (!check) {
      writeFileSync(file, text);
      console.log(`wrote ${file} (${Buffer.byteLength(text)} bytes)`);
      continue;
    }
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === text) {
      console.log(`${file} is up to date (${PACKAGE} ${VERSION}, metadata ${METADATA_VERSION})`);
      continue;
    }
    stale = true;
    if (current === null) {
      console.error(`${file} is missing`);
    } else {
      const a = current.split('\n');
      const b = text.split('\n');
      let line = 0;
      while (line < a.length && line < b.length && a[line] === b[line]) line++;
      console.error(`${file} differs from the generated text at line ${line + 1}:`);
      console.error(`  committed: ${(a[line] ?? '<end of file>').slice(0, 200)}`);
      console.error(`  generated: ${(b[line] ?? '<end of file>').slice(0, 200)}`);
    }
  }
  if (stale) {
    console.error('regenerate with: node scripts/gen-phone-metadata.mjs');
    process.exit(1);
  }
}

main();
