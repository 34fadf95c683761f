/**
 * RFC 4515 section 3: in an LDAP search filter value, `*`, `(`, `)`, `\` and NUL must be
 * written as `\XX`. Without this, `alice)(uid=*` would widen a `(uid=...)` filter.
 * Escapes every byte below 0x20 and DEL as well: harmless for a correct server, and
 * some directories choke on raw control bytes.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * RFC 4514 section 2.4: escapes an attribute value for use inside a DN
 * (`uid=<value>,ou=people,...`): `, + " \ < > ;` and `=` with a backslash, a leading
 * `#` or space and a trailing space, NUL as `\00`, other control bytes as `\XX`.
 */
export function escapeDnValue(value: string): string {
  const chars = [...value];
  return chars
    .map((ch, i) => {
      const code = ch.codePointAt(0)!;
      if (code === 0 || code < 0x20 || code === 0x7f) return `\\${code.toString(16).padStart(2, '0')}`;
      if (',+"\\<>;='.includes(ch)) return `\\${ch}`;
      if (i === 0 && (ch === '#' || ch === ' ')) return `\\${ch}`;
      if (i === chars.length - 1 && ch === ' ') return '\\ ';
      return ch;
    })
    .join('');
}

/** Attribute names we accept in configuration (`uid`, `sAMAccountName`, `mail`): RFC 4512 descr. */
export const LDAP_ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
