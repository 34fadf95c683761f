// The demo directory (ARCHITECTURE.md, "Demo directory"; loaded from
// test/fixtures/ldap/demo-directory.ldif by scripts/infra/slapd.sh), in one typed place,
// and a helper to bind to it as a user.
import { Client, type Entry } from 'ldapts';
import { infraEndpoints } from './infra';

export const DEMO_BASE_DN = 'dc=company,dc=com';

export const DEMO_LDAP = {
  baseDn: DEMO_BASE_DN,
  userBase: `ou=people,${DEMO_BASE_DN}`,
  groupBase: `ou=groups,${DEMO_BASE_DN}`,
  /** Read-only service account (LDAP_BIND_DN / LDAP_BIND_PASSWORD of identity). */
  serviceBindDn: `cn=modelgate,ou=services,${DEMO_BASE_DN}`,
  serviceBindPassword: 'modelgate-service-password',
  /** Root account of the dev server: for fixtures that change the directory, never for services. */
  rootDn: `cn=admin,${DEMO_BASE_DN}`,
  rootPassword: 'ldap-admin-password',
} as const;

export type DemoGroup = 'acl-admins' | 'researchers' | 'partners' | 'auditors';
export type DemoRole = 'acl-admin' | 'researcher' | 'partner' | 'acl-viewer' | 'auditor';
export type DemoUid = 'admin' | 'alice' | 'bob' | 'carol';

/** Roles each group maps to (the dev IdP publishes them as `realm_access.roles`). */
export const DEMO_GROUP_ROLES: Readonly<Record<DemoGroup, readonly DemoRole[]>> = {
  'acl-admins': ['acl-admin'],
  researchers: ['researcher'],
  partners: ['partner'],
  auditors: ['acl-viewer', 'auditor'],
};

export interface DemoUser {
  readonly uid: string;
  readonly password: string;
  readonly mail: string;
  /** displayName / cn, the `name` claim. */
  readonly name: string;
  readonly dn: string;
  readonly groups: readonly DemoGroup[];
  readonly roles: readonly DemoRole[];
  /** Disabled accounts cannot bind (ppolicy administrative lock). */
  readonly disabled: boolean;
}

export function demoUserDn(uid: string): string {
  return `uid=${uid},${DEMO_LDAP.userBase}`;
}

export function demoGroupDn(cn: string): string {
  return `cn=${cn},${DEMO_LDAP.groupBase}`;
}

function user(uid: string, name: string, groups: readonly DemoGroup[], disabled = false): DemoUser {
  const roles = [...new Set(groups.flatMap((g) => DEMO_GROUP_ROLES[g]))].sort();
  return {
    uid,
    password: `${uid}-password`,
    mail: `${uid}@company.com`,
    name,
    dn: demoUserDn(uid),
    groups,
    roles,
    disabled,
  };
}

/** The four users of the table in ARCHITECTURE.md; each can log in. */
export const DEMO_USERS: Readonly<Record<DemoUid, DemoUser>> = {
  admin: user('admin', 'Ada Admin', ['acl-admins']),
  alice: user('alice', 'Alice Anderson', ['researchers']),
  bob: user('bob', 'Bob Brown', ['partners']),
  carol: user('carol', 'Carol Clark', ['auditors']),
};

/**
 * A researcher whose account is disabled (`pwdAccountLockedTime: 000001010000Z`): the right
 * password, but every bind fails. For hostile-input tests of identity and the IdP.
 */
export const DISABLED_USER: DemoUser = user('dave', 'Dave Davis', ['researchers'], true);

/** Raised before any network traffic: an empty password would be an unauthenticated bind. */
export class EmptyPasswordError extends Error {
  constructor() {
    super('refusing to bind with an empty password (that is an unauthenticated bind, RFC 4513 5.1.2)');
    this.name = 'EmptyPasswordError';
  }
}

export interface LdapUserEntry {
  readonly dn: string;
  readonly uid: string | undefined;
  readonly mail: string | undefined;
  readonly cn: string | undefined;
  readonly memberOf: readonly string[];
}

export interface LdapUserSession {
  /** The bound client, for further reads as this user. */
  readonly client: Client;
  readonly dn: string;
  /** Reads the user's own entry (uid, mail, cn, memberOf) with the user's rights. */
  readOwnEntry(): Promise<LdapUserEntry>;
  close(): Promise<void>;
}

export interface LdapBindOptions {
  /** Defaults to LDAP_URL (ldap://127.0.0.1:10389). */
  readonly url?: string;
  readonly timeoutMs?: number;
}

function strings(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined) return [];
  const raw = entry[key];
  return (Array.isArray(raw) ? raw : [raw]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/**
 * Binds as a demo-directory user (`uid` → `uid=<uid>,ou=people,dc=company,dc=com`, or a full
 * DN). Refuses an empty password before connecting. Rejects with ldapts'
 * InvalidCredentialsError for a wrong password or a disabled account.
 */
export async function bindAsUser(
  uidOrDn: string,
  password: string,
  options: LdapBindOptions = {},
): Promise<LdapUserSession> {
  if (password === '') throw new EmptyPasswordError();
  const dn = uidOrDn.includes('=') ? uidOrDn : demoUserDn(uidOrDn);
  const timeout = options.timeoutMs ?? 5000;
  const client = new Client({
    url: options.url ?? infraEndpoints().ldapUrl,
    connectTimeout: timeout,
    timeout,
  });
  try {
    await client.bind(dn, password);
  } catch (error) {
    await client.unbind().catch(() => undefined);
    throw error;
  }
  return {
    client,
    dn,
    async readOwnEntry() {
      const { searchEntries } = await client.search(dn, {
        scope: 'base',
        attributes: ['uid', 'mail', 'cn', 'memberOf'],
      });
      const entry = searchEntries[0];
      if (entry === undefined) throw new Error(`no entry at ${dn}`);
      return {
        dn: entry.dn,
        uid: strings(entry, 'uid')[0],
        mail: strings(entry, 'mail')[0],
        cn: strings(entry, 'cn')[0],
        memberOf: strings(entry, 'memberOf'),
      };
    },
    close: () => client.unbind(),
  };
}

/** Binds, reads the user's own entry, unbinds. */
export async function readUserEntry(
  uidOrDn: string,
  password: string,
  options: LdapBindOptions = {},
): Promise<LdapUserEntry> {
  const session = await bindAsUser(uidOrDn, password, options);
  try {
    return await session.readOwnEntry();
  } finally {
    await session.close().catch(() => undefined);
  }
}
