// The ACL flows of the console in a real browser against the real stack: build a rule with
// the form, see the server's validation error at the field, review the diff, save, and see
// the decision change in the simulator; a 412 conflict; rollback; raw JSON errors; shadow
// candidate, its impact from real requests in the audit trail, and promotion.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  apiToken,
  dismissNotifications,
  screenshot,
  seriousViolations,
  startConsoleSession,
  stopConsoleSession,
  type ConsolePage,
  type ConsoleSession,
  type StackUnderTest,
} from './support';

const MODEL = 'qwen3-vl-demo';

let session: ConsoleSession;
let sut: StackUnderTest;
let consolePage: ConsolePage;
let page: Page;
let adminToken: string;

beforeAll(async () => {
  session = await startConsoleSession('admin');
  ({ sut, consolePage, page } = session);
  adminToken = await apiToken(sut.gatewayUrl, 'admin');
});

afterAll(() => stopConsoleSession(session));

type StoredRule = { id?: string; conditions?: { rate_limit?: string } };

async function storedEnforce(): Promise<{ version: number; rules: StoredRule[] }> {
  const response = await api(sut.gatewayUrl, adminToken, 'GET', `/v1/acl/models/${MODEL}`);
  if (response.status === 404) return { version: 0, rules: [] };
  const body = (await response.json()) as { version: number; enforce: { rules: StoredRule[] } | null };
  return { version: body.version, rules: body.enforce?.rules ?? [] };
}

async function simulate(
  principal: string,
  roles: string[],
  ip: string,
  model = MODEL,
  at?: string,
): Promise<string> {
  await page.getByRole('link', { name: 'Access simulator' }).click();
  await page.getByLabel('Principal id').fill(principal);
  const rolesInput = page.getByRole('combobox', { name: 'Roles' });
  for (const role of roles) {
    await rolesInput.fill(role);
    await rolesInput.press('Enter');
  }
  await page.getByRole('combobox', { name: 'Model' }).click();
  await page.getByRole('option', { name: model }).click();
  await page.getByLabel('Source IP').fill(ip);
  if (at) await page.getByLabel('At', { exact: true }).fill(at);
  await page.getByRole('button', { name: 'Explain' }).click();
  const verdict = page.getByTestId('explain-verdict');
  await verdict.waitFor();
  return verdict.innerText();
}

async function chatAs(token: string): Promise<number> {
  const response = await api(sut.gatewayUrl, token, 'POST', '/v1/chat/completions', {
    model: MODEL,
    messages: [{ role: 'user', content: 'hello' }],
  });
  await response.arrayBuffer();
  return response.status;
}

function rule(index: number) {
  return page.getByTestId(`rule-${index}`);
}

