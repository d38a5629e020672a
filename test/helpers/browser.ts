/**
 * A headless Chromium for page tests (Debian's `chromium`, driven by playwright-core). Under CI a
 * missing browser fails the run; elsewhere the page tests are skipped with a note.
 */
import * as fs from 'fs';
import type { Browser } from 'playwright-core';

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
