/** Opening a report page in headless Debian Chromium for the report tests, collecting every console problem. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (.ci/install-chromium.sh); FFFBENCH_CHROMIUM names another binary, or a missing one to test the skip. */
const chromiumPath = () => process.env.FFFBENCH_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Opens `html` and hands the page and its problems (console errors and warnings, page errors,
 * network requests other than file:/data:/blob:) to `body`. Without Chromium: fails in CI, skips locally.
 */
export async function withReportPage(t: TestContext, html: string, body: (page: Page, problems: string[]) => Promise<void>): Promise<void> {
  const executable = chromiumPath();
  if (!existsSync(executable)) {
    const message = `Chromium is not installed at ${executable}: run .ci/install-chromium.sh`;
    if (process.env.CI === 'true') assert.fail(message);
    t.skip(message);
    return;
  }
  const browser: Browser = await chromium.launch({ executablePath: executable, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!/^(file|data|blob):/.test(r.url())) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(`file://${html}`, { waitUntil: 'load' });
    await body(page, problems);
  } finally {
    await browser.close();
  }
}

/** A PNG's pixels (RGBA), decoded with the same canvas addon the report draws with. */
export async function pngPixels(path: string): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const image = await loadImage(readFileSync(path));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

/** A chart PNG that is drawn: more than 20 colours, and more than 0.5% of its pixels darker than the background. */
export async function assertPngDrawn(path: string): Promise<void> {
  const { data } = await pngPixels(path);
  const colours = new Set<number>();
  let inked = 0;
  for (let k = 0; k < data.length; k += 4) {
    colours.add((data[k] << 16) | (data[k + 1] << 8) | data[k + 2]);
    if (0.299 * data[k] + 0.587 * data[k + 1] + 0.114 * data[k + 2] < 200) inked += 1;
  }
  assert.ok(colours.size > 20, `${basename(path)}: ${colours.size} colours (blank?)`);
  assert.ok(inked / (data.length / 4) > 0.005, `${basename(path)}: almost nothing drawn`);
}

/** Every canvas matching `selector` on the page: its label, size, and the share of its pixels drawn. */
export function canvasInk(page: Page, selector = 'canvas'): Promise<{ label: string | null; width: number; height: number; inkedShare: number }[]> {
  return page.evaluate(
    (sel) =>
      [...document.querySelectorAll(sel)].map((element) => {
        const canvas = element as HTMLCanvasElement;
        const { width, height } = canvas;
        const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
        let inked = 0;
        for (let k = 0; k < data.length; k += 4) if (data[k + 3] > 0 && data[k] + data[k + 1] + data[k + 2] < 600) inked += 1;
        return { label: canvas.getAttribute('aria-label'), width, height, inkedShare: inked / (width * height) };
      }),
    selector,
  );
}
