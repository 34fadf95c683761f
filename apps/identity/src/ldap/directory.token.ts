/** DI token of the {@link Directory} port (LDAP in production, a fake in unit tests). */
export const DIRECTORY = Symbol('DIRECTORY');
