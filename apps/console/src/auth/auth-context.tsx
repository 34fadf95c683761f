// Who is signed in, the API bound to their token, and what they may do.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { createApi, type Api } from '../api/api';
import { createHttpClient } from '../api/http-client';
import type { WhoAmI } from '../api/identity-api';
import { capabilitiesOf, type Capabilities } from './capabilities';
import type { ConsoleConfig } from './console-config';
import { readSession, writeSession, type StoredSession } from './session-store';

export type AuthState =
  | { readonly status: 'loading' }
  | { readonly status: 'signed-out'; readonly notice: string | null }
  | {
      readonly status: 'signed-in';
      readonly user: WhoAmI;
      readonly can: Capabilities;
      readonly method: StoredSession['method'];
    };

interface AuthContextValue {
  readonly state: AuthState;
  readonly api: Api;
  readonly config: ConsoleConfig;
  readonly signInWithToken: (token: string, method: StoredSession['method']) => Promise<void>;
  readonly signOut: (notice?: string) => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** The current session of this tab; a mutable holder that the HTTP client reads at call time. */
class SessionHolder {
  constructor(private value: StoredSession | null) {}
  get(): StoredSession | null {
    return this.value;
  }
  set(value: StoredSession | null): void {
    this.value = value;
  }
}

export function AuthProvider({ config, children }: { config: ConsoleConfig; children: ReactNode }) {
  const queryClient = useQueryClient();
  // The token lives outside React state: the HTTP client reads it on every call.
  const [session] = useState(() => new SessionHolder(readSession()));
  const [state, setState] = useState<AuthState>(() =>
    session.get() ? { status: 'loading' } : { status: 'signed-out', notice: null },
  );

  const signOut = useCallback(
    (notice?: string) => {
      session.set(null);
      writeSession(null);
      queryClient.clear();
      setState({ status: 'signed-out', notice: notice ?? null });
    },
    [queryClient, session],
  );

  const api = useMemo(
    () =>
      createApi(
        createHttpClient(
          () => session.get()?.token ?? null,
          () => signOut('Your session has ended; sign in again.'),
        ),
      ),
    [signOut, session],
  );

  const establish = useCallback(
    async (candidate: StoredSession) => {
      session.set(candidate);
      const user = await api.identity.whoami();
      writeSession(candidate);
      setState({ status: 'signed-in', user, can: capabilitiesOf(user.roles), method: candidate.method });
    },
    [api, session],
  );

  // A session stored by this tab (a reload) is checked with the server before it is used.
  const [stored] = useState(() => session.get());
  const restore = useQuery({
    queryKey: ['auth', 'restore'],
    enabled: stored !== null && state.status === 'loading',
    retry: false,
    staleTime: Infinity,
    queryFn: async () => {
      try {
        return await api.identity.whoami();
      } catch (error) {
        session.set(null);
        writeSession(null);
        throw error;
      }
    },
  });
  const effective = useMemo(
    (): AuthState =>
      state.status !== 'loading' || stored === null
        ? state
        : restore.isSuccess
          ? {
              status: 'signed-in',
              user: restore.data,
              can: capabilitiesOf(restore.data.roles),
              method: stored.method,
            }
          : restore.isError
            ? { status: 'signed-out', notice: 'Your session has ended; sign in again.' }
            : state,
    [state, stored, restore.isSuccess, restore.isError, restore.data],
  );

  const signInWithToken = useCallback(
    async (token: string, method: StoredSession['method']) => {
      try {
        await establish({ token, method });
      } catch (error) {
        session.set(null);
        writeSession(null);
        throw error;
      }
    },
    [establish, session],
  );

  const value = useMemo(
    () => ({ state: effective, api, config, signInWithToken, signOut }),
    [effective, api, config, signInWithToken, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth outside AuthProvider');
  return value;
}

export function useApi(): Api {
  return useAuth().api;
}

/** The signed-in user; only for pages behind the sign-in gate. */
export function useUser(): { user: WhoAmI; can: Capabilities } {
  const { state } = useAuth();
  if (state.status !== 'signed-in') throw new Error('useUser on a page without a signed-in user');
  return { user: state.user, can: state.can };
}
