// The API keys table, shared by "my keys" and each service account's keys.
import { Badge, Button, Code, Table, Text } from '@mantine/core';
import type { ApiKey } from '../api/identity-api';
import { formatTime } from '../common/format';

function keyState(k: ApiKey): { label: string; color: string } {
  if (k.revoked_at) return { label: 'revoked', color: 'gray' };
  if (k.expires_at && new Date(k.expires_at).getTime() <= Date.now())
    return { label: 'expired', color: 'orange' };
  return { label: 'active', color: 'green' };
}

export function KeysTable({
  keys,
  onRevoke,
  busyId,
}: {
  keys: ApiKey[];
  onRevoke: (k: ApiKey) => void;
  busyId: string | null;
}) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped aria-label="API keys">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Id</Table.Th>
            <Table.Th>Owner</Table.Th>
            <Table.Th>Scope</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Action</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => {
            const state = keyState(k);
            return (
              <Table.Tr key={k.id} data-testid={`key-row-${k.name}`}>
                <Table.Td fw={600}>{k.name}</Table.Td>
                <Table.Td>
                  <Code>{k.id}</Code>
                </Table.Td>
                <Table.Td>{k.owner.id}</Table.Td>
                <Table.Td>
                  <Text size="xs">{k.models ? k.models.join(', ') : 'all models'}</Text>
                  <Text size="xs">{k.operations ? k.operations.join(', ') : 'all operations'}</Text>
                </Table.Td>
                <Table.Td>{formatTime(k.created_at)}</Table.Td>
                <Table.Td>{formatTime(k.expires_at)}</Table.Td>
                <Table.Td>{formatTime(k.last_used_at)}</Table.Td>
                <Table.Td>
                  <Badge color={state.color} variant="light">
                    {state.label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {!k.revoked_at && (
                    <Button
                      size="compact-xs"
                      color="red"
                      variant="light"
                      onClick={() => onRevoke(k)}
                      loading={busyId === k.id}
                      aria-label={`Revoke ${k.name}`}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
