/**
 * The documentation holds together: every relative link in README.md, CONTRIBUTING.md, docs/ and
 * fixtures/measurements/ reaches a file (and a heading there, where it names one, by GitHub's
 * anchor rules); every page of docs/ is one link from the README; the README stays a front door.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support.ts';

const README_MAX_LINES = 250;

const markdownIn = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f));
const PAGES = ['README.md', 'CONTRIBUTING.md', ...markdownIn('docs'), ...markdownIn('fixtures/measurements')];

/** GitHub's anchor for a heading: lowercase, markup and punctuation but '-' and '_' dropped, spaces to '-'. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page offers: one per heading, a repeated one suffixed -1, -2 … as GitHub does. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const base = headingAnchor(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The link targets of a page, outside code: [text](target) and <a href>. */
function linksOf(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

describe('documentation links', () => {
  it('the anchor rule is GitHub’s', () => {
    assert.equal(headingAnchor('Claim verdicts'), 'claim-verdicts');
    assert.equal(headingAnchor('`fffbench ab`: two revisions, interleaved'), 'fffbench-ab-two-revisions-interleaved');
    assert.equal(headingAnchor('A runtime or a Node line'), 'a-runtime-or-a-node-line');
  });

  for (const page of PAGES) {
    it(`${page}: every relative link reaches its file and heading`, () => {
      const text = readFileSync(join(ROOT, page), 'utf8');
      const broken: string[] = [];
      for (const target of linksOf(text)) {
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#');
        const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
        if (!existsSync(file)) {
          broken.push(`${target}: no ${relative(ROOT, file)}`);
          continue;
        }
        if (anchor && statSync(file).isFile() && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${target}: no heading #${anchor} in ${relative(ROOT, file)}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }

  it('every page of docs/ is one link from the README, and CONTRIBUTING.md too', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = new Set(linksOf(readme).map((t) => t.split('#')[0]));
    const missing = [...markdownIn('docs'), 'CONTRIBUTING.md'].filter((p) => !linked.has(p));
    assert.deepEqual(missing, []);
  });

  it(`the README is a front door: under ${README_MAX_LINES} lines, with the two commands`, () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.split('\n').length < README_MAX_LINES, `${readme.split('\n').length} lines`);
    assert.ok(readme.includes('npm ci && npm run bench'));
    assert.ok(readme.includes('npm test'));
  });
});
