/**
 * The layering of the code, checked from the import statements of every .ts/.mjs file under src/,
 * suites/, runners/ and reports/ (relative imports only: static, `export … from`, `import type` and
 * dynamic `import('…')`; type-only imports count — a type dependency is a dependency).
 *
 * Data flows one way: suite → cases → results file → comparisons/report. The rules:
 *
 *  (a) no import cycles, between files (anywhere in the four folders);
 *  (b) src/** imports nothing from runners/, reports/ or suites/: the library does not know its callers;
 *  (c) src/results/**, src/compare/**, src/model/** and src/measure/** import nothing from
 *      src/execute/**: what a run produces and how it is read never depend on how it was run;
 *  (d) src/model/** imports nothing in src/ outside src/model/: the definitions everything else
 *      builds on (shapes, case identity, runtime names, weights, cost) stand alone; and
 *      src/measure/** imports nothing in src/ but src/model/: statistics and the roofline arithmetic
 *      need no backend (the calibration, which runs backends' GEMMs, lives in src/execute/);
 *  (e) src/results/** and src/compare/** import nothing from src/backends/: a results file is read
 *      without loading a backend;
 *  (f) what a worker runs (runners/workers/ENGINE.ts and everything it reaches through non-type imports)
 *      loads no zod: schemas stay out of the timed process (src/model/schema.ts and
 *      src/measure/schema.ts hold them, reached from there by `import type` only);
 *  (g) judging the claims (src/claims/**) is domain code: it reads results files, never runs a case
 *      (no src/execute/, no src/backends/), and nothing it builds on imports it back (src/model,
 *      src/measure, src/results, src/compare and src/text import nothing from src/claims/);
 *      src/text/** (how numbers and tables are written) imports nothing in src/ but src/model/;
 *  (h) reports/ imports nothing from runners/ (the verbs call the reports, never the reverse), and
 *      its writers (reports/render/**) nothing from the sections that use them (page, claims,
 *      trend, machines, encoder);
 *  (i) runners/: the worker entries and GPU adapters (runners/workers/**) import nothing else of
 *      runners/ (a worker runs a job, not the orchestration); the orchestration core
 *      (runners/*.ts but cli.ts) imports none of the verbs (runners/commands/**) nor the perf
 *      probes (runners/perf/**); the verbs import no perf probe; nothing imports the CLI's entry;
 *  (j) no folder of reports/ or runners/ holds three or more files grouped only by a shared prefix
 *      (trend-*.ts, render-*.ts): a folder says what they have in common.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { ENGINE_NAMES } from '../../src/model/runtimes.ts';
import { ROOT } from '../support.ts';

const FOLDERS = ['src', 'suites', 'runners', 'reports'];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listFiles(path, out);
    else if (/\.(ts|mjs)$/.test(name) && !/\.d\.m?ts$/.test(name)) out.push(path);
  }
  return out;
}

const toPosix = (p: string) => p.split(sep).join('/');

/** Import statements of one file; comment lines (starting with //, /* or *) are skipped. */
export function parseImports(text: string): { specifier: string; typeOnly: boolean }[] {
  const code = text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join('\n');
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const statement = /(?:^|\n)\s*(?:import|export)(\s+type)?\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(statement)) found.push({ specifier: m[2], typeOnly: Boolean(m[1]) });
  for (const m of code.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) found.push({ specifier: m[1], typeOnly: false });
  // dynamic imports, and `typeof import('…')` in types (counted as type-only)
  for (const m of code.matchAll(/(typeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: m[2], typeOnly: Boolean(m[1]) });
  return found;
}

function importGraph(): { files: string[]; edges: Edge[]; bare: Map<string, { specifier: string; typeOnly: boolean }[]> } {
  const files = FOLDERS.flatMap((f) => listFiles(join(ROOT, f))).map((p) => toPosix(relative(ROOT, p)));
  const edges: Edge[] = [];
  const bare = new Map<string, { specifier: string; typeOnly: boolean }[]>();
  for (const from of files) {
    for (const { specifier, typeOnly } of parseImports(readFileSync(join(ROOT, from), 'utf8'))) {
      if (specifier.startsWith('.')) edges.push({ from, to: toPosix(relative(ROOT, resolve(ROOT, dirname(from), specifier))), typeOnly });
      else bare.set(from, [...(bare.get(from) ?? []), { specifier, typeOnly }]);
    }
  }
  return { files, edges, bare };
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
function cycles(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) if (next.has(e.to)) next.get(e.from)!.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)!.includes(v)) found.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

/** The file-name prefixes (before a "-") that three or more of `names` share. */
function prefixGroups(names: string[]): string[] {
  const count = new Map<string, number>();
  for (const name of names) {
    const prefix = /^([a-z0-9]+)-/.exec(name)?.[1];
    if (prefix) count.set(prefix, (count.get(prefix) ?? 0) + 1);
  }
  return [...count].filter(([, n]) => n >= 3).map(([prefix]) => prefix);
}

const { files, edges, bare } = importGraph();
const under = (path: string, ...folders: string[]) => folders.some((f) => path.startsWith(`${f}/`));
const show = (list: Edge[]) => list.map((e) => `${e.from} → ${e.to}${e.typeOnly ? ' (type)' : ''}`).join('\n');

