// npm runs this before `npm pack` and `npm publish`. The tarball must hold the built pkg/,
// which git does not track: without this, a fresh clone packs a tarball of two files that
// installs fine and fails only at import. So: build pkg/ when a file that package.json's
// `files` lists is missing, or older than the sources it is built from; and when the
// toolchain to build it is missing, refuse with a message that says what to run.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { files } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// rustup installs cargo and wasm-bindgen-cli into ~/.cargo/bin, which npm's PATH may lack.
const env = { ...process.env, PATH: [process.env.PATH, join(homedir(), '.cargo', 'bin')].join(delimiter) };

/** Modification times (ms) of every file under `path` (a file or a folder). */
function times(path) {
  if (!existsSync(path)) return [];
  const stat = statSync(path);
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return readdirSync(path).flatMap((name) => times(join(path, name)));
}

const built = files.filter((file) => file.startsWith('pkg/'));
const missing = built.filter((file) => times(join(root, file)).length === 0);
const sources = ['src', 'js/bindings.js', 'js/fetch.js', 'Cargo.toml', 'Cargo.lock', 'scripts/build.mjs'];
const newestSource = Math.max(0, ...sources.flatMap((path) => times(join(root, path))));
const oldestBuilt = Math.min(...built.flatMap((file) => times(join(root, file))));

if (missing.length === 0 && oldestBuilt >= newestSource) {
  console.error('prepack: pkg/ is built and newer than its sources; packing it as it is');
  process.exit(0);
}

const reason = missing.length > 0
  ? `pkg/ is not built (${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more are missing` : ' is missing'})`
  : 'pkg/ is older than its sources (src/, js/, Cargo.toml, Cargo.lock or scripts/build.mjs)';

/** Whether `command --version` runs. */
function runs(command) {
  try {
    execFileSync(command, ['--version'], { env, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const lacking = [
  ...(runs('cargo') ? [] : ['cargo (Rust, from rustup)']),
  ...(runs('wasm-bindgen') ? [] : ['wasm-bindgen (wasm-bindgen-cli)']),
  ...(existsSync(join(root, 'node_modules', '.bin', 'wasm-opt')) ? [] : ['node_modules/.bin/wasm-opt (npm ci)']),
];
if (lacking.length > 0) {
  console.error(
    `prepack: ${reason}, and the toolchain to build it is missing: ${lacking.join(', ')}.\n` +
      'prepack: run `bash scripts/setup.sh` (or `npm start`) to install it, then `npm run build`, ' +
      'then pack again. Refusing to pack a package without its WebAssembly module.',
  );
  process.exit(1);
}

console.error(`prepack: ${reason}; building it with \`npm run build\``);
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, env, stdio: ['ignore', process.stderr, 'inherit'] });
