// Admins: service accounts (create, disable) and the API keys each account owns.
import { Badge, Button, Group, Modal, Stack, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/api-error';
import type { ApiKey, ServiceAccount } from '../api/identity-api';
import { useApi } from '../auth/auth-context';
import { formatTime } from '../common/format';
import { EmptyState, ErrorState, LoadingState } from '../common/states';
import { KeysTable } from './keys-table';

function AccountKeys({ account }: { account: ServiceAccount }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['keys', 'owner', account.id],
    queryFn: () => api.identity.keys(account.id),
  });
  const revoke = useMutation({
    mutationFn: (k: ApiKey) => api.identity.revokeKey(k.id),
    onSuccess: async () => queryClient.invalidateQueries({ queryKey: ['keys'] }),
    onError: (e) => notifications.show({ color: 'red', title: 'Not revoked', message: describeError(e) }),
  });
  if (keys.isPending) return <LoadingState label="Loading keys…" />;
  if (keys.isError) return <ErrorState error={keys.error} title="Could not load the account's keys" />;
  if (keys.data.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No keys.
      </Text>
    );
  return (
    <KeysTable
      keys={keys.data}
      onRevoke={(k) => revoke.mutate(k)}
      busyId={revoke.isPending ? (revoke.variables?.id ?? null) : null}
    />
  );
}

export function ServiceAccountsPanel({
  accounts,
  onSecret,
}: {
  accounts: UseQueryResult<ServiceAccount[]>;
  onSecret: (name: string, secret: string) => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.identity.createServiceAccount({
        id: id.trim(),
        ...(name.trim() ? { name: name.trim() } : {}),
        roles,
      }),
    onSuccess: async (account) => {
      setCreating(false);
      setId('');
      setName('');
      setRoles([]);
      onSecret(`service account ${account.id} (client secret)`, account.client_secret);
      await queryClient.invalidateQueries({ queryKey: ['service-accounts'] });
    },
  });
  const disable = useMutation({
    mutationFn: (account: ServiceAccount) => api.identity.disableServiceAccount(account.id),
    onSuccess: async () => queryClient.invalidateQueries({ queryKey: ['service-accounts'] }),
    onError: (e) => notifications.show({ color: 'red', title: 'Not disabled', message: describeError(e) }),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <Stack mt="xl">
      <Group justify="space-between">
        <Title order={2} size="h3">
          Service accounts
        </Title>
        <Button variant="default" onClick={() => setCreating(true)}>
          New service account
        </Button>
      </Group>
      {accounts.isPending && <LoadingState label="Loading service accounts…" />}
      {accounts.isError && <ErrorState error={accounts.error} title="Could not load the service accounts" />}
      {accounts.isSuccess && accounts.data.length === 0 && <EmptyState title="No service accounts" />}
      {accounts.isSuccess && accounts.data.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Service accounts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Id</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {accounts.data.flatMap((a) => [
                <Table.Tr key={a.id}>
                  <Table.Td fw={600}>{a.id}</Table.Td>
                  <Table.Td>{a.roles.join(', ') || '—'}</Table.Td>
                  <Table.Td>{formatTime(a.created_at)}</Table.Td>
                  <Table.Td>
                    <Badge color={a.disabled_at ? 'gray' : 'green'} variant="light">
                      {a.disabled_at ? 'disabled' : 'active'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setOpen(open === a.id ? null : a.id)}
                        aria-expanded={open === a.id}
                      >
                        {open === a.id ? 'Hide keys' : 'Keys'}
                      </Button>
                      {!a.disabled_at && (
                        <Button
                          size="compact-xs"
                          color="red"
                          variant="light"
                          onClick={() => disable.mutate(a)}
                          loading={disable.isPending && disable.variables?.id === a.id}
                        >
                          Disable
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>,
                ...(open === a.id
                  ? [
                      <Table.Tr key={`${a.id}-keys`}>
                        <Table.Td colSpan={5}>
                          <AccountKeys account={a} />
                        </Table.Td>
                      </Table.Tr>,
                    ]
                  : []),
              ])}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={creating} onClose={() => setCreating(false)} title="New service account">
        <form onSubmit={submit}>
          <Stack>
            {create.isError && <ErrorState error={create.error} title="Not created" />}
            <TextInput
              label="Id"
              description="Lower case, e.g. ci-deployer"
              value={id}
              onChange={(e) => setId(e.currentTarget.value)}
              required
              data-autofocus
            />
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <TagsInput label="Roles" description="Enter to add" value={roles} onChange={setRoles} />
            <Group justify="flex-end">
              <Button type="submit" loading={create.isPending} disabled={!id.trim()}>
                Create
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
