/** Opening a report page in headless Debian Chromium for the report tests, collecting every console problem. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Opens `html` and hands the page and its problems (console errors and warnings, page errors,
 * network requests other than file:/data:/blob:) to `body`. Without Chromium: fails in CI, skips locally.
 */
export async function withReportPage(t: TestContext, html: string, body: (page: Page, problems: string[]) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    const message = `Chromium is not installed at ${CHROMIUM}: run .ci/install-chromium.sh`;
    if (process.env.CI === 'true') assert.fail(message);
    t.skip(message);
    return;
  }
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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
