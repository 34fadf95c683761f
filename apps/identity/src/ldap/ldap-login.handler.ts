import {
  AuthenticationError,
  normalisePrincipalId,
  rolesForGroups,
  type GroupRoleMap,
} from '@modelgate/auth';
import { IdentityException } from '../errors/identity.exception';
import { DirectoryUnavailableError, type Directory } from './ldap-directory';
import { groupNameFromDn } from './group-names';

export interface LdapLoginCommand {
  readonly username: string;
  readonly password: string;
}

export interface LoggedInUser {
  readonly id: string;
  readonly roles: string[];
  readonly groups: string[];
}

/** Longest accepted username and password: enough for any real one, short of abuse. */
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

/** DN that exists in no directory: unknown users still cost one bind, like a wrong password. */
const DECOY_DN_PREFIX = 'cn=modelgate-no-such-user-7f3a9c';

/**
 * LDAP login: find the user by the configured attribute, bind as that user's DN with the
 * password, read the groups and map them to roles. Unknown user, wrong password, a
 * locked or disabled account and an empty password all end in the same
 * `invalid_credentials` (the log keeps which).
 */
export class LdapLoginHandler {
  constructor(
    private readonly directory: Directory,
    private readonly options: {
      readonly groupsFrom: 'memberOf' | 'search';
      readonly groupRoles: GroupRoleMap;
      readonly userBase: string;
    },
  ) {}

  async execute(command: LdapLoginCommand): Promise<LoggedInUser> {
    const { username, password } = command;
    // Refused before any bind: an empty (or blank) password is an unauthenticated bind on
    // most servers, which "succeeds" without proving anything.
    if (password.trim() === '' || password.length > MAX_PASSWORD) {
      throw new AuthenticationError('invalid_credentials', 'empty or oversized password');
    }
    if (username.trim() === '' || username.length > MAX_USERNAME || username !== username.trim()) {
      throw new AuthenticationError('invalid_credentials', 'unusable username');
    }
    try {
      const users = await this.directory.findUsers(username);
      if (users.length !== 1) {
        await this.directory.verifyPassword(`${DECOY_DN_PREFIX},${this.options.userBase}`, password);
        throw new AuthenticationError(
          'invalid_credentials',
          users.length === 0 ? 'unknown user' : 'ambiguous user',
        );
      }
      const user = users[0]!;
      if (!(await this.directory.verifyPassword(user.dn, password))) {
        throw new AuthenticationError('invalid_credentials', 'bind refused');
      }
      const groupDns =
        this.options.groupsFrom === 'memberOf' ? user.memberOf : await this.directory.groupsOf(user.dn);
      const groups = [
        ...new Set(groupDns.map(groupNameFromDn).filter((g): g is string => g !== undefined)),
      ].sort();
      return {
        id: normalisePrincipalId(user.mail ?? username),
        groups,
        roles: rolesForGroups(groups, this.options.groupRoles),
      };
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) {
        throw new IdentityException('directory_unavailable', 'the directory is unavailable; try again later');
      }
      throw error;
    }
  }
}
