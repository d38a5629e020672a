/**
 * A headless Chromium for page tests (Debian's `chromium`, driven by playwright-core). Under CI a
 * missing browser fails the run; elsewhere the page tests are skipped with a note.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';

/** Where Debian installs Chromium (`apt-get install chromium`); HRM_TORCH_CHROMIUM overrides. */
export const CHROMIUM = process.env.HRM_TORCH_CHROMIUM ?? '/usr/bin/chromium';

/** The flags a sandboxed, offline, headless run needs. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** True when a browser is there to test with; under CI its absence is an error. */
export function browserAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`page tests need Chromium at ${CHROMIUM} (apt-get install -y chromium); CI installs it in .ci/run`);
  console.warn(`page tests skipped: no Chromium at ${CHROMIUM}`);
  return false;
}

/** Launches the headless browser. */
export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** Where the page tests keep their screenshots for a reader to look at (HRM_TORCH_SHOTS overrides). */
export const SHOTS_DIR = process.env.HRM_TORCH_SHOTS ?? path.join(os.tmpdir(), 'viz-shots');

/** Opens a local HTML file in a new tab and collects its console errors and uncaught exceptions into `errors`. */
export async function openPage(browser: Browser, file: string, viewport = { width: 1000, height: 800 }): Promise<{ tab: Page; errors: string[] }> {
  const tab = await browser.newPage({ viewport });
  const errors: string[] = [];
  tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(`file://${path.resolve(file)}`);
  return { tab, errors };
}

/** A full-page screenshot saved as `<SHOTS_DIR>/<name>.png`; returns the PNG. */
export async function screenshot(tab: Page, name: string): Promise<Buffer> {
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  return tab.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true });
}
