// npm run bench: every measurement of the project in one run, against the baselines measured in
// the same run, each implementation in its own process, medians of several runs. Writes
// bench/results.md (bench/README.md quotes it) and bench/chart.png.
//
//   node bench/run.mjs [--runs N] [--no-rust]      (default 5 runs; builds first via npm run bench)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { normalizeSection } from './normalize.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const fmt = (n) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
const say = (text) => process.stderr.write(`${text}\n`);

/** Runs `node <script> ...args` in a fresh process; its last stdout line is JSON. */
function child(script, scriptArgs) {
  const result = spawnSync(process.execPath, [join(root, script), ...scriptArgs], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${script} ${scriptArgs.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

function sizeSection() {
  const files = ['contact_phone_bg.wasm', 'contact_phone.js', 'node.js', 'workerd.js', 'index.js', 'fetch.js', 'phone/contact_phone_bg.wasm', 'phone/contact_phone.js'];
  const lines = ['## Package size', '', '| file | raw | gzip -9 |', '|---|---|---|'];
  const sizes = {};
  for (const file of files) {
    const buf = readFileSync(join(root, 'pkg', file));
    sizes[file] = { raw: buf.length, gzip: gz(buf) };
    lines.push(`| \`pkg/${file}\` | ${fmt(buf.length)} B | ${fmt(gz(buf))} B |`);
  }
  return { lines, sizes };
}

function flowsSection() {
  const measurements = [
    ['setPhone', 'contact-phone'], ['setPhone', 'reference'],
    ['verifyPhone', 'contact-phone'], ['verifyPhone', 'reference'],
  ];
  const results = Object.fromEntries(measurements.map(([what, impl]) => [`${what} ${impl}`, []]));
  const instantiate = [];
  for (let run = 0; run < runs; run += 1) {
    for (const [what, impl] of measurements) {
      results[`${what} ${impl}`].push(child('bench/flows.mjs', [impl, what, '2']).opsPerSec);
    }
    instantiate.push(child('bench/flows.mjs', ['contact-phone', 'instantiate']));
    say(`flows: run ${run + 1} of ${runs}`);
  }
  const row = (what) => {
    const ours = median(results[`${what} contact-phone`]);
    const reference = median(results[`${what} reference`]);
    return { what, ours, reference, ratio: ours / reference };
  };
  const rows = [row('setPhone'), row('verifyPhone')];
  const compile = median(instantiate.map((r) => r.compileMs));
  const total = median(instantiate.map((r) => r.ms));
  const lines = [
    '## setPhone and verifyPhone',
    '',
    'Calls/s from JS with an in-memory host (compare-and-swap, 1 000 users, a new number on every',
    'set, `returnCode`), against a pure-JS reference of the same flow (bench/reference.mjs:',
    'libphonenumber-js/max, node:crypto HMAC and CSPRNG; it skips option parsing and most checks).',
    '',
    '| call | contact-phone (wasm) | pure-JS reference | ratio |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.what}\` | ${fmt(r.ours)} calls/s | ${fmt(r.reference)} calls/s | ${r.ratio.toFixed(2)} × |`),
    '',
    `Module instantiation (compile ${compile.toFixed(2)} ms + instantiate, from the bytes in memory): ${total.toFixed(2)} ms.`,
  ];
  return { lines, rows, instantiate: { compile, total } };
}

function workerSection() {
  const put = [];
  for (let run = 0; run < Math.min(runs, 3); run += 1) put.push(child('bench/worker-put.mjs', ['16', '64', '5000']));
  const pick = (key) => median(put.map((r) => r[key]));
  return {
    lines: [
      '## Edge worker: PUT over HTTP',
      '',
      'bench/worker-put.mjs: the worker on workerd (miniflare) on loopback, 16 clients in closed',
      'loops, each PUT a new number for one of 64 users (`returnCode`), 5 s after a 2 s warm-up.',
      '',
      '| requests/s | p50 | p90 | p99 |',
      '|---|---|---|---|',
      `| ${fmt(pick('requestsPerSecond'))} | ${pick('p50ms').toFixed(1)} ms | ${pick('p90ms').toFixed(1)} ms | ${pick('p99ms').toFixed(1)} ms |`,
    ],
  };
}

function rustSection() {
  say('criterion: cargo bench (bench/rust)');
  const output = execFileSync('cargo', ['bench', '--manifest-path', 'bench/rust/Cargo.toml', '--bench', 'engine', '--', '--warm-up-time', '1', '--measurement-time', '3'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  // "name  time: [low unit estimate unit high unit]", the name sometimes on a line of its own.
  const rows = [...output.matchAll(/^([^\n]+?)\s*\n?\s+time:\s+\[([^\]]+)\]/gm)].map((m) => {
    const [, , estimate, unit] = m[2].trim().split(/\s+/);
    return { name: m[1].trim(), time: `${estimate} ${unit}` };
  });
  return {
    lines: [
      '## Engine hot paths (native, criterion)',
      '',
      'bench/rust: the engine without JS in between; the middle estimate of criterion.',
      '',
      '| path | time |',
      '|---|---|',
      ...rows.map((r) => `| ${r.name} | ${r.time} |`),
    ],
  };
}

/** A bar chart of the speed ratios against each baseline, as SVG. */
function chartSvg(normalize, flows) {
  const groups = [
    {
      title: 'normalize + validate (ops/s)',
      bars: normalize.rows.map((r) => ({ label: r.name, value: r.ops, ours: r.name.startsWith('contact-phone') })),
    },
    {
      title: 'setPhone (calls/s)',
      bars: [
        { label: 'contact-phone', value: flows.rows[0].ours, ours: true },
        { label: 'pure-JS reference', value: flows.rows[0].reference },
      ],
    },
    {
      title: 'verifyPhone (calls/s)',
      bars: [
        { label: 'contact-phone', value: flows.rows[1].ours, ours: true },
        { label: 'pure-JS reference', value: flows.rows[1].reference },
      ],
    },
  ];
  const width = 900;
  const left = 200;
  const barHeight = 26;
  let y = 60;
  const parts = [];
  for (const group of groups) {
    const max = Math.max(...group.bars.map((b) => b.value));
    parts.push(`<text x="20" y="${y}" class="title">${group.title}</text>`);
    y += 14;
    for (const bar of group.bars) {
      const w = Math.max(2, ((width - left - 140) * bar.value) / max);
      parts.push(`<text x="${left - 10}" y="${y + 18}" text-anchor="end">${bar.label}</text>`);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 6}" fill="${bar.ours ? '#1f5fbf' : '#9aa4b2'}"/>`);
      parts.push(`<text x="${left + w + 8}" y="${y + 16}">${fmt(bar.value)}</text>`);
      y += barHeight;
    }
    y += 30;
  }
  const height = y;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<style>text { font: 15px sans-serif; fill: #1b1f24 } .title { font-weight: bold } .head { font-size: 18px; font-weight: bold }</style>
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="30" class="head">contact-phone: speed against the baselines of the same run (longer is faster)</text>
${parts.join('\n')}
</svg>`;
}

/** Renders the SVG to PNG with Debian's headless Chromium (never a downloaded browser). */
function renderPng(svg, out) {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!chromium) throw new Error('bench/chart.png needs /usr/bin/chromium (scripts/setup.sh --browsers installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'bench-chart-'));
  const file = join(dir, 'chart.svg');
  writeFileSync(file, svg);
  const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg);
  execFileSync(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${width},${height}`,
    '--hide-scrollbars', `--screenshot=${out}`, `file://${file}`,
  ], { stdio: 'ignore' });
}

say(`bench: ${runs} runs`);
const size = sizeSection();
// Native first: it compiles, and a compile error should not cost the minutes of the rest.
const rust = args.includes('--no-rust') ? { lines: [] } : rustSection();
say('normalize: libphonenumber-js min/max, google-libphonenumber, contact-phone');
const normalize = await normalizeSection(runs);
const flows = flowsSection();
const workerPut = workerSection();
const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}, ${process.platform}`;
const markdown = [
  '# contact-phone benchmarks',
  '',
  `Measured ${date} on ${machine} by \`npm run bench\` (bench/run.mjs), ${runs} runs, medians.`,
  'Ratios compare implementations measured in the same run; absolute numbers vary with the machine.',
  '',
  '![speed against the baselines](chart.png)',
  '',
  ...size.lines, '',
  ...normalize.lines, '',
  ...flows.lines, '',
  ...workerPut.lines, '',
  ...rust.lines, '',
].join('\n');
writeFileSync(join(root, 'bench/results.md'), markdown);
renderPng(chartSvg(normalize, flows), join(root, 'bench/chart.png'));

// bench/README.md quotes the run between its bench markers, headings one level down.
const readmeFile = join(root, 'bench/README.md');
const readme = readFileSync(readmeFile, 'utf8');
const quoted = markdown
  .split('\n')
  .slice(2)
  .join('\n')
  .replace(/^## /gm, '### ');
const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
if (marked.test(readme)) {
  writeFileSync(readmeFile, readme.replace(marked, () => `<!-- bench:start -->\n${quoted.trim()}\n<!-- bench:end -->`));
}
console.log(markdown);
