// A deterministic corpus of phone-number inputs for the differential test and the benchmark:
// every territory's example numbers (from the pinned google-libphonenumber metadata) with
// mutated digits, lengths and leading digits, written internationally (+CC, and from CH with
// its 00 prefix) and nationally (with the region's national prefix, the region as default),
// some with separators. Same inputs on every run and machine.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Variants per example number and form; about 1100 examples give over 100 000 inputs. */
const VARIANTS = 48;

// mulberry32: a small seeded PRNG, so the corpus never changes.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ['FixedLine', 'Mobile', 'TollFree', 'PremiumRate', 'SharedCost', 'PersonalNumber', 'Voip', 'Pager', 'Uan', 'Voicemail'];

/** The example numbers: [{region, countryCode, nationalPrefix, nsn}], sorted. */
export function examples() {
  const { PhoneNumberUtil } = require('google-libphonenumber');
  const util = PhoneNumberUtil.getInstance();
  const out = [];
  const add = (region, md) => {
    for (const t of TYPES) {
      const nsn = md[`get${t}`]()?.getExampleNumber();
      if (nsn) out.push({ region, countryCode: md.getCountryCode(), nationalPrefix: md.getNationalPrefix() ?? '', nsn });
    }
  };
  for (const region of [...util.getSupportedRegions()].sort()) add(region, util.getMetadataForRegion(region));
  for (const cc of [...util.getSupportedGlobalNetworkCallingCodes()].sort((a, b) => a - b)) {
    add('001', util.getMetadataForNonGeographicalRegion(cc));
  }
  return out;
}

/** Digit-string mutations of `nsn`, `count` of them, from `random`. */
function mutations(nsn, count, random) {
  const digit = () => String(Math.floor(random() * 10));
  const out = [nsn];
  while (out.length < count) {
    const kind = out.length % 8;
    const i = Math.floor(random() * nsn.length);
    let m;
    switch (kind) {
      case 0: // one digit changed
      case 1:
      case 2:
        m = nsn.slice(0, i) + digit() + nsn.slice(i + 1);
        break;
      case 3: // two digits changed
        m = nsn.split('').map((d) => (random() < 2 / nsn.length ? digit() : d)).join('');
        break;
      case 4: // leading digits changed
        m = digit() + (random() < 0.5 ? digit() : nsn[1] ?? '') + nsn.slice(2);
        break;
      case 5: // shorter
        m = nsn.slice(0, Math.max(1, nsn.length - 1 - Math.floor(random() * 3)));
        break;
      case 6: // longer
        m = nsn + digit() + (random() < 0.4 ? digit() : '');
        break;
      default: // a digit dropped or inserted inside
        m = random() < 0.5 ? nsn.slice(0, i) + nsn.slice(i + 1) : nsn.slice(0, i) + digit() + nsn.slice(i);
    }
    out.push(m);
  }
  return out;
}

/** Groups digits with a separator now and then, as people type them. */
function typed(digits, random) {
  const r = random();
  if (r < 0.6) return digits;
  const sep = r < 0.75 ? ' ' : r < 0.85 ? '-' : r < 0.93 ? '.' : ' ';
  const parts = [];
  for (let i = 0; i < digits.length; ) {
    const n = 2 + Math.floor(random() * 3);
    parts.push(digits.slice(i, i + n));
    i += n;
  }
  return parts.join(sep);
}

/**
 * The corpus: [{input, defaultRegion}] where defaultRegion is a region code or null (the
 * input is international).
 */
export function corpus() {
  const random = prng(20261129);
  const out = [];
  for (const ex of examples()) {
    for (const m of mutations(ex.nsn, VARIANTS, random)) {
      const r = random();
      if (r < 0.7) out.push({ input: `+${ex.countryCode} ${typed(m, random)}`, defaultRegion: null });
      else if (r < 0.8) out.push({ input: `+${ex.countryCode}${typed(m, random)}`, defaultRegion: ex.region === '001' ? 'DE' : ex.region });
      else if (r < 0.9) out.push({ input: `00${ex.countryCode}${typed(m, random)}`, defaultRegion: 'CH' });
      else out.push({ input: `011 ${ex.countryCode} ${typed(m, random)}`, defaultRegion: 'US' });
      if (ex.region !== '001') {
        // Typed nationally: mostly with the trunk prefix, sometimes without it.
        const prefix = random() < 0.85 ? ex.nationalPrefix : '';
        out.push({ input: `${prefix}${typed(m, random)}`, defaultRegion: ex.region });
      }
    }
  }
  return out;
}

/**
 * Half of the corpus again, each input dressed as people and systems write numbers: `tel:`
 * URIs, labels, extensions, brackets, full-width digits and plus, trailing text or letters.
 */
export function decorated() {
  const random = prng(1129);
  const dress = [
    (s) => `tel:${s.replace(/ /g, '-')}`,
    (s) => `Tel: ${s}`,
    (s) => `${s} ext. 12`,
    (s) => `${s} x 5`,
    (s) => `${s};ext=7`,
    (s) => `(${s.slice(0, 3)}) ${s.slice(3)}`,
    (s) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
    (s) => `${s}#`,
    (s) => s.replace(/ /g, '.'),
    (s) => `${s}, call me`,
    (s) => ` ${s} `,
    (s) => s.replace(/(\d)(\d)$/, 'ab$2'),
    (s) => `${s}/x1`,
    (s) => s.replace('+', '\uff0b'),
    (s) => `${s} #123`,
    (s) => `${s}ABC`,
    (s) => `++${s.replace('+', '')}`,
    (s) => `${s}\u00a0`,
  ];
  return corpus()
    .filter((_, i) => i % 2 === 0)
    .map(({ input, defaultRegion }) => ({ input: dress[Math.floor(random() * dress.length)](input), defaultRegion }));
}
