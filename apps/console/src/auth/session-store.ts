// The signed-in session of this browser tab: the bearer token and how it was obtained.
// sessionStorage, not localStorage: it dies with the tab and is not shared across tabs.

export interface StoredSession {
  readonly token: string;
  readonly method: 'password' | 'oidc';
}

const KEY = 'modelgate.console.session';

export function readSession(): StoredSession | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof value.token === 'string' && (value.method === 'password' || value.method === 'oidc'))
      return { token: value.token, method: value.method };
  } catch {
    // A corrupt entry is no session.
  }
  sessionStorage.removeItem(KEY);
  return null;
}

export function writeSession(session: StoredSession | null): void {
  if (session === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(session));
}
