import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@vigil/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const mainJs = join(root, 'packages/server/dist/main.js');
const webIndex = join(root, 'packages/web/dist/index.html');

/** Debian's Chromium (`.ci/run` installs it); playwright-core downloads no browser of its own. */
export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Screenshots of the main screens: into docs/screenshots when VIGIL_SCREENSHOTS=1 (how the README's
 * pictures are made), else into a temp folder so a test run leaves the tree as it was.
 */
export const screenshotDir =
  process.env.VIGIL_SCREENSHOTS === '1'
    ? join(root, 'docs/screenshots')
    : mkdtempSync(join(tmpdir(), 'vigil-shots-'));

export interface VigilProcess {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** The built server as a real process, the way `npm start` runs it, on a free port. */
export async function startVigil(env: Record<string, string>): Promise<VigilProcess> {
  for (const file of [mainJs, webIndex])
    if (!existsSync(file)) throw new Error(`${file} is missing: npm test builds it first (npm run build)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-browser-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [mainJs, '--port', String(port)], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', VIGIL_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 20_000;
  while (!output.includes('Vigil is listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

/** A browser context that fails the test on any error the page logs or throws. */
export async function newContext(
  browser: Browser,
  viewport = DESKTOP,
  options: { storageState?: Awaited<ReturnType<BrowserContext['storageState']>> } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport,
    ...(viewport === PHONE ? { isMobile: true, hasTouch: true } : {}),
    // The cookies of a browser that is already signed in: the same person on another device.
    ...(options.storageState ? { storageState: options.storageState } : {}),
  });
  // Fail a step within the test's own timeout, naming the locator that was not found.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Failed loads are reported below with their URL, which the console message lacks.
    if (message.type() === 'error' && !/^Failed to load resource/.test(message.text()))
      errors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    // A 401 before sign-in is how the app learns it must show the sign-in page, not an error.
    if (response.status() >= 400 && response.status() !== 401)
      errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false });
}