describe('console ACL editor', () => {
  it('before any ACL the simulator explains a default deny', async () => {
    const verdict = await simulate('alice@company.com', ['researcher'], '10.1.2.3');
    expect(verdict).toMatch(/^Denied/);
    expect(verdict).toContain('no rule decided');
  });

  it('builds a rule with the form, shows the server error at the field, then saves after a diff', async () => {
    await page.goto(`${sut.gatewayUrl}/console/acl/${MODEL}`);
    await page.getByText('No document yet').waitFor();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await rule(0).getByLabel('Rule id').fill('researchers');
    await rule(0).getByRole('textbox', { name: 'Principal', exact: true }).fill('researcher');
    await rule(0).getByRole('checkbox', { name: 'view' }).check();
    await rule(0).getByLabel('Source IP ranges').fill('10.0.0.0/8\n10.0.0.300/8');
    await rule(0).getByLabel('Rate limit').fill('100 req/min');
    await page.getByRole('button', { name: 'Review and save' }).click();
    // The policy service names rules[0].conditions.ip_range[1]; the form shows it at line 2.
    const ipError = rule(0).locator('.mantine-Textarea-error');
    await ipError.waitFor();
    expect(await ipError.innerText()).toMatch(/^line 2: .*10\.0\.0\.300\/8/);
    expect(await rule(0).getByLabel('Source IP ranges').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'acl-editor-validation-error');
    expect((await storedEnforce()).version).toBe(0);

    await rule(0).getByLabel('Source IP ranges').fill('10.0.0.0/8');
    await page.getByRole('button', { name: 'Review and save' }).click();
    const diff = page.getByTestId('json-diff');
    await diff.waitFor();
    expect(await diff.innerText()).toContain('+   "model": "qwen3-vl-demo"');
    expect(await diff.innerText()).toContain('"id": "researchers"');
    await screenshot(page, 'acl-review-diff');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save version 1' }).click();
    await page.getByText('Saved version 1').waitFor();
    await page.getByTestId('acl-version').filter({ hasText: 'Version 1' }).waitFor();
    const stored = await storedEnforce();
    expect(stored.rules).toEqual([
      {
        id: 'researchers',
        effect: 'allow',
        principal: { type: 'role', value: 'researcher' },
        operations: ['infer', 'view'],
        conditions: { ip_range: ['10.0.0.0/8'], rate_limit: '100 req/min' },
      },
    ]);
    await dismissNotifications(page);
    await screenshot(page, 'acl-editor');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('the saved rule changes the decision in the simulator', async () => {
    const allowed = await simulate('alice@company.com', ['researcher'], '10.1.2.3');
    expect(allowed).toMatch(/^Allowed/);
    expect(await page.getByTestId('deciding-rule').innerText()).toBe('researchers');
    await screenshot(page, 'simulator');
    expect(await seriousViolations(page)).toEqual([]);
    // Outside the rule's IP range: denied, with the trace naming the failed condition.
    await page.getByLabel('Source IP').fill('192.0.2.7');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByTestId('explain-verdict').filter({ hasText: 'Denied' }).waitFor();
    expect(await page.getByRole('table', { name: 'Rules considered' }).innerText()).toContain('ip_range');
  });

  it('shows a conflict screen when someone else saved first, and loads their version', async () => {
    await page.goto(`${sut.gatewayUrl}/console/acl/${MODEL}`);
    await page.getByTestId('acl-version').filter({ hasText: 'Version 1' }).waitFor();
    await rule(0).getByLabel('Rate limit').fill('50 req/min');
    // Another administrator's client saves version 2 meanwhile.
    const current = await storedEnforce();
    const theirs = {
      ...current.rules[0],
      conditions: { ip_range: ['10.0.0.0/8'], rate_limit: '10 req/min' },
    };
    const put = await api(
      sut.gatewayUrl,
      adminToken,
      'PUT',
      `/v1/acl/models/${MODEL}`,
      { model: MODEL, mode: 'enforce', rules: [theirs] },
      { 'if-match': '"1"' },
    );
    expect(put.status).toBe(200);

    await page.getByRole('button', { name: 'Review and save' }).click();
    await page.getByRole('button', { name: 'Save version 2' }).click();
    const conflict = page.getByTestId('conflict-screen');
    await conflict.waitFor();
    expect(await conflict.innerText()).toContain('Version 2 was saved while you edited version 1');
    expect(await conflict.getByTestId('json-diff').innerText()).toContain('50 req/min');
    await screenshot(page, 'acl-conflict');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await storedEnforce()).rules[0]?.conditions?.rate_limit).toBe('10 req/min');

    await page.getByRole('button', { name: 'Discard mine, load theirs' }).click();
    await page.getByTestId('acl-version').filter({ hasText: 'Version 2' }).waitFor();
    expect(await rule(0).getByLabel('Rate limit').inputValue()).toBe('10 req/min');
  });

  it('rolls back to version 1 from the history timeline', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByTestId('history-2').waitFor();
    expect(await page.getByTestId('history-2').innerText()).toContain('admin@company.com');
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await page.getByText('Rolled back to version 1').waitFor();
    await page.getByTestId('history-3').waitFor();
    expect(await page.getByTestId('history-3').innerText()).toContain('restored version 1');
    await screenshot(page, 'acl-history');
    expect(await seriousViolations(page)).toEqual([]);
    const stored = await storedEnforce();
    expect(stored.version).toBe(3);
    expect(stored.rules[0]?.conditions?.rate_limit).toBe('100 req/min');
  });

  it('shows the server error of the raw JSON view with its JSON path', async () => {
    await page.getByRole('tab', { name: 'Enforced rules' }).click();
    await page.getByTestId('acl-version').filter({ hasText: 'Version 3' }).waitFor();
    await page.getByText('Raw JSON').click();
    const editor = page.getByLabel('Document (JSON)');
    const text = await editor.inputValue();
    await editor.fill(text.replace('100 req/min', 'lots'));
    await page.getByRole('button', { name: 'Review and save' }).click();
    const error = page.locator('.mantine-Textarea-error');
    await error.waitFor();
    expect(await error.innerText()).toContain('rules[0].conditions.rate_limit');
    await screenshot(page, 'acl-raw-json-error');
    expect((await storedEnforce()).version).toBe(3);
    await editor.fill('{ not json');
    await page.getByRole('button', { name: 'Review and save' }).click();
    await page.locator('.mantine-Textarea-error').filter({ hasText: 'Not valid JSON' }).waitFor();
  });

  it('puts a candidate in shadow, shows what it would newly allow by principal, then promotes it', async () => {
    const bob = await apiToken(sut.gatewayUrl, 'bob');
    await page.goto(`${sut.gatewayUrl}/console/acl/${MODEL}?tab=shadow`);
    await page.getByText('No shadow candidate').waitFor();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await rule(0).getByLabel('Rule id').fill('partners');
    await rule(0).getByRole('textbox', { name: 'Principal', exact: true }).fill('partner');
    await page.getByRole('button', { name: 'Review and save' }).click();
    await page.getByRole('button', { name: 'Save version 4' }).click();
    await page.getByText('Saved version 4').waitFor();

    // Real requests: the enforced rules deny bob (404: he may not even see the model); the
    // candidate would allow him.
    for (let i = 0; i < 3; i++) expect(await chatAs(bob)).toBe(404);
    await page.getByRole('tab', { name: 'Shadow impact' }).click();
    const newlyAllowed = page.getByTestId('impact-newly-allowed');
    const deadline = Date.now() + 20_000;
    for (;;) {
      await newlyAllowed.waitFor();
      if ((await newlyAllowed.innerText()) === '3') break;
      if (Date.now() > deadline) throw new Error(`impact stayed at ${await newlyAllowed.innerText()}`);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(500);
    }
    expect(await page.getByTestId('impact-row-bob@company.com').innerText()).toContain('infer');
    await screenshot(page, 'shadow-impact');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Promote to enforced' }).click();
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByText('Candidate promoted').waitFor();
    const stored = await storedEnforce();
    expect(stored.rules.map((r) => r.id)).toEqual(['partners']);
    // The decision changed: bob's request now reaches the engine.
    const until = Date.now() + 10_000;
    let status = await chatAs(bob);
    while (status !== 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      status = await chatAs(bob);
    }
    expect(status).toBe(200);
    expect(consolePage.problems).toEqual([]);
  });
  it('drops a candidate started from the enforced rules, leaving the enforced rules as they were', async () => {
    await page.goto(`${sut.gatewayUrl}/console/acl/${MODEL}?tab=shadow`);
    await page.getByRole('button', { name: 'Start from the enforced rules' }).click();
    await rule(0).getByRole('textbox', { name: 'Principal', exact: true }).fill('auditor');
    await page.getByRole('button', { name: 'Review and save' }).click();
    await page.getByRole('button', { name: 'Save version 6' }).click();
    await page.getByText('Saved version 6').waitFor();
    await page.getByRole('tab', { name: 'Shadow impact' }).click();
    await page.getByRole('button', { name: 'Drop candidate' }).click();
    await page.getByRole('button', { name: 'Drop', exact: true }).click();
    await page.getByText('Candidate dropped').waitFor();
    const response = await api(sut.gatewayUrl, adminToken, 'GET', `/v1/acl/models/${MODEL}`);
    const body = (await response.json()) as {
      version: number;
      shadow: unknown;
      enforce: { rules: StoredRule[] };
    };
    expect(body.shadow).toBeNull();
    expect(body.enforce.rules.map((r) => r.id)).toEqual(['partners']);
    expect(body.version).toBe(7);
    expect(consolePage.problems).toEqual([]);
  });
  it('builds a weekly time window with a zone, and the simulator says when access opens next', async () => {
    await page.goto(`${sut.gatewayUrl}/console/acl/internlm3-finance`);
    await page.getByRole('button', { name: 'Add rule' }).click();
    await rule(0).getByLabel('Rule id').fill('office-hours');
    await rule(0).getByRole('textbox', { name: 'Principal', exact: true }).fill('finance');
    await rule(0).getByLabel('Only during a weekly time window').check();
    await rule(0).getByRole('combobox', { name: 'Time zone' }).fill('Asia/Shang');
    await page.getByRole('option', { name: 'Asia/Shanghai' }).click();
    await page.getByRole('button', { name: 'Review and save' }).click();
    await page.getByRole('button', { name: 'Save version 1' }).click();
    await page.getByText('Saved version 1').waitFor();
    const response = await api(sut.gatewayUrl, adminToken, 'GET', '/v1/acl/models/internlm3-finance');
    const stored = (await response.json()) as { enforce: { rules: unknown[] } };
    expect(stored.enforce.rules).toEqual([
      {
        id: 'office-hours',
        effect: 'allow',
        principal: { type: 'role', value: 'finance' },
        operations: ['infer'],
        conditions: {
          time_window: {
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
            start: '09:00',
            end: '18:00',
            tz: 'Asia/Shanghai',
          },
        },
      },
    ]);

    // Saturday 2026-12-05 12:00 UTC (20:00 in Shanghai): denied; it opens Monday 09:00 CST.
    const verdict = await simulate(
      'dave@company.com',
      ['finance'],
      '',
      'internlm3-finance',
      '2026-12-05T12:00:00',
    );
    expect(verdict).toMatch(/^Denied/);
    const next = page.getByTestId('next-allowed');
    await next.waitFor();
    expect(await next.innerText()).toContain('07 Dec 2026, 01:00:00 UTC');
    expect(await next.innerText()).toContain('checked with the decision service: rule office-hours');
    await screenshot(page, 'simulator-next-allowed');
    expect(consolePage.problems).toEqual([]);
  });
});
