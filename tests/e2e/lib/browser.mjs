// Debian Chromium through playwright-core, with the flags that work on a closed-network machine.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Launches Chromium (headless unless HEADED=1); playwright gives it a fresh temporary profile. */
export async function launchBrowser({ headless = process.env.HEADED !== '1' } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless, args: FLAGS });
}

/**
 * A browser context of its own for one persona (cookies are per host, not per port, so personas
 * must not share one). Only loopback requests go out: the Office CDN fonts and anything else
 * outside fail at once instead of hanging on the closed network; the UI falls back to local fonts.
 */
export async function newIsolatedContext(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route('**/*', (route) => {
    const { hostname, protocol } = new URL(route.request().url());
    if (protocol === 'data:' || protocol === 'blob:' || LOOPBACK.has(hostname)) return route.continue();
    return route.abort('blockedbyclient');
  });
  return context;
}
