import { describe, expect, it } from 'vitest';
import { escapeHtml, PAGE_HEADERS, renderLoginPage, renderMessagePage } from './login-page';

describe('escapeHtml', () => {
  it('escapes every character that can break out of text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  it('leaves plain text alone', () => {
    expect(escapeHtml('alice@company.com')).toBe('alice@company.com');
  });
});

describe('renderLoginPage', () => {
  const hostile = '"><script>alert(1)</script>';

  it('escapes the reflected username, the error, the client and the action', () => {
    const html = renderLoginPage({
      action: `/interaction/${hostile}/login`,
      clientId: hostile,
      username: hostile,
      error: hostile,
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('<p class="error" role="alert">&quot;&gt;&lt;script&gt;');
  });

  it('has a POST form with username and password fields and no external assets', () => {
    const html = renderLoginPage({ action: '/interaction/abc/login', clientId: 'modelgate-console' });
    expect(html).toMatch(/<form method="post" action="\/interaction\/abc\/login"/);
    expect(html).toContain('name="username"');
    expect(html).toContain('name="password" type="password"');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('role="alert"');
  });

  it('escapes message pages too', () => {
    expect(renderMessagePage('<t>', '<m>')).not.toMatch(/<t>|<m>/);
  });
});

describe('PAGE_HEADERS', () => {
  it('forbid framing, caching and any script through the CSP', () => {
    expect(PAGE_HEADERS['x-frame-options']).toBe('DENY');
    expect(PAGE_HEADERS['cache-control']).toBe('no-store');
    const csp = PAGE_HEADERS['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
  });
});
