// Shadow mode: what the candidate would newly allow or deny, by principal, from the audit
// records of real requests since it was set; then promote it or drop it.
import { Alert, Button, Group, Modal, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AclDocument, HistoryEntry } from '../api/acl-api';
import { ApiError, describeError } from '../api/api-error';
import type { AuditEventV1 } from '@modelgate/contracts';
import { useApi, useUser } from '../auth/auth-context';
import { formatTime } from '../common/format';
import { EmptyState, ErrorState, LoadingState } from '../common/states';
import { patternMatches } from '../models/acl-status';
import { shadowImpact } from './shadow-impact';

/** At most this many recent decision records are compared (newest first). */
const MAX_RECORDS = 2000;

function Stat({ label, value, color }: { label: string; value: number; color?: string }) {
  return (
    <Stack
      gap={0}
      p="sm"
      style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8 }}
    >
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={`impact-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {value}
      </Text>
    </Stack>
  );
}

export function ShadowPanel({ pattern, current }: { pattern: string; current: AclDocument | null }) {
  const api = useApi();
  const { can } = useUser();
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState<'promote' | 'drop' | null>(null);
  const [busy, setBusy] = useState(false);
  const hasShadow = current?.shadow != null;

  const history = useQuery({
    queryKey: ['acl', 'history-all', pattern, current?.version ?? 0],
    enabled: hasShadow,
    queryFn: async () => {
      const all: HistoryEntry[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.acl.history(pattern, cursor);
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor !== null && all.length < 1000);
      return all;
    },
  });
  const since = history.data?.find((e) => e.diff.shadow?.change === 'created')?.occurred_at;

  const records = useQuery({
    queryKey: ['audit', 'shadow', pattern, since ?? null],
    enabled: hasShadow && history.isSuccess,
    queryFn: async () => {
      // An exact name filters on the server; a glob is matched here against each record's model.
      const exact = !pattern.includes('*');
      const events: AuditEventV1[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.audit.events(
          { ...(exact ? { model: pattern } : {}), ...(since ? { from: since } : {}) },
          cursor,
          500,
        );
        events.push(...page.items.filter((e) => e.model !== null && patternMatches(pattern, e.model)));
        cursor = page.next_cursor;
      } while (cursor !== null && events.length < MAX_RECORDS);
      return events;
    },
  });

  async function act(kind: 'promote' | 'drop') {
    if (!current) return;
    setBusy(true);
    try {
      const written: AclDocument =
        kind === 'promote'
          ? await api.acl.promote(pattern, current.version)
          : await api.acl.discardShadow(pattern, current.version);
      queryClient.setQueryData(['acl', 'document', pattern], written);
      await queryClient.invalidateQueries({ queryKey: ['acl'] });
      notifications.show({
        color: 'green',
        title: kind === 'promote' ? 'Candidate promoted' : 'Candidate dropped',
        message:
          kind === 'promote'
            ? `The candidate is now enforced (version ${written.version}).`
            : 'The enforced rules are unchanged.',
      });
    } catch (e) {
      const conflict = e instanceof ApiError && e.isConflict;
      notifications.show({
        color: 'red',
        title: conflict ? 'Someone else changed this ACL meanwhile' : 'Refused',
        message: conflict ? 'Reloaded; check and try again.' : describeError(e),
      });
      if (conflict) await queryClient.invalidateQueries({ queryKey: ['acl'] });
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  }

  if (!hasShadow)
    return (
      <EmptyState title="No shadow candidate">
        Write a candidate in the “Shadow candidate” tab: it is evaluated beside the enforced rules on every
        request and recorded in the audit trail, without changing any decision.
      </EmptyState>
    );
  const impact = records.isSuccess ? shadowImpact(records.data) : null;
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Compared on real requests {since ? `since the candidate was created (${formatTime(since)})` : ''};
          at most the newest {MAX_RECORDS} records.
        </Text>
        <Group>
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} aria-hidden />}
            onClick={() => void records.refetch()}
            loading={records.isFetching}
          >
            Refresh
          </Button>
          {can.editAcl && (
            <>
              <Button variant="default" color="red" onClick={() => setConfirm('drop')}>
                Drop candidate
              </Button>
              <Button color="green" onClick={() => setConfirm('promote')}>
                Promote to enforced
              </Button>
            </>
          )}
        </Group>
      </Group>
      {(history.isPending || records.isPending) && <LoadingState label="Comparing decisions…" />}
      {history.isError && <ErrorState error={history.error} title="Could not load the history" />}
      {records.isError && (
        <ErrorState
          error={records.error}
          title="Could not read the audit records"
          onRetry={() => void records.refetch()}
        />
      )}
      {impact && (
        <>
          <SimpleGrid cols={{ base: 1, xs: 3 }}>
            <Stat label="Requests compared" value={impact.compared} />
            <Stat
              label="Newly allowed"
              value={impact.newlyAllowed}
              color={impact.newlyAllowed > 0 ? 'orange' : undefined}
            />
            <Stat
              label="Newly denied"
              value={impact.newlyDenied}
              color={impact.newlyDenied > 0 ? 'red' : undefined}
            />
          </SimpleGrid>
          {impact.compared === 0 ? (
            <EmptyState title="No requests yet">
              No request for this model has been decided since the candidate was set.
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table striped aria-label="Shadow impact by principal">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Principal</Table.Th>
                    <Table.Th>Newly allowed</Table.Th>
                    <Table.Th>Newly denied</Table.Th>
                    <Table.Th>Unchanged</Table.Th>
                    <Table.Th>Operations that change</Table.Th>
                    <Table.Th>Last request</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {impact.byPrincipal.map((p) => (
                    <Table.Tr key={p.principal} data-testid={`impact-row-${p.principal}`}>
                      <Table.Td>{p.principal}</Table.Td>
                      <Table.Td>{p.newlyAllowed}</Table.Td>
                      <Table.Td>{p.newlyDenied}</Table.Td>
                      <Table.Td>{p.unchanged}</Table.Td>
                      <Table.Td>{p.operations.join(', ') || '—'}</Table.Td>
                      <Table.Td>{formatTime(p.lastSeen)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </>
      )}
      <Modal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm === 'promote' ? 'Promote the candidate' : 'Drop the candidate'}
      >
        <Stack>
          <Alert color={confirm === 'promote' ? 'green' : 'red'} variant="light">
            {confirm === 'promote'
              ? 'The candidate replaces the enforced rules; decisions change at once.'
              : 'The candidate is discarded; the enforced rules stay as they are.'}
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm(null)}>
              Cancel
            </Button>
            <Button
              color={confirm === 'promote' ? 'green' : 'red'}
              onClick={() => confirm && void act(confirm)}
              loading={busy}
            >
              {confirm === 'promote' ? 'Promote' : 'Drop'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
