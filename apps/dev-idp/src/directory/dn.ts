// Just enough RFC 4514 distinguished-name handling to turn `memberOf` values into group
// names: split into RDNs honouring backslash escapes, compare case-insensitively.

/** Splits a DN into its RDNs (`cn=a\,b,ou=x` → [`cn=a\,b`, `ou=x`]), escapes kept. */
export function splitDn(dn: string): string[] {
  const rdns: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i += 1) {
    const ch = dn[i];
    if (ch === '\\' && i + 1 < dn.length) {
      current += ch + dn[i + 1];
      i += 1;
    } else if (ch === ',') {
      rdns.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '' || rdns.length > 0) rdns.push(current.trim());
  return rdns;
}

/** Unescapes an RDN value (`\,` → `,`, `\2C` → `,`). */
export function unescapeDnValue(value: string): string {
  return value.replace(/\\([0-9a-fA-F]{2}|.)/g, (_m, esc: string) =>
    esc.length === 2 && /^[0-9a-fA-F]{2}$/.test(esc) ? String.fromCharCode(parseInt(esc, 16)) : esc,
  );
}

function normalizeRdn(rdn: string): string {
  const eq = rdn.indexOf('=');
  if (eq < 0) return rdn.toLowerCase();
  return `${rdn.slice(0, eq).trim().toLowerCase()}=${unescapeDnValue(rdn.slice(eq + 1).trim()).toLowerCase()}`;
}

/**
 * The `cn` of a group DN directly under `base` (`cn=researchers,ou=groups,dc=company,dc=com`
 * under `ou=groups,dc=company,dc=com` → `researchers`); undefined for any other DN.
 */
export function groupCnUnder(dn: string, base: string): string | undefined {
  const rdns = splitDn(dn);
  const baseRdns = splitDn(base).map(normalizeRdn);
  if (rdns.length !== baseRdns.length + 1) return undefined;
  if (!rdns.slice(1).every((rdn, i) => normalizeRdn(rdn) === baseRdns[i])) return undefined;
  const first = rdns[0] ?? '';
  const eq = first.indexOf('=');
  if (eq < 0 || first.slice(0, eq).trim().toLowerCase() !== 'cn') return undefined;
  const cn = unescapeDnValue(first.slice(eq + 1).trim());
  return cn === '' ? undefined : cn;
}
