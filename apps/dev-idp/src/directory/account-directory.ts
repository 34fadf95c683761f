// Port: where the dev IdP's users live. The LDAP adapter is ldap-account-directory.ts.
import type { DirectoryUser } from '../claims/claims';

export type AuthenticationFailure =
  'invalid_credentials' | 'empty_password' | 'invalid_username' | 'directory_unavailable';

export type AuthenticationResult =
  | { readonly ok: true; readonly user: DirectoryUser }
  | { readonly ok: false; readonly reason: AuthenticationFailure };

export interface AccountDirectory {
  /** Checks a username/password by binding as the user; never binds with an empty password. */
  authenticate(username: string, password: string): Promise<AuthenticationResult>;
  /** The current entry of a user (claims at token time); undefined when gone or disabled. */
  findByUid(uid: string): Promise<DirectoryUser | undefined>;
}

/** Usernames the IdP accepts at all: the uid syntax of the demo directory, nothing exotic. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Human message for a failed login; deliberately the same for unknown user and bad password. */
export function loginFailureMessage(reason: AuthenticationFailure): string {
  switch (reason) {
    case 'invalid_credentials':
    case 'invalid_username':
      return 'Invalid username or password.';
    case 'empty_password':
      return 'Enter your password.';
    case 'directory_unavailable':
      return 'The directory is not reachable; try again in a moment.';
  }
}
