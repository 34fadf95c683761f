// The login/consent interaction of the dev IdP (features.devInteractions is off):
//   GET  /interaction/:uid        login form, or consent granted at once (first-party clients)
//   POST /interaction/:uid/login  checks the password with an LDAP bind, then finishes login
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { AccountDirectory } from '../directory/account-directory';
import { loginFailureMessage } from '../directory/account-directory';
import type { Logger } from '../logging/json-logger';
import { FormBodyError, readFormBody } from './form-body';
import { PAGE_HEADERS, renderLoginPage, renderMessagePage } from './login-page';

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,128})(\/login)?$/;

export interface InteractionDeps {
  readonly provider: Provider;
  readonly directory: AccountDirectory;
  readonly logger: Logger;
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(html);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Handles the request when it is an interaction route; false otherwise. */
export async function handleInteraction(
  req: IncomingMessage,
  res: ServerResponse,
  deps: InteractionDeps,
): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const match = ROUTE.exec(path);
  if (match === null) return false;
  const [, uid, login] = match;
  try {
    if (login === undefined && req.method === 'GET') await show(req, res, deps);
    else if (login !== undefined && req.method === 'POST')
      await submitLogin(req, res, deps, `/interaction/${uid}/login`);
    else
      sendPage(
        res,
        405,
        renderMessagePage('Method not allowed', 'This page only answers GET (form) and POST (login).'),
      );
  } catch (error) {
    if (error instanceof FormBodyError) {
      sendPage(res, error.status, renderMessagePage('Bad request', error.message));
    } else if (
      error instanceof Error &&
      (error.name === 'SessionNotFound' || error.name === 'InvalidRequest')
    ) {
      // Expired or unknown interaction, or its cookie is missing: start again at the client.
      deps.logger.warn('interaction not found', { error });
      sendPage(
        res,
        400,
        renderMessagePage(
          'Sign-in expired',
          'This sign-in request is no longer valid; start again from the application.',
        ),
      );
    } else {
      deps.logger.error('interaction failed', { error });
      sendPage(res, 500, renderMessagePage('Error', 'The identity provider failed; see its log.'));
    }
  }
  return true;
}

async function show(req: IncomingMessage, res: ServerResponse, deps: InteractionDeps): Promise<void> {
  const details = await deps.provider.interactionDetails(req, res);
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : 'unknown client';
  if (details.prompt.name === 'login') {
    sendPage(res, 200, renderLoginPage({ action: `/interaction/${details.uid}/login`, clientId }));
    return;
  }
  if (details.prompt.name === 'consent') {
    // Every client of the dev IdP is first-party: grant what it asked for, without a page.
    const accountId = details.session?.accountId;
    if (accountId === undefined) throw new Error('consent prompt without a logged-in session');
    const grant =
      details.grantId === undefined
        ? new deps.provider.Grant({ accountId, clientId })
        : ((await deps.provider.Grant.find(details.grantId)) ??
          new deps.provider.Grant({ accountId, clientId }));
    const missing = details.prompt.details;
    const scopes = stringList(missing.missingOIDCScope);
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
    const claims = stringList(missing.missingOIDCClaims);
    if (claims.length > 0) grant.addOIDCClaims(claims);
    const resourceScopes = missing.missingResourceScopes;
    if (typeof resourceScopes === 'object' && resourceScopes !== null) {
      for (const [indicator, list] of Object.entries(resourceScopes))
        grant.addResourceScope(indicator, stringList(list).join(' '));
    }
    const grantId = await grant.save();
    deps.logger.info('consent granted', { client_id: clientId, sub: accountId });
    await deps.provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    return;
  }
  sendPage(
    res,
    400,
    renderMessagePage('Unsupported', `Unsupported interaction prompt "${details.prompt.name}".`),
  );
}

async function submitLogin(
  req: IncomingMessage,
  res: ServerResponse,
  deps: InteractionDeps,
  action: string,
): Promise<void> {
  const details = await deps.provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    sendPage(res, 400, renderMessagePage('Bad request', 'This sign-in request does not expect a login.'));
    return;
  }
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : 'unknown client';
  const form = await readFormBody(req);
  const username = (form.get('username') ?? '').trim();
  const password = form.get('password') ?? '';
  const result = await deps.directory.authenticate(username, password);
  if (!result.ok) {
    deps.logger.warn('login failed', {
      username: username.slice(0, 64),
      reason: result.reason,
      client_id: clientId,
    });
    const status = result.reason === 'directory_unavailable' ? 503 : 401;
    sendPage(
      res,
      status,
      renderLoginPage({ action, clientId, username, error: loginFailureMessage(result.reason) }),
    );
    return;
  }
  deps.logger.info('login succeeded', {
    sub: result.user.uid,
    client_id: clientId,
    groups: result.user.groups,
  });
  await deps.provider.interactionFinished(
    req,
    res,
    { login: { accountId: result.user.uid, amr: ['pwd'] } },
    { mergeWithLastSubmission: false },
  );
}
