import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './return-path';

describe('safeReturnPath', () => {
  it('keeps paths inside the console', () => {
    expect(safeReturnPath('/audit?principal=bob%40company.com')).toBe('/audit?principal=bob%40company.com');
    expect(safeReturnPath('/acl/qwen3-*')).toBe('/acl/qwen3-*');
  });
  it('refuses anything that could leave the origin', () => {
    for (const hostile of [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil',
      'https://evil.example/',
      'javascript:alert(1)',
      '/\t/evil.example',
      '/\n/evil',
      '',
      42,
      null,
      undefined,
    ])
      expect(safeReturnPath(hostile), String(hostile)).toBe('/');
  });
});
