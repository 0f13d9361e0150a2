// Normalize + validate throughput and cold start of this package against libphonenumber-js
// (min and max metadata) and google-libphonenumber, on the differential test's corpus
// (bench/corpus.mjs), plus the sizes. Each implementation runs in its own child process (a
// fresh module cache, so load times are cold), several times, interleaved; the table shows
// medians. Part of `npm run bench` (bench/run.mjs); alone it prints its section.
//
//   node bench/normalize.mjs [--runs N]      (default 5; needs `npm run build` first)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

// --- one implementation, in a child process ----------------------------------------------

const IMPLEMENTATIONS = {
  'contact-phone': { load: () => contactPhone('contact-phone') },
  'contact-phone/phone': { load: () => contactPhone('contact-phone/phone') },
  'libphonenumber-js/min': { load: () => libphonenumberJs('libphonenumber-js/min') },
  'libphonenumber-js/max': { load: () => libphonenumberJs('libphonenumber-js/max') },
  'google-libphonenumber': {
    load: async () => {
      const { default: lib } = await import('google-libphonenumber');
      const util = lib.PhoneNumberUtil.getInstance();
      return (input, defaultRegion) => {
        try {
          return util.isValidNumber(util.parse(input, defaultRegion ?? 'ZZ'));
        } catch {
          return false;
        }
      };
    },
  },
};

/**
 * This package's normalizePhone from `entry` (the whole module or the phone-only one), with
 * default options but the corpus' region: a number that is not valid throws its PhoneError, as
 * users meet it (about half of the corpus).
 */
async function contactPhone(entry) {
  const { normalizePhone, PhoneError } = await import(entry);
  return (input, defaultRegion) => {
    try {
      return normalizePhone(input, { defaultRegion }).valid;
    } catch (e) {
      if (e instanceof PhoneError) return false;
      throw e;
    }
  };
}

async function libphonenumberJs(entry) {
  const { parsePhoneNumberFromString } = await import(entry);
  return (input, defaultRegion) => parsePhoneNumberFromString(input, defaultRegion ?? undefined)?.isValid() ?? false;
}

async function worker(name, corpusFile) {
  const corpus = JSON.parse(readFileSync(corpusFile, 'utf8'));
  const first = corpus[0];
  const t0 = performance.now();
  const validate = await IMPLEMENTATIONS[name].load();
  const t1 = performance.now();
  validate(first.input, first.defaultRegion);
  const t2 = performance.now();
  // Throughput: whole passes over the corpus for at least a second.
  let ops = 0;
  let valid = 0;
  const start = performance.now();
  do {
    for (const { input, defaultRegion } of corpus) {
      if (validate(input, defaultRegion)) valid++;
    }
    ops += corpus.length;
  } while (performance.now() - start < 1000);
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, firstCallMs: t2 - t1, opsPerSecond: ops / seconds, valid: valid / ops }));
}

// --- the parent: runs, medians, sizes, the table --------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

/** Minified, bundled, gzip -9 size of what `code` imports (esbuild, as a bundler would ship it). */
function bundleSize(code) {
  // From stdin, so that imports resolve from the repository root.
  const buf = execFileSync(join(root, 'node_modules/.bin/esbuild'), ['--bundle', '--minify', '--format=esm', '--platform=browser'], { cwd: root, input: code, maxBuffer: 1 << 26 });
  return { raw: buf.length, gzip: gz(buf) };
}

