export * from './infra';
export * from './ldap';
export * from './oidc';
export * from './postgres';
export * from './kafka';
export * from './cuttable-proxy';
export * from './free-port';
export * from './node-flags';
