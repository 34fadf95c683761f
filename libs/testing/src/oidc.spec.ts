import { describe, expect, it } from 'vitest';
import { CookieJar, parseLoginForm } from './oidc';

describe('CookieJar', () => {
  const idp = new URL('http://127.0.0.1:3100/auth');

  it('sends cookies back to their host and path only', () => {
    const jar = new CookieJar();
    jar.store(idp, [
      '_interaction=abc; path=/interaction/uid1; httponly; samesite=lax',
      '_session=s1; path=/',
    ]);
    expect(jar.header(new URL('http://127.0.0.1:3100/interaction/uid1'))).toBe(
      '_interaction=abc; _session=s1',
    );
    expect(jar.header(new URL('http://127.0.0.1:3100/interaction/uid1/login'))).toBe(
      '_interaction=abc; _session=s1',
    );
    expect(jar.header(new URL('http://127.0.0.1:3100/interaction/uid10'))).toBe('_session=s1');
    expect(jar.header(new URL('http://127.0.0.1:3100/auth/uid1'))).toBe('_session=s1');
    expect(jar.header(new URL('http://127.0.0.1:9999/'))).toBeUndefined();
  });

  it('replaces a cookie of the same name and path, and forgets expired ones', () => {
    const jar = new CookieJar();
    jar.store(idp, ['a=1; path=/', 'b=2; path=/']);
    jar.store(idp, ['a=3; path=/', 'b=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.header(idp)).toBe('a=3');
    jar.store(idp, ['a=4; path=/; max-age=0']);
    expect(jar.header(idp)).toBeUndefined();
  });
});

describe('parseLoginForm', () => {
  it('reads the action and fields of the POST form, decoding entities', () => {
    const form = parseLoginForm(
      '<form method="post" action="/interaction/a&amp;b/login"><input name="username" value="&quot;x&quot;"><input name="password" type="password"></form>',
    );
    expect(form?.action).toBe('/interaction/a&b/login');
    expect([...(form?.fields ?? [])]).toEqual([
      ['username', '"x"'],
      ['password', ''],
    ]);
  });

  it('ignores pages without a POST form', () => {
    expect(parseLoginForm('<p>error</p>')).toBeUndefined();
    expect(parseLoginForm('<form method="get" action="/x"></form>')).toBeUndefined();
  });
});
