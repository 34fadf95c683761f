// The audit explorer and API keys in a real browser against the real stack: find a denied
// request, its detail and explain trace, the live tail, CSV export and chain status; create a
// key (secret shown once, copied), use it, revoke it; service accounts' keys; a phone's width.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  apiToken,
  dismissNotifications,
  openConsole,
  screenshot,
  seriousViolations,
  startConsoleSession,
  stopConsoleSession,
  type ConsolePage,
  type ConsoleSession,
  type StackUnderTest,
} from './support';

let session: ConsoleSession;
let sut: StackUnderTest;
let consolePage: ConsolePage;
let page: Page;
let bobToken: string;

beforeAll(async () => {
  session = await startConsoleSession('admin');
  ({ sut, consolePage, page } = session);
  bobToken = await apiToken(sut.gatewayUrl, 'bob');
});

afterAll(() => stopConsoleSession(session));

async function bobAsks(model: string): Promise<number> {
  const response = await api(sut.gatewayUrl, bobToken, 'POST', '/v1/chat/completions', {
    model,
    messages: [{ role: 'user', content: 'hello' }],
  });
  await response.arrayBuffer();
  return response.status;
}

/** Applies the filters until a matching row shows (ingest is asynchronous: ~100 ms). */
async function applyUntilRows(min: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForTimeout(400);
    if ((await page.getByTestId('audit-row').count()) >= min) return;
    if (Date.now() > deadline) throw new Error(`fewer than ${min} audit rows after 15 s`);
  }
}

describe('console audit explorer', () => {
  it('finds a denied request by principal and decision, with its detail and trace', async () => {
    expect(await bobAsks('qwen3-7b-chat')).toBe(404);
    await page.getByRole('link', { name: 'Audit explorer' }).click();
    await page.getByTestId('chain-status').filter({ hasText: 'Chain verified' }).waitFor();
    await page.getByLabel('Principal').fill('bob@company.com');
    await page.getByRole('combobox', { name: 'Decision' }).click();
    await page.getByRole('option', { name: 'Deny' }).click();
    await applyUntilRows(1);
    expect(page.url()).toContain('principal=bob%40company.com');
    const rows = page.getByTestId('audit-row');
    const count = await rows.count();
    for (let i = 0; i < count; i++) expect(await rows.nth(i).getAttribute('data-decision')).toBe('deny');
    expect(await rows.first().innerText()).toContain('qwen3-7b-chat');
    await dismissNotifications(page);
    await screenshot(page, 'audit-explorer');
    expect(await seriousViolations(page)).toEqual([]);

    await rows
      .first()
      .getByRole('button', { name: /Details of record/ })
      .click();
    const detail = page.getByTestId('audit-detail');
    await detail.waitFor();
    const trace = await detail.getByRole('table', { name: 'Decision trace' }).innerText();
    expect(trace).toContain('bob@company.com');
    expect(trace).toMatch(/Reason\s+\S+/);
    await detail.getByRole('button', { name: 'Explain under the current policy' }).click();
    await detail.getByTestId('explain-verdict').filter({ hasText: 'Denied' }).waitFor();
    await screenshot(page, 'audit-detail');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Close panel' }).click();
  });

  it('tails new records live', async () => {
    const before = await page.getByTestId('audit-row').count();
    await page.getByLabel('Live tail (new records appear on top)').check();
    expect(await bobAsks('qwen3-medical')).toBe(404);
    await page.getByText('live · 1 new').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('audit-row').count()).toBe(before + 1);
    expect(await page.getByTestId('audit-row').first().innerText()).toContain('qwen3-medical');
    await page.getByLabel('Live tail (new records appear on top)').uncheck();
  });

  it('exports the filtered records as CSV', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toContain('principal');
    expect(lines.length).toBe(3); // header + the two denied requests of bob
    expect(lines.slice(1).every((l) => l.includes('bob@company.com') && l.includes('deny'))).toBe(true);
  });
});

describe('console API keys', () => {
  it('creates a key whose secret is shown once and copied, uses it, and revokes it', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No keys yet').waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Name').fill('ci-pipeline');
    await page.getByRole('dialog').getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret-once').innerText()).trim();
    expect(secret).toMatch(/^mg_/);
    await page.getByRole('button', { name: 'Copy the secret' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await screenshot(page, 'api-key-secret');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const row = page.getByTestId('key-row-ci-pipeline');
    await row.filter({ hasText: 'active' }).waitFor();
    expect(await page.getByText(secret).count()).toBe(0);
    await dismissNotifications(page);
    await screenshot(page, 'api-keys');

    const models = await fetch(`${sut.gatewayUrl}/v1/models`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(models.status).toBe(200);

    await row.getByRole('button', { name: 'Revoke ci-pipeline' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.filter({ hasText: 'revoked' }).waitFor();
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status !== 401 && Date.now() < deadline) {
      status = (
        await fetch(`${sut.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${secret}` } })
      ).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(401);
  });

  it('lets an admin create a service account and a key it owns', async () => {
    await page.getByRole('button', { name: 'New service account' }).click();
    await page.getByRole('dialog').getByLabel('Id').fill('ci-deployer');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    expect((await page.getByTestId('secret-once').innerText()).trim().length).toBeGreaterThan(16);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Name').fill('deployer-key');
    await page.getByRole('combobox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: 'service account ci-deployer' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('secret-once').waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Keys', exact: true }).click();
    const owned = page.getByTestId('key-row-deployer-key');
    await owned.waitFor();
    expect(await owned.innerText()).toContain('ci-deployer');
    expect(consolePage.problems).toEqual([]);
  });
});

describe('console at a phone width, by keyboard', () => {
  it('signs in with the keyboard and navigates through the menu', async () => {
    const phone = await openConsole(session.browser, sut.gatewayUrl, { width: 390, height: 844 });
    const p = phone.page;
    await p.getByLabel('Username').focus();
    await p.keyboard.type('carol');
    await p.keyboard.press('Tab');
    await p.keyboard.type('carol-password');
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Models & ACLs' }).waitFor();
    await p.getByRole('button', { name: 'Toggle navigation' }).click();
    await p.getByRole('link', { name: 'Audit explorer' }).click();
    await p.getByRole('heading', { name: 'Audit explorer' }).waitFor();
    // One card per record at this width, each with its details button.
    await p.getByRole('listitem').filter({ hasText: 'bob@company.com' }).first().waitFor();
    expect(await p.getByRole('table', { name: 'Audit records' }).count()).toBe(0);
    const width = await p.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(p, 'phone-audit-explorer');
    expect(await seriousViolations(p)).toEqual([]);
    expect(phone.problems).toEqual([]);
    await phone.close();
  });
});