describe('layering (imports)', () => {
  it('finds the imports (the parser sees the graph)', () => {
    assert.ok(files.length > 50, `${files.length} files`);
    assert.ok(
      edges.some((e) => e.from === 'runners/commands/run.ts' && e.to === 'reports/page/build.ts'),
      'a dynamic import',
    );
    assert.ok(
      edges.some((e) => e.from === 'src/model/shape.ts' && e.to === 'src/model/schema.ts' && e.typeOnly),
      'an import type',
    );
    assert.deepEqual(parseImports("// import { a } from './no.ts';\nexport { b } from './b.ts';\nimport type {\n  C,\n} from './c.ts';"), [
      { specifier: './b.ts', typeOnly: false },
      { specifier: './c.ts', typeOnly: true },
    ]);
  });

  it('(a) has no import cycles', () => {
    const found = cycles(files, edges);
    assert.deepEqual(found, [], found.map((c) => c.join(' ↔ ')).join('\n'));
  });

  it('(b) src/ imports nothing from runners/, reports/ or suites/', () => {
    const bad = edges.filter((e) => under(e.from, 'src') && under(e.to, 'runners', 'reports', 'suites'));
    assert.deepEqual(bad, [], show(bad));
  });

  it('(c) results, compare, model and measure import nothing from src/execute/', () => {
    const bad = edges.filter((e) => under(e.from, 'src/results', 'src/compare', 'src/model', 'src/measure') && under(e.to, 'src/execute'));
    assert.deepEqual(bad, [], show(bad));
  });

  it('(d) src/model/ imports nothing else in src/, and src/measure/ only src/model/', () => {
    const bad = edges.filter(
      (e) =>
        (under(e.from, 'src/model') && !under(e.to, 'src/model')) ||
        (under(e.from, 'src/measure') && under(e.to, 'src') && !under(e.to, 'src/model', 'src/measure')),
    );
    assert.deepEqual(bad, [], show(bad));
  });

  it('(e) results and compare import nothing from src/backends/', () => {
    const bad = edges.filter((e) => under(e.from, 'src/results', 'src/compare') && under(e.to, 'src/backends'));
    assert.deepEqual(bad, [], show(bad));
  });

  it('(g) claim judging runs nothing and nothing below it imports it; text builds on the model alone', () => {
    const bad = edges.filter(
      (e) =>
        (under(e.from, 'src/claims') && under(e.to, 'src/execute', 'src/backends')) ||
        (under(e.from, 'src/model', 'src/measure', 'src/results', 'src/compare', 'src/text') && under(e.to, 'src/claims')) ||
        (under(e.from, 'src/text') && under(e.to, 'src') && !under(e.to, 'src/model', 'src/text')),
    );
    assert.deepEqual(bad, [], show(bad));
    assert.ok(files.some((f) => under(f, 'src/claims')) && files.some((f) => under(f, 'src/text')), 'the folders exist');
  });

  it('(h) reports import no runner, and their writers no report section', () => {
    const sections = ['reports/page', 'reports/claims', 'reports/trend', 'reports/machines', 'reports/encoder'];
    const bad = edges.filter((e) => (under(e.from, 'reports') && under(e.to, 'runners')) || (under(e.from, 'reports/render') && under(e.to, ...sections)));
    assert.deepEqual(bad, [], show(bad));
  });

  it('(i) workers import no orchestration, the core no verb or perf probe, the verbs no perf probe, nothing the CLI entry', () => {
    const core = (f: string) => /^runners\/[^/]+\.ts$/.test(f) && f !== 'runners/cli.ts';
    const bad = edges.filter(
      (e) =>
        (under(e.from, 'runners/workers') && under(e.to, 'runners') && !under(e.to, 'runners/workers')) ||
        (core(e.from) && under(e.to, 'runners/commands', 'runners/perf', 'runners/workers')) ||
        (under(e.from, 'runners/commands') && under(e.to, 'runners/perf')) ||
        e.to === 'runners/cli.ts',
    );
    assert.deepEqual(bad, [], show(bad));
    assert.ok(files.some(core) && files.some((f) => under(f, 'runners/commands')) && files.some((f) => under(f, 'runners/perf')), 'the folders exist');
  });

  it('(j) no folder of reports/ or runners/ groups files by a shared prefix alone', () => {
    const byFolder = new Map<string, string[]>();
    for (const f of files.filter((f) => under(f, 'reports', 'runners')))
      byFolder.set(dirname(f), [...(byFolder.get(dirname(f)) ?? []), f.slice(dirname(f).length + 1)]);
    const grouped = [...byFolder].flatMap(([folder, names]) => prefixGroups(names).map((prefix) => `${folder}/${prefix}-*`));
    assert.deepEqual(grouped, []);
    assert.deepEqual(prefixGroups(['trend-a.ts', 'trend-b.ts', 'trend-c.ts', 'trend.ts', 'x-y.ts', 'x-z.ts']), ['trend'], 'the rule sees a group');
  });

  it('(f) a worker loads no zod', () => {
    const entries = ENGINE_NAMES.map((engine) => `runners/workers/${engine}.ts`);
    assert.deepEqual(
      entries.filter((f) => !files.includes(f)),
      [],
      'every engine has its worker entry',
    );
    const reached = new Set<string>();
    const queue = [...entries];
    while (queue.length > 0) {
      const f = queue.pop()!;
      if (reached.has(f)) continue;
      reached.add(f);
      for (const e of edges) if (e.from === f && !e.typeOnly) queue.push(e.to);
    }
    const bad = [...reached].filter((f) => bare.get(f)?.some((i) => !i.typeOnly && (i.specifier === 'zod' || i.specifier.startsWith('zod/'))));
    assert.deepEqual(bad, []);
  });
});
