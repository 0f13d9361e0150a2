// The committed phone metadata tables are exactly what the generator produces from the pinned
// libphonenumber metadata (crates.io package phonenumber 0.3.10+9.0.33).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('src/engine/phone/metadata.rs equals the generator output', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const result = spawnSync(process.execPath, ['scripts/gen-phone-metadata.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /is up to date \(phonenumber 0\.3\.10\+9\.0\.33\)/);
});
