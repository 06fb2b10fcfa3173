import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const NO_CHROMIUM = `skipped: Chromium is not installed at ${CHROMIUM_PATH} (the e2e suite drives a real browser)`;
