/**
 * The name of a group from its DN: the value of the first RDN (`cn=researchers,ou=groups,...`
 * → `researchers`), with RFC 4514 escapes undone. Multi-valued first RDNs keep their first value.
 */
export function groupNameFromDn(dn: string): string | undefined {
  const m = /^\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*((?:\\[0-9A-Fa-f]{2}|\\.|[^,+\\])*)/.exec(dn);
  if (!m?.[1]) return undefined;
  const bytes: number[] = [];
  const raw = m[1].trim();
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch === '\\' && i + 1 < raw.length) {
      bytes.push(...Buffer.from(raw[i + 1]!, 'utf8'));
      i += 1;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8') || undefined;
}
