// The README's error tables against the crate: every id of src/engine/error.rs (`mod ids`) is
// documented once, with the gRPC code and HTTP status that the crate's own table test
// (`every_variant_maps_to_its_code_status_and_id`) pins, and no other id is documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const rust = readFileSync(new URL('../../src/engine/error.rs', import.meta.url), 'utf8');

/** id → {code, status} from the crate. */
function crateTable() {
  const idsModule = rust.match(/pub mod ids \{([\s\S]*?)\n\}/)?.[1] ?? assert.fail('src/engine/error.rs has no `mod ids`');
  const ids = [...idsModule.matchAll(/pub const \w+: &str = "([^"]+)";/g)].map((m) => m[1]);
  const rows = [...rust.matchAll(/,\s*(\d+),\s*(\d+),\s*"([A-Za-z]+-[A-Za-z0-9-]+)"\),?\s*$/gm)];
  assert.ok(rows.length > 0, "src/engine/error.rs: the (error, code, status, id) test table was not found");
  const table = new Map();
  for (const [, code, status, id] of rows) {
    const known = table.get(id);
    if (known) assert.deepEqual(known, { code: Number(code), status: Number(status) }, `${id}: two codes in error.rs`);
    table.set(id, { code: Number(code), status: Number(status) });
  }
  assert.deepEqual([...table.keys()].sort(), [...ids].sort(), 'error.rs: the test table and `mod ids` list different ids');
  return table;
}

/** id → {code, status} from the README's two tables (errors, and the HTTP API's statuses). */
function readmeTable() {
  const table = new Map();
  const add = (id, code, status) => {
    assert.ok(!table.has(id), `${id} is documented twice`);
    table.set(id, { code: Number(code), status: Number(status) });
  };
  // | `PHONE-so0wa` | 3 InvalidArgument | 400 | … |
  for (const [, id, code, status] of readme.matchAll(/^\| `([A-Za-z]+-[A-Za-z0-9-]+)` \| (\d+) [A-Za-z]+ \| (\d{3}) \|/gm)) add(id, code, status);
  // | 404 | `HTTP-not-found` (code 5) | … |   (REQUEST-invalid and AUTH-unauthenticated repeat here)
  for (const [, status, id, code] of readme.matchAll(/^\| (\d{3}) \| `([A-Za-z]+-[A-Za-z0-9-]+)` \(code (\d+)\) \|/gm)) {
    if (table.has(id)) assert.deepEqual(table.get(id), { code: Number(code), status: Number(status) }, `${id}: the two tables differ`);
    else add(id, code, status);
  }
  return table;
}

test("the README's error tables list exactly the crate's ids, codes and statuses", () => {
  const crate = crateTable();
  const documented = readmeTable();
  assert.deepEqual([...documented.keys()].sort(), [...crate.keys()].sort());
  for (const [id, expected] of crate) assert.deepEqual(documented.get(id), expected, id);
});

test('the README stays a user guide of at most 400 lines', () => {
  const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
  assert.ok(lines <= 400, `README.md has ${lines} lines; move depth to docs/`);
});