/** Measures and returns the section's Markdown lines and its numbers. */
export async function normalizeSection(runs) {
  const { corpus } = await import(pathToFileURL(join(root, 'bench/corpus.mjs')).href);
  const inputs = corpus();
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const corpusFile = join(dir, 'corpus.json');
  writeFileSync(corpusFile, JSON.stringify(inputs));
  const results = Object.fromEntries(Object.keys(IMPLEMENTATIONS).map((n) => [n, []]));
  try {
    for (let run = 0; run < runs; run++) {
      for (const name of Object.keys(IMPLEMENTATIONS)) {
        const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--worker', name, corpusFile], { cwd: root, encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
        results[name].push(JSON.parse(child.stdout));
        process.stderr.write('.');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write('\n');

  const wasmSize = (dir) => {
    const wasm = readFileSync(join(root, dir, 'contact_phone_bg.wasm'));
    const glue = readFileSync(join(root, dir, 'contact_phone.js'));
    return { raw: wasm.length, gzip: gz(wasm), note: `\`_bg.wasm\`; JS glue ${glue.length} B, ${gz(glue)} B gzip` };
  };
  const sizes = {
    'contact-phone': wasmSize('pkg'),
    'contact-phone/phone': wasmSize('pkg/phone'),
    'libphonenumber-js/min': { ...bundleSize("export { parsePhoneNumberFromString } from 'libphonenumber-js/min';"), note: 'minified bundle' },
    'libphonenumber-js/max': { ...bundleSize("export { parsePhoneNumberFromString } from 'libphonenumber-js/max';"), note: 'minified bundle' },
    'google-libphonenumber': { ...bundleSize("export { default } from 'google-libphonenumber';"), note: 'minified bundle' },
  };
  const rows = Object.entries(results).map(([name, rs]) => ({
    name,
    ops: median(rs.map((r) => r.opsPerSecond)),
    load: median(rs.map((r) => r.loadMs)),
    first: median(rs.map((r) => r.firstCallMs)),
    valid: rs[0].valid,
    size: sizes[name],
  }));
  const ours = rows.find((r) => r.name === 'contact-phone');
  const phone = rows.find((r) => r.name === 'contact-phone/phone');
  const max = rows.find((r) => r.name === 'libphonenumber-js/max');
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  const fmt = (n) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
  const pkg = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const budgets = [
    ['whole module `_bg.wasm` ≤ 128 KiB gzip -9', kib(ours.size.gzip), ours.size.gzip <= 128 * 1024],
    ['phone-only `_bg.wasm` ≤ 64 KiB gzip -9', kib(phone.size.gzip), phone.size.gzip <= 64 * 1024],
    ['ops/s ≥ 1.5 × libphonenumber-js/max (default options)', `${(ours.ops / max.ops).toFixed(2)} ×`, ours.ops >= 1.5 * max.ops],
    ['first call after instantiation < 2 ms', `${ours.first.toFixed(2)} ms`, ours.first < 2],
  ];
  const lines = [
    `## normalize + validate`,
    '',
    `bench/normalize.mjs: ${inputs.length} inputs from bench/corpus.mjs (the differential test's`,
    `corpus), parse + isValid on each (contact-phone: normalizePhone with default options, so`,
    `each number that is not valid throws its PhoneError); every implementation in its own process, ${runs} runs`,
    `interleaved, medians. Load = importing the module (for contact-phone: compiling and`,
    `instantiating the wasm); first call = the first parse + validation after that.`,
    '',
    '| implementation | size (gzip -9) | load | first call | normalize + validate | vs libphonenumber-js/max |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name.startsWith('contact-phone') ? `${r.name} (this package${r.name === 'contact-phone' ? '' : ', phone-only module'})` : `${r.name} ${pkg(r.name.split('/')[0])}`} | ${kb(r.size.gzip)} (${kb(r.size.raw)} raw; ${r.size.note}) | ${r.load.toFixed(1)} ms | ${r.first.toFixed(2)} ms | ${fmt(r.ops)} ops/s | ${(r.ops / max.ops).toFixed(2)} × |`),
    '',
    `Share of the corpus found valid: ${rows.map((r) => `${r.name} ${(r.valid * 100).toFixed(2)} %`).join(', ')}.`,
    '',
    '| budget | measured | met |',
    '|---|---|---|',
    ...budgets.map(([what, got, ok]) => `| ${what} | ${got} | ${ok ? 'yes' : '**no**'} |`),
    '',
  ];
  return { lines, rows, budgets };
}

const args = process.argv.slice(2);
if (args[0] === '--worker') {
  await worker(args[1], args[2]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = args.indexOf('--runs');
  console.log((await normalizeSection(i >= 0 ? Number(args[i + 1]) : 5)).lines.join('\n'));
}
