// The OIDC redirect target (/console/callback): trades the code for a token, then goes on.
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../api/api-error';
import { useAuth } from './auth-context';
import { finishOidcSignIn } from './oidc-client';
import { safeReturnPath } from './return-path';

export function CallbackPage() {
  const { config, signInWithToken } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  // The code is single-use: React's development double effects must not redeem it twice.
  const started = useRef(false);

  useEffect(() => {
    if (started.current || !config.oidc) return;
    started.current = true;
    finishOidcSignIn(config.oidc, window.location.href)
      .then(async ({ accessToken, returnTo }) => {
        await signInWithToken(accessToken, 'oidc');
        void navigate(safeReturnPath(returnTo), { replace: true });
      })
      .catch((e: unknown) => setError(describeError(e)));
  }, [config, navigate, signInWithToken]);
  const shown = config.oidc ? error : 'Single sign-on is not configured for this console.';

  return (
    <Center mih="100vh" p="md" component="main">
      {shown ? (
        <Stack maw={480}>
          <Alert color="red" title="Sign-in failed" role="alert">
            {shown}
          </Alert>
          <Button onClick={() => void navigate('/', { replace: true })}>Back to sign-in</Button>
        </Stack>
      ) : (
        <Stack align="center">
          <Loader aria-label="Signing in" />
          <Text>Signing you in…</Text>
        </Stack>
      )}
    </Center>
  );
}
