// Sign-in as each demo user, by password (LDAP through the gateway) and by OIDC code + PKCE
// through the dev provider's login page; what each is offered follows their roles.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openConsole,
  screenshot,
  seriousViolations,
  signInWithOidc,
  signInWithPassword,
  stackUnderTest,
  type StackUnderTest,
} from './support';

let sut: StackUnderTest;
let browser: Browser;

beforeAll(async () => {
  [sut, browser] = await Promise.all([stackUnderTest(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await sut?.stop();
});

async function navLabels(page: import('playwright-core').Page): Promise<string[]> {
  return (
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').allInnerTexts()
  ).map((t) => t.trim());
}

describe('console sign-in', () => {
  it('shows the sign-in page without serious accessibility violations', async () => {
    const { page, problems, close } = await openConsole(browser, sut.gatewayUrl);
    await page.getByRole('button', { name: 'Sign in with single sign-on' }).waitFor();
    await screenshot(page, 'sign-in');
    expect(await seriousViolations(page)).toEqual([]);
    // A wrong password is refused with the server's message, at the form.
    await page.getByLabel('Username').fill('alice');
    await page.locator('input[name="password"]').fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Sign-in failed' });
    await refused.waitFor();
    // The server's own words, not a generic failure; the password field keeps no secret on screen.
    expect(await refused.innerText()).not.toMatch(/not-her-password/);
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    expect(problems).toEqual([]);
    await close();
  });

  it('admin (OIDC) may edit ACLs and sees service accounts', async () => {
    const { page, problems, close } = await openConsole(browser, sut.gatewayUrl);
    await signInWithOidc(page, 'admin');
    expect(page.url()).toBe(`${sut.gatewayUrl}/console/models`);
    expect(await navLabels(page)).toEqual([
      'Models & ACLs',
      'Audit explorer',
      'Access simulator',
      'API keys',
    ]);
    await page.getByRole('button', { name: 'New ACL' }).waitFor();
    await page
      .getByRole('table', { name: 'Models served by the backends' })
      .getByText('qwen3-vl-demo')
      .waitFor();
    await screenshot(page, 'models');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'Service accounts' }).waitFor();
    expect(problems).toEqual([]);
    await close();
  });

  it('carol (OIDC, acl-viewer + auditor) reads everything and can change nothing', async () => {
    const { page, problems, close } = await openConsole(browser, sut.gatewayUrl);
    await signInWithOidc(page, 'carol');
    expect(await navLabels(page)).toEqual([
      'Models & ACLs',
      'Audit explorer',
      'Access simulator',
      'API keys',
    ]);
    await page.getByText('read-only', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'New ACL' }).count()).toBe(0);
    await page.getByRole('link', { name: 'qwen3-medical' }).first().click();
    await page.getByText('Read-only: your roles let you see this ACL, not change it.').waitFor();
    expect(await page.getByRole('button', { name: 'Review and save' }).count()).toBe(0);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Service accounts' }).count()).toBe(0);
    // Signing out ends the provider's session too: single sign-on asks for the password again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await page.locator('input#username').waitFor();
    expect(new URL(page.url()).origin).not.toBe(sut.gatewayUrl);
    expect(problems).toEqual([]);
    await close();
  });

  it('alice and bob (password) see only their models, their records and their keys', async () => {
    for (const user of ['alice', 'bob'] as const) {
      const { page, problems, close } = await openConsole(browser, sut.gatewayUrl);
      await signInWithPassword(page, user);
      expect(await navLabels(page)).toEqual(['My models', 'My audit records', 'API keys']);
      await page.getByRole('heading', { name: 'My models' }).waitFor();
      // The stack starts without ACLs: nothing is visible to anyone yet.
      await page.getByText('No models yet').waitFor();
      if (user === 'alice') await screenshot(page, 'my-models');
      await page.getByRole('link', { name: 'My audit records' }).click();
      await page
        .getByText(`Your roles show only the records of your own requests (${user}@company.com).`)
        .waitFor();
      // Pages a researcher may not use are not routes for them.
      await page.goto(`${sut.gatewayUrl}/console/simulator`);
      await page.getByRole('heading', { name: 'My models' }).waitFor();
      expect(problems).toEqual([]);
      await close();
    }
  });

  it('a reload keeps the session; signing out returns to the sign-in page and forgets the token', async () => {
    const { page, close } = await openConsole(browser, sut.gatewayUrl);
    await signInWithPassword(page, 'bob');
    // A reload keeps the session of this tab (checked again with the server).
    await page.reload();
    await page.getByTestId('signed-in-user').filter({ hasText: 'bob@company.com' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await close();
  });
});
