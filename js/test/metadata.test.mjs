// The committed phone metadata tables are exactly what the generator produces from the pinned
// libphonenumber metadata (npm google-libphonenumber 3.2.47, metadata 9.0.40), and that
// metadata version is what the generator says it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(root);

test('src/engine/phone/metadata.rs and examples.rs equal the generator output', () => {
  const result = spawnSync(process.execPath, ['scripts/gen-phone-metadata.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  const line = /is up to date \(google-libphonenumber 3\.2\.47, metadata 9\.0\.40\)/g;
  assert.equal(result.stdout.match(line)?.length, 2, result.stdout);
});

// google-libphonenumber ships no version string for its metadata. libphonenumber-js states
// its metadata version in its changelog (1.13.14: 9.0.40); both are built from the same
// PhoneNumberMetadata.xml, so every territory's patterns must be the same set.
test('google-libphonenumber 3.2.47 carries the patterns of libphonenumber metadata 9.0.40', () => {
  assert.equal(require('libphonenumber-js/package.json').version, '1.13.14');
  const js = require('libphonenumber-js/metadata.max.json');
  const { PhoneNumberUtil } = require('google-libphonenumber');
  const util = PhoneNumberUtil.getInstance();
  const descs = ['getGeneralDesc', 'getFixedLine', 'getMobile', 'getTollFree', 'getPremiumRate', 'getSharedCost',
    'getPersonalNumber', 'getVoip', 'getPager', 'getUan', 'getVoicemail'];
  const google = (md) => new Set(descs.map((d) => md[d]()).filter((d) => d?.hasNationalNumberPattern())
    .map((d) => d.getNationalNumberPattern()).filter(Boolean));
  const ljs = (entry) => new Set([entry[2], ...(entry[11] ?? []).filter(Boolean).map((t) => t[0])].filter(Boolean));
  const regions = util.getSupportedRegions();
  assert.ok(regions.length > 240);
  for (const region of regions) {
    assert.deepEqual(ljs(js.countries[region]), google(util.getMetadataForRegion(region)), region);
  }
  for (const code of util.getSupportedGlobalNetworkCallingCodes()) {
    assert.deepEqual(ljs(js.nonGeographic[code]), google(util.getMetadataForNonGeographicalRegion(code)), String(code));
  }
});
