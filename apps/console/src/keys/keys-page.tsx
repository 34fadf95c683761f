// API keys: create (the secret is shown once, with a copy button), list, revoke. Admins
// also manage service accounts and the keys those accounts own.
import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { OPERATIONS } from '@modelgate/acl';
import { describeError } from '../api/api-error';
import type { ApiKey, CreatedKey } from '../api/identity-api';
import { useApi, useUser } from '../auth/auth-context';
import { CopyValueButton } from '../common/copy-button';
import { localInputToIso } from '../common/format';
import { EmptyState, ErrorState, LoadingState } from '../common/states';
import { KeysTable } from './keys-table';
import { ServiceAccountsPanel } from './service-accounts-panel';

export function SecretOnce({
  title,
  secret,
  onClose,
}: {
  title: string;
  secret: string | null;
  onClose: () => void;
}) {
  return (
    <Modal opened={secret !== null} onClose={onClose} title={title} closeOnClickOutside={false}>
      {secret && (
        <Stack>
          <Alert color="yellow" title="Copy it now">
            This is the only time the secret is shown. It is stored hashed and cannot be shown again.
          </Alert>
          <Group wrap="nowrap" gap="xs">
            <Code
              block
              style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap', overflow: 'visible' }}
              data-testid="secret-once"
            >
              {secret}
            </Code>
            <CopyValueButton value={secret} label="Copy the secret" />
          </Group>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have stored it</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function CreateKeyModal({
  opened,
  onClose,
  onCreated,
  serviceAccounts,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (k: CreatedKey) => void;
  serviceAccounts: string[] | null;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [models, setModels] = useState<string[]>([]);
  const [operations, setOperations] = useState<string[]>([]);
  const [owner, setOwner] = useState<string>('');
  const create = useMutation({
    mutationFn: () =>
      api.identity.createKey({
        name: name.trim(),
        expires_at: localInputToIso(expires) ?? null,
        models: models.length ? models : null,
        operations: operations.length ? operations : null,
        ...(owner ? { service_account: owner } : {}),
      }),
    onSuccess: (key) => {
      setName('');
      setExpires('');
      setModels([]);
      setOperations([]);
      setOwner('');
      onCreated(key);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <Modal opened={opened} onClose={onClose} title="Create an API key">
      <form onSubmit={submit}>
        <Stack>
          {create.isError && <ErrorState error={create.error} title="Not created" />}
          <TextInput
            label="Name"
            description="What the key is for, e.g. ci-pipeline"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            data-autofocus
          />
          {serviceAccounts && (
            <Select
              label="Owner"
              description="A service account's key acts as that account"
              data={[
                { value: '', label: 'Me' },
                ...serviceAccounts.map((id) => ({ value: id, label: `service account ${id}` })),
              ]}
              value={owner}
              onChange={(v) => setOwner(v ?? '')}
              allowDeselect={false}
            />
          )}
          <TextInput
            type="datetime-local"
            label="Expires"
            description="Empty: never"
            value={expires}
            onChange={(e) => setExpires(e.currentTarget.value)}
          />
          <TagsInput
            label="Only these models"
            description="Empty: every model the owner may use"
            value={models}
            onChange={setModels}
          />
          <MultiSelect
            label="Only these operations"
            description="Empty: every operation"
            data={[...OPERATIONS]}
            value={operations}
            onChange={setOperations}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function KeysPage() {
  const api = useApi();
  const { can } = useUser();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const keys = useQuery({ queryKey: ['keys', 'mine'], queryFn: () => api.identity.keys() });
  const accounts = useQuery({
    queryKey: ['service-accounts'],
    queryFn: () => api.identity.serviceAccounts(),
    enabled: can.manageServiceAccounts,
  });
  const revoke = useMutation({
    mutationFn: (k: ApiKey) => api.identity.revokeKey(k.id),
    onSuccess: async (k) => {
      setRevoking(null);
      notifications.show({
        color: 'green',
        title: 'Key revoked',
        message: `${k.name} is refused from now on.`,
      });
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not revoked', message: describeError(e) }),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          API keys
        </Title>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
          Create key
        </Button>
      </Group>
      <Text c="dimmed">
        Keys act as their owner, limited to the models and operations you choose. Revoking takes effect at
        once.
      </Text>
      {keys.isPending && <LoadingState label="Loading keys…" />}
      {keys.isError && (
        <ErrorState error={keys.error} title="Could not load the keys" onRetry={() => void keys.refetch()} />
      )}
      {keys.isSuccess && keys.data.length === 0 && (
        <EmptyState title="No keys yet">Create one for a script or a CI pipeline.</EmptyState>
      )}
      {keys.isSuccess && keys.data.length > 0 && (
        <KeysTable
          keys={keys.data}
          onRevoke={setRevoking}
          busyId={revoke.isPending ? (revoke.variables?.id ?? null) : null}
        />
      )}
      {can.manageServiceAccounts && (
        <ServiceAccountsPanel accounts={accounts} onSecret={(name, s) => setSecret({ name, secret: s })} />
      )}
      <CreateKeyModal
        opened={creating}
        onClose={() => setCreating(false)}
        serviceAccounts={
          can.manageServiceAccounts
            ? (accounts.data?.filter((a) => !a.disabled_at).map((a) => a.id) ?? [])
            : null
        }
        onCreated={(k) => {
          setCreating(false);
          setSecret({ name: k.name, secret: k.secret });
          void queryClient.invalidateQueries({ queryKey: ['keys'] });
        }}
      />
      <SecretOnce
        title={secret ? `Secret of ${secret.name}` : ''}
        secret={secret?.secret ?? null}
        onClose={() => setSecret(null)}
      />
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="Revoke the key">
        {revoking && (
          <Stack>
            <Text size="sm">
              <IconKey size={14} aria-hidden /> <b>{revoking.name}</b> ({revoking.id}) will be refused from
              now on. This cannot be undone.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRevoking(null)}>
                Cancel
              </Button>
              <Button color="red" onClick={() => revoke.mutate(revoking)} loading={revoke.isPending}>
                Revoke
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
