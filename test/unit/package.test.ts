/** package.json's promises: the types are those of the oldest Node it admits, and what is used past its public API is pinned exactly. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const installed = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

test('@types/node is the line of the oldest Node engines admits, so the typecheck refuses what that Node lacks', () => {
  const oldest = /^>=(\d+)$/.exec(pkg.engines.node)?.[1];
  assert.ok(oldest, `engines.node is ">=N": ${pkg.engines.node}`);
  assert.match(pkg.devDependencies['@types/node'], new RegExp(`^[~^]?${oldest}\\.`));
  assert.equal(installed('@types/node').split('.')[0], oldest);
  const container = /container: node:(\d+)/.exec(readFileSync(join(ROOT, '.github', 'workflows', 'test.yml'), 'utf8'))?.[1];
  assert.equal(container, oldest, 'the test workflow runs the orchestrator on that Node');
});

test('mitata (whose internal lib.mjs the measuring core imports), esbuild (which builds the chart runtime asset) and Biome (whose formatting CI checks) are pinned exactly', () => {
  for (const [name, range] of [
    ['mitata', pkg.dependencies.mitata],
    ['esbuild', pkg.devDependencies.esbuild],
    ['@biomejs/biome', pkg.devDependencies['@biomejs/biome']],
  ] as const) {
    assert.match(range, /^\d+\.\d+\.\d+$/, `${name}: ${range}`);
    assert.equal(installed(name), range, `${name} installed as pinned`);
  }
});
