// Real headless Chromium (Debian package `chromium`) driven by playwright-core, for page tests.
import { type Browser, chromium } from 'playwright-core';

/** Path of the Chromium binary. */
export const CHROMIUM_BIN = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep Chromium headless, sandbox-free (tests run as root), GPU-free and off the network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the system Chromium. Close it with `browser.close()`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_BIN, headless: true, args: CHROMIUM_FLAGS, timeout: 30_000 });
}
