// LDAP adapter of the AccountDirectory port: search-then-bind with a read-only service
// account, then read the user's own entry (and memberOf) bound as the user.
import { Client, EqualityFilter, InvalidCredentialsError, type Entry } from 'ldapts';
import type { DirectoryUser } from '../claims/claims';
import type { Logger } from '../logging/json-logger';
import { type AccountDirectory, type AuthenticationResult, USERNAME_PATTERN } from './account-directory';
import { groupCnUnder } from './dn';

export interface LdapDirectoryOptions {
  readonly url: string;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly userBase: string;
  readonly groupBase: string;
}

const USER_ATTRIBUTES = ['uid', 'mail', 'cn', 'displayName', 'givenName', 'sn', 'memberOf'];

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined) return [];
  const raw = entry[key];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

function first(entry: Entry, attribute: string): string | undefined {
  return values(entry, attribute)[0];
}

export class LdapAccountDirectory implements AccountDirectory {
  constructor(
    private readonly options: LdapDirectoryOptions,
    private readonly logger: Logger,
  ) {}

  async authenticate(username: string, password: string): Promise<AuthenticationResult> {
    if (!USERNAME_PATTERN.test(username)) return { ok: false, reason: 'invalid_username' };
    // An empty password is an "unauthenticated bind" (RFC 4513 5.1.2) that many servers
    // answer with success: it must never reach the server.
    if (password === '') return { ok: false, reason: 'empty_password' };
    try {
      const dn = await this.withServiceClient(async (client) => {
        const { searchEntries } = await client.search(this.options.userBase, {
          scope: 'sub',
          filter: new EqualityFilter({ attribute: 'uid', value: username }),
          attributes: ['dn'],
          sizeLimit: 2,
        });
        return searchEntries.length === 1 ? searchEntries[0]?.dn : undefined;
      });
      if (dn === undefined) return { ok: false, reason: 'invalid_credentials' };

      const client = this.client();
      try {
        await client.bind(dn, password);
        const { searchEntries } = await client.search(dn, { scope: 'base', attributes: USER_ATTRIBUTES });
        const entry = searchEntries[0];
        if (entry === undefined) return { ok: false, reason: 'invalid_credentials' };
        return { ok: true, user: this.toUser(entry) };
      } finally {
        await client.unbind().catch(() => undefined);
      }
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return { ok: false, reason: 'invalid_credentials' };
      this.logger.error('ldap authentication failed', { error, url: this.options.url });
      return { ok: false, reason: 'directory_unavailable' };
    }
  }

  async findByUid(uid: string): Promise<DirectoryUser | undefined> {
    if (!USERNAME_PATTERN.test(uid)) return undefined;
    return this.withServiceClient(async (client) => {
      const { searchEntries } = await client.search(this.options.userBase, {
        scope: 'sub',
        filter: new EqualityFilter({ attribute: 'uid', value: uid }),
        attributes: [...USER_ATTRIBUTES, 'pwdAccountLockedTime'],
        sizeLimit: 2,
      });
      const entry = searchEntries.length === 1 ? searchEntries[0] : undefined;
      // A locked (disabled) account gets no more tokens, even from an existing session.
      if (entry === undefined || first(entry, 'pwdAccountLockedTime') !== undefined) return undefined;
      return this.toUser(entry);
    });
  }

  private client(): Client {
    return new Client({ url: this.options.url, connectTimeout: 3000, timeout: 5000 });
  }

  private async withServiceClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = this.client();
    try {
      await client.bind(this.options.bindDn, this.options.bindPassword);
      return await fn(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private toUser(entry: Entry): DirectoryUser {
    const groups = values(entry, 'memberOf')
      .map((groupDn) => groupCnUnder(groupDn, this.options.groupBase))
      .filter((cn): cn is string => cn !== undefined);
    return {
      uid: first(entry, 'uid') ?? '',
      dn: entry.dn,
      mail: first(entry, 'mail'),
      name: first(entry, 'displayName') ?? first(entry, 'cn'),
      givenName: first(entry, 'givenName'),
      familyName: first(entry, 'sn'),
      groups,
    };
  }
}
