// Sign-in: the organisation's identity provider (OIDC code + PKCE), or a directory
// (LDAP) username and password through POST /v1/auth/token.
import {
  Alert,
  Button,
  Center,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconShieldLock } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/api-error';
import { useAuth } from './auth-context';
import { startOidcSignIn } from './oidc-client';

export function SignInPage({ returnTo }: { returnTo: string }) {
  const { api, config, signInWithToken, state } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<'password' | 'oidc' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const notice = state.status === 'signed-out' ? state.notice : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy('password');
    try {
      const token = await api.identity.passwordToken(username.trim(), password);
      await signInWithToken(token.access_token, 'password');
    } catch (e) {
      setError(describeError(e));
      setBusy(null);
    }
  }

  async function oidc() {
    if (!config.oidc) return;
    setError(null);
    setBusy('oidc');
    try {
      await startOidcSignIn(config.oidc, returnTo);
    } catch (e) {
      setError(describeError(e));
      setBusy(null);
    }
  }

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack>
          <Stack gap={4} align="center">
            <IconShieldLock size={40} aria-hidden />
            <Title order={1} size="h2">
              Modelgate console
            </Title>
            <Text c="dimmed" size="sm" ta="center">
              Access control for your models: permissions, audit and keys.
            </Text>
          </Stack>
          {notice && <Alert color="yellow">{notice}</Alert>}
          {error && (
            <Alert color="red" icon={<IconAlertCircle aria-hidden />} title="Sign-in failed" role="alert">
              {error}
            </Alert>
          )}
          {config.oidc && (
            <>
              <Button
                size="md"
                onClick={() => void oidc()}
                loading={busy === 'oidc'}
                disabled={busy !== null}
              >
                Sign in with single sign-on
              </Button>
              <Divider label="or with your directory account" labelPosition="center" />
            </>
          )}
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack>
              <TextInput
                label="Username"
                name="username"
                autoComplete="username"
                value={username}
                onChange={(e) => setUsername(e.currentTarget.value)}
                required
              />
              <PasswordInput
                label="Password"
                name="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                required
              />
              <Button
                type="submit"
                variant={config.oidc ? 'default' : 'filled'}
                loading={busy === 'password'}
                disabled={busy !== null}
              >
                Sign in
              </Button>
            </Stack>
          </form>
          <Text size="xs" c="dimmed" ta="center">
            What you can change follows your roles; the server checks every request.
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}
