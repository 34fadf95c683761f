// The dev IdP's own login page: one HTML form, no external assets, no script.
// Everything printed is escaped; the page is served with a CSP that allows only its own
// inline style (by hash), so an injected tag could do nothing even if escaping failed.
import { createHash } from 'node:crypto';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}',
  'main{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);width:20rem}',
  'h1{font-size:1.2rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-size:.9rem}',
  'input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}',
  'button{margin-top:1.25rem;width:100%;padding:.6rem;font-size:1rem}',
  '.error{color:#a00;background:#fee;padding:.5rem;border-radius:4px}.client{color:#555;font-size:.85rem}',
].join('');

/** Headers for every HTML page of the IdP. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'`,
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface LoginPageModel {
  /** Where the form posts (the interaction's login URL). */
  readonly action: string;
  readonly clientId: string;
  readonly username?: string;
  readonly error?: string;
}

export function renderLoginPage(model: LoginPageModel): string {
  const error =
    model.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(model.error)}</p>\n`;
  return page(
    'Sign in — Modelgate dev IdP',
    `<h1>Sign in</h1>
<p class="client">to <strong>${escapeHtml(model.clientId)}</strong> (Modelgate dev identity provider)</p>
${error}<form method="post" action="${escapeHtml(model.action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" required autofocus autocapitalize="none" value="${escapeHtml(model.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function renderMessagePage(title: string, message: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}
