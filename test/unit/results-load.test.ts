/**
 * Results files of every schema version load: version 1 named the tree side of a comparison
 * fffId / fffBackend (it is UltraFastBERT's tree on its shapes), version 2 treeId / treeBackend.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadResultsFile, parseResultsFile } from '../../src/results/load.ts';
import { SCHEMA_VERSION } from '../../src/results/schema.ts';
import { ROOT } from '../support.ts';

const V1 = join(ROOT, 'fixtures', 'reference-runs', 'intel-xeon-2core-claims-node.json');

test("a version-1 file loads with its comparisons' tree side as treeId and treeBackend", () => {
  const raw = JSON.parse(readFileSync(V1, 'utf8'));
  assert.equal(raw.schemaVersion, 1, 'the fixture is a version-1 file');
  const file = loadResultsFile(V1);
  assert.equal(file.schemaVersion, SCHEMA_VERSION);
  assert.deepEqual(
    file.comparisons.map((c) => c.treeId),
    raw.comparisons.map((c: { fffId: string }) => c.fffId),
  );
  assert.deepEqual(
    file.bestComparisons!.map((c) => [c.treeId, c.treeBackend]),
    raw.bestComparisons.map((c: { fffId: string; fffBackend?: string }) => [c.fffId, c.fffBackend]),
  );
  assert.ok(
    file.comparisons.every((c) => !('fffId' in c)),
    'no version-1 name is left',
  );
  assert.deepEqual(file.results.length, raw.results.length);
});

test('a version-2 file is read as written, and one of version 2 with the old names is refused naming the field', () => {
  const file = loadResultsFile(V1);
  assert.deepEqual(parseResultsFile(JSON.stringify(file), 'v2.json'), file);
  const stale = { ...file, comparisons: file.comparisons.map(({ treeId, ...c }) => ({ ...c, fffId: treeId })) };
  assert.throws(() => parseResultsFile(JSON.stringify(stale), 'stale.json'), /stale\.json: not a valid fffbench results file .*comparisons\.0\.treeId/s);
});
