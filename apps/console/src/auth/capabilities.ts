// What the console offers a signed-in user, from their roles. The server enforces every
// one of these either way; the console only avoids offering what would be refused.

export interface Capabilities {
  /** acl-viewer or acl-admin: models with ACL status, documents, history, simulator. */
  readonly readAcl: boolean;
  /** acl-admin: save, roll back, promote. */
  readonly editAcl: boolean;
  /** auditor or acl-admin: every principal's audit records and the chain status. */
  readonly auditAll: boolean;
  /** acl-admin: service accounts and their keys. */
  readonly manageServiceAccounts: boolean;
}

export function capabilitiesOf(roles: readonly string[]): Capabilities {
  const has = (role: string): boolean => roles.includes(role);
  const admin = has('acl-admin');
  return {
    readAcl: admin || has('acl-viewer'),
    editAcl: admin,
    auditAll: admin || has('auditor'),
    manageServiceAccounts: admin,
  };
}
