// Providers and routes. Every page but the sign-in callback sits behind the sign-in gate.
import {
  Drawer,
  MantineProvider,
  Modal,
  Notification,
  createTheme,
  type CSSVariablesResolver,
} from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ApiError } from './api/api-error';
import { AuthProvider, useAuth } from './auth/auth-context';
import { CallbackPage } from './auth/callback-page';
import type { ConsoleConfig } from './auth/console-config';
import { SignInPage } from './auth/sign-in-page';
import { AclEditorPage } from './acl/acl-editor-page';
import { AuditExplorerPage } from './audit/audit-explorer-page';
import { LoadingState } from './common/states';
import { KeysPage } from './keys/keys-page';
import { ConsoleLayout } from './layout/console-layout';
import { ModelsPage } from './models/models-page';
import { SimulatorPage } from './simulator/simulator-page';

const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 8 (not Mantine's 6) so that white on filled buttons and coloured text on light
  // badges reach WCAG AA contrast (4.5:1); axe checks it in the browser tests.
  primaryShade: { light: 8, dark: 5 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "DejaVu Sans Mono", monospace',
  defaultRadius: 'md',
  // No sliding and fading for people who asked their system for less motion.
  respectReducedMotion: true,
  // Icon-only close buttons need a name for screen readers.
  components: {
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close panel' } } }),
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } },
      // Its description is gray-6 by default (3.3:1).
      styles: { description: { color: 'var(--mantine-color-text)' } },
    }),
  },
});

// WCAG AA contrast (4.5:1) for small text, checked by axe in the browser tests. Mantine's
// defaults miss it in light mode: "dimmed" grey (gray-6, 3.3:1), error red (red-6), white on
// green/orange/yellow filled buttons, coloured text on light badges and alerts. Each colour's
// filled and light-text shades are its darkest shade with black mixed in.
const PALETTE = ['indigo', 'green', 'red', 'yellow', 'orange', 'teal', 'gray', 'blue'] as const;
const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    ...Object.fromEntries(
      PALETTE.flatMap((c) => [
        [`--mantine-color-${c}-filled`, `color-mix(in srgb, var(--mantine-color-${c}-9), black 30%)`],
        [`--mantine-color-${c}-filled-hover`, `color-mix(in srgb, var(--mantine-color-${c}-9), black 45%)`],
        [`--mantine-color-${c}-light-color`, `color-mix(in srgb, var(--mantine-color-${c}-9), black 40%)`],
        [`--mantine-color-${c}-outline`, `color-mix(in srgb, var(--mantine-color-${c}-9), black 30%)`],
        [`--mantine-color-${c}-text`, `color-mix(in srgb, var(--mantine-color-${c}-9), black 30%)`],
      ]),
    ),
  },
  dark: {},
});

function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A refusal (4xx) will not change by asking again; a network blip may.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
}

function Gate() {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === 'loading') return <LoadingState label="Restoring your session…" />;
  if (state.status === 'signed-out')
    return <SignInPage returnTo={`${location.pathname}${location.search}`} />;
  const { can } = state;
  return (
    <Routes>
      <Route element={<ConsoleLayout />}>
        <Route index element={<Navigate to="/models" replace />} />
        <Route path="models" element={<ModelsPage />} />
        {can.readAcl && <Route path="acl/:pattern" element={<AclEditorPage />} />}
        <Route path="audit" element={<AuditExplorerPage />} />
        {can.readAcl && <Route path="simulator" element={<SimulatorPage />} />}
        <Route path="keys" element={<KeysPage />} />
        <Route path="*" element={<Navigate to="/models" replace />} />
      </Route>
    </Routes>
  );
}

export function App({ config }: { config: ConsoleConfig }) {
  const [queryClient] = useState(newQueryClient);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')}>
          <AuthProvider config={config}>
            <Routes>
              <Route path="/callback" element={<CallbackPage />} />
              <Route path="*" element={<Gate />} />
            </Routes>
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
