// The browser tests' harness: the whole stack (test/support/stack.ts) serving the built
// console, Debian's chromium driven by playwright-core, axe-core for accessibility, and
// screenshots of every page under .run/artifacts/screenshots/.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack';
import { ROOT } from '../support/processes';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const SCREENSHOTS = resolve(ROOT, '.run/artifacts/screenshots');
const CONSOLE_DIST = resolve(ROOT, 'apps/console/dist');

export const DEMO_USERS = {
  admin: { username: 'admin', password: 'admin-password', id: 'admin@company.com' },
  alice: { username: 'alice', password: 'alice-password', id: 'alice@company.com' },
  bob: { username: 'bob', password: 'bob-password', id: 'bob@company.com' },
  carol: { username: 'carol', password: 'carol-password', id: 'carol@company.com' },
} as const;
export type DemoUser = keyof typeof DEMO_USERS;

export interface StackUnderTest {
  readonly gatewayUrl: string;
  readonly stack: Stack;
  readonly stop: () => Promise<void>;
}

/**
 * A stack of its own for a test file, serving the console as built (./dev setup builds it).
 * BROWSER_TEST_OIDC_ISSUER points the services and the console at another OIDC provider
 * than the dev one (the console's config.json is rewritten in a copy of dist/ for that).
 */
export async function stackUnderTest(): Promise<StackUnderTest> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html')))
    throw new Error('apps/console/dist is missing: build it (pnpm exec nx run @modelgate/console:build)');
  const issuer = process.env['BROWSER_TEST_OIDC_ISSUER'];
  let consoleDir = CONSOLE_DIST;
  let scratch: string | null = null;
  if (issuer) {
    scratch = mkdtempSync(join(tmpdir(), 'console-dist-'));
    cpSync(CONSOLE_DIST, scratch, { recursive: true });
    const config = JSON.parse(readFileSync(join(scratch, 'config.json'), 'utf8')) as {
      oidc: { issuer: string };
    };
    config.oidc.issuer = issuer;
    writeFileSync(join(scratch, 'config.json'), JSON.stringify(config));
    consoleDir = scratch;
  }
  const all: Record<string, string> = issuer ? { OIDC_ISSUERS: issuer } : {};
  const stack = await startStack({
    env: {
      gateway: { ...all, CONSOLE_DIR: consoleDir },
      identity: all,
      policy: all,
      audit: all,
      decision: all,
    },
  });
  return {
    gatewayUrl: stack.gatewayUrl,
    stack,
    stop: async () => {
      await stack.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(
      `no chromium at ${executablePath}: run scripts/lib/chromium.sh (ensure_chromium) or set CHROMIUM_PATH`,
    );
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export interface ConsolePage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors, uncaught exceptions and failed requests other than expected HTTP refusals. */
  readonly problems: string[];
  readonly close: () => Promise<void>;
}

export async function openConsole(
  browser: Browser,
  gatewayUrl: string,
  options: { width?: number; height?: number } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    acceptDownloads: true,
    permissions: ['clipboard-read', 'clipboard-write'],
    timezoneId: 'UTC',
    // No transitions: axe measures contrast on a settled page, not on a dialog fading in.
    reducedMotion: 'reduce',
    locale: 'en-GB',
  });
  // Nothing leaves this machine: a page that asks for an outside URL (the OIDC provider's
  // stock logout page imports a web font) gets a refusal instead of a DNS lookup.
  await context.route(
    (url) => !LOOPBACK_HOSTS.has(url.hostname),
    (route) => route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  // Fail fast: every wait in these tests is for something the stack answers in well under 10 s.
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs every non-2xx fetch as an error; refusals the tests provoke are not bugs.
    if (message.type() !== 'error') return;
    // The console's own errors; the OIDC provider's pages are not the console.
    if (!message.location().url.startsWith(gatewayUrl)) return;
    const text = message.text();
    if (/Failed to load resource: the server responded with a status of (4\d\d)/.test(text)) return;
    problems.push(`console error: ${text}`);
  });
  await page.goto(`${gatewayUrl}/console/`);
  return { page, context, problems, close: () => context.close() };
}

/** What a test file shares: its own stack, a browser, and the console signed in as one user. */
export interface ConsoleSession {
  readonly sut: StackUnderTest;
  readonly browser: Browser;
  readonly consolePage: ConsolePage;
  readonly page: Page;
}

/** Starts the stack and the browser side by side, opens the console and signs in by password. */
export async function startConsoleSession(user: DemoUser): Promise<ConsoleSession> {
  const [sut, browser] = await Promise.all([stackUnderTest(), launchBrowser()]);
  const consolePage = await openConsole(browser, sut.gatewayUrl);
  await signInWithPassword(consolePage.page, user);
  return { sut, browser, consolePage, page: consolePage.page };
}

export async function stopConsoleSession(session: ConsoleSession | undefined): Promise<void> {
  await session?.browser.close();
  await session?.sut.stop();
}

export async function signInWithPassword(page: Page, user: DemoUser): Promise<void> {
  const { username, password, id } = DEMO_USERS[user];
  await page.getByLabel('Username').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('signed-in-user').filter({ hasText: id }).waitFor();
}

/** Through the OIDC provider's own login page, as a person would. */
export async function signInWithOidc(page: Page, user: DemoUser): Promise<void> {
  const { username, password, id } = DEMO_USERS[user];
  await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
  try {
    await page.locator('input#username').waitFor();
  } catch {
    // Say what the provider answered (an unregistered redirect URI, a provider that is down).
    const body = await page
      .locator('body')
      .innerText()
      .catch(() => '(no page)');
    throw new Error(`the OIDC provider showed no login page at ${page.url()}: ${body.slice(0, 500)}`);
  }
  await page.locator('input#username').fill(username);
  await page.locator('input#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-user').filter({ hasText: id }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// Resolved from the test package, which depends on axe-core.
const AXE_SOURCE = readFileSync(
  createRequire(join(ROOT, 'test/package.json')).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A/AA). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, so that the DOM-less tsconfig of the tests need not know `window`.
  const result = await page.evaluate<AxeViolation[]>(`(async () => {
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => String(n.target)) }));
  })()`);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A token straight from the gateway, for arranging state the way another client would. */
export async function apiToken(gatewayUrl: string, user: DemoUser): Promise<string> {
  const { username, password } = DEMO_USERS[user];
  const response = await fetch(`${gatewayUrl}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok)
    throw new Error(`token for ${username}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function api(
  gatewayUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Closes the toasts so that screenshots show the page, not the last notification. */
export async function dismissNotifications(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: 'Close notification' });
  while ((await close.count()) > 0)
    await close
      .first()
      .click()
      .catch(() => undefined);
  await page.waitForTimeout(300);
}
