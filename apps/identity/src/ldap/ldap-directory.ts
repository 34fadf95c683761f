import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';
import { escapeFilterValue } from '@modelgate/auth';

export interface DirectoryUser {
  readonly dn: string;
  readonly mail: string | undefined;
  /** Group DNs from `memberOf` (empty when the server has no such attribute). */
  readonly memberOf: readonly string[];
}

/**
 * What the directory says of a key owner now. `disabled`: an administrative lock (ppolicy
 * `pwdAccountLockedTime: 000001010000Z`) or Active Directory's ACCOUNTDISABLE flag. A
 * temporary lock-out after failed logins is not `disabled`: otherwise anyone could disable
 * a user's keys for good by guessing passwords. `ambiguous`: several entries match.
 */
export type DirectoryUserStatus = 'active' | 'disabled' | 'missing' | 'ambiguous';

/** ppolicy's "locked until an administrator unlocks" value (draft-behera-ldap-password-policy 5.3.3). */
export const PERMANENT_LOCK = '000001010000Z';
/** userAccountControl ACCOUNTDISABLE (Active Directory). */
const AD_ACCOUNT_DISABLE = 0x2;

export function userStatusOf(entries: readonly Record<string, unknown>[]): DirectoryUserStatus {
  if (entries.length === 0) return 'missing';
  if (entries.length > 1) return 'ambiguous';
  const entry = entries[0]!;
  const attr = (name: string) => {
    const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? [] : allStrings(entry[key]);
  };
  if (attr('pwdAccountLockedTime').includes(PERMANENT_LOCK)) return 'disabled';
  const uac = Number(attr('userAccountControl')[0]);
  if (Number.isSafeInteger(uac) && (uac & AD_ACCOUNT_DISABLE) !== 0) return 'disabled';
  return 'active';
}

/** The LDAP operations a login needs. A port: the login use case is unit-tested with a fake. */
export interface Directory {
  /** Users whose login attribute equals `login` exactly (the value is escaped here). */
  findUsers(login: string): Promise<DirectoryUser[]>;
  /** Binds as `dn` on a fresh connection; false on invalidCredentials (wrong password, locked, unknown DN). */
  verifyPassword(dn: string, password: string): Promise<boolean>;
  /** Group DNs having `dn` as a member, for servers without memberOf. */
  groupsOf(dn: string): Promise<string[]>;
  /** The owner of a user principal id (a mail address, else the login name), looked up as the service account. */
  userStatus(principalId: string): Promise<DirectoryUserStatus>;
  close(): Promise<void>;
}

export class DirectoryUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`directory unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DirectoryUnavailableError';
  }
}

export interface LdapDirectoryOptions {
  readonly url: string;
  readonly bindDn?: string;
  readonly bindPassword?: string;
  readonly userBase: string;
  readonly groupBase: string;
  readonly userAttribute: string;
  readonly mailAttribute: string;
  readonly groupMemberAttribute: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly startTls: boolean;
  readonly tlsCaFile?: string;
  readonly tlsRejectUnauthorized: boolean;
}

/**
 * ldapts behind {@link Directory}. Searches share one connection bound as the service
 * account (reused; rebound after a reconnect). Each password check binds on a connection
 * of its own, so that a user's bind never changes what the shared connection may read.
 */
export class LdapDirectory implements Directory {
  private searchClient?: Client;
  private readonly tls: ConnectionOptions;

  constructor(private readonly options: LdapDirectoryOptions) {
    this.tls = {
      rejectUnauthorized: options.tlsRejectUnauthorized,
      ...(options.tlsCaFile ? { ca: readFileSync(options.tlsCaFile) } : {}),
    };
  }

  async findUsers(login: string): Promise<DirectoryUser[]> {
    const filter = `(${this.options.userAttribute}=${escapeFilterValue(login)})`;
    const { searchEntries } = await this.withSearchClient((c) =>
      c.search(this.options.userBase, {
        scope: 'sub',
        filter,
        attributes: [this.options.mailAttribute, 'memberOf'],
        sizeLimit: 2,
        timeLimit: Math.ceil(this.options.timeoutMs / 1000),
      }),
    );
    return searchEntries.map((e) => ({
      dn: e.dn,
      mail: firstString(e[this.options.mailAttribute]),
      memberOf: allStrings(e['memberOf']),
    }));
  }

  async userStatus(principalId: string): Promise<DirectoryUserStatus> {
    // User ids are mail addresses when the entry has one (ldap-login.handler); else the login.
    const attribute = principalId.includes('@') ? this.options.mailAttribute : this.options.userAttribute;
    const filter = `(${attribute}=${escapeFilterValue(principalId)})`;
    const { searchEntries } = await this.withSearchClient((c) =>
      c.search(this.options.userBase, {
        scope: 'sub',
        filter,
        // Operational attributes are returned only when asked for by name.
        attributes: ['pwdAccountLockedTime', 'userAccountControl'],
        sizeLimit: 2,
        timeLimit: Math.ceil(this.options.timeoutMs / 1000),
      }),
    );
    return userStatusOf(searchEntries);
  }

  async groupsOf(dn: string): Promise<string[]> {
    const filter = `(${this.options.groupMemberAttribute}=${escapeFilterValue(dn)})`;
    const { searchEntries } = await this.withSearchClient((c) =>
      c.search(this.options.groupBase, { scope: 'sub', filter, attributes: ['dn'], sizeLimit: 500 }),
    );
    return searchEntries.map((e) => e.dn);
  }

  async verifyPassword(dn: string, password: string): Promise<boolean> {
    // An empty password would be an unauthenticated bind (RFC 4513 5.1.2): success without proof.
    if (password.length === 0) return false;
    const client = await this.connect();
    try {
      await client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return false;
      throw new DirectoryUnavailableError(error);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.searchClient?.unbind().catch(() => undefined);
    this.searchClient = undefined;
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      url: this.options.url,
      timeout: this.options.timeoutMs,
      connectTimeout: this.options.connectTimeoutMs,
      // ldapts speaks TLS whenever tlsOptions are given, even to ldap:// URLs: only for ldaps://.
      ...(this.options.url.startsWith('ldaps:') ? { tlsOptions: this.tls } : {}),
      strictDN: true,
    });
    try {
      if (this.options.startTls) await client.startTLS(this.tls);
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw new DirectoryUnavailableError(error);
    }
    return client;
  }

  private async withSearchClient<T>(op: (client: Client) => Promise<T>): Promise<T> {
    try {
      if (!this.searchClient || !this.searchClient.isConnected) {
        await this.searchClient?.unbind().catch(() => undefined);
        const client = await this.connect();
        if (this.options.bindDn) await client.bind(this.options.bindDn, this.options.bindPassword ?? '');
        this.searchClient = client;
      }
      return await op(this.searchClient);
    } catch (error) {
      // Drop the connection: the next call starts afresh.
      await this.close();
      throw error instanceof DirectoryUnavailableError ? error : new DirectoryUnavailableError(error);
    }
  }
}

function firstString(v: unknown): string | undefined {
  return allStrings(v)[0];
}

function allStrings(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}
