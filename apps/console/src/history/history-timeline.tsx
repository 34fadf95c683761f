// A pattern's history, newest first: who, when, from where, what changed (rule by rule),
// and rollback to any earlier version (as a new version; nothing is ever erased).
import { Badge, Button, Code, Group, Modal, Stack, Text, Timeline } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowBackUp } from '@tabler/icons-react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AclDocument, HistoryEntry, PolicyMode, SlotDiff } from '../api/acl-api';
import { ApiError, describeError } from '../api/api-error';
import { useApi, useUser } from '../auth/auth-context';
import { formatTime } from '../common/format';
import { JsonDiffView } from '../common/json-diff-view';
import { EmptyState, ErrorState, LoadingState } from '../common/states';

const EVENT_LABEL: Record<string, string> = {
  'acl.rules_replaced': 'Rules replaced',
  'acl.rule_added': 'Rule added',
  'acl.rule_removed': 'Rule removed',
  'acl.mode_changed': 'Moved to shadow',
  'acl.promoted': 'Shadow candidate promoted',
  'acl.shadow_discarded': 'Shadow candidate discarded',
  'acl.rolled_back': 'Rolled back',
  'acl.deleted': 'Deleted',
};

const SLOT_LABEL: Record<PolicyMode, string> = { enforce: 'Enforced rules', shadow: 'Shadow candidate' };

function SlotChanges({ slot, diff }: { slot: PolicyMode; diff: SlotDiff }) {
  return (
    <Stack gap={6}>
      <Text size="sm" fw={600}>
        {SLOT_LABEL[slot]}: {diff.change}
      </Text>
      {diff.added.map((rule, i) => (
        <JsonDiffView
          key={`a${i}`}
          before={null}
          after={rule}
          label={`Added ${typeof rule['id'] === 'string' ? rule['id'] : 'rule'}`}
        />
      ))}
      {diff.removed.map((rule, i) => (
        <JsonDiffView
          key={`r${i}`}
          before={rule}
          after={null}
          label={`Removed ${typeof rule['id'] === 'string' ? rule['id'] : 'rule'}`}
        />
      ))}
      {diff.changed.map((c) => (
        <JsonDiffView key={c.id} before={c.before} after={c.after} label={`Changed ${c.id}`} />
      ))}
    </Stack>
  );
}

function EntryDetails({ entry }: { entry: HistoryEntry }) {
  const slots = (Object.keys(entry.diff) as PolicyMode[]).filter((s) => entry.diff[s]);
  return (
    <Stack gap="xs" mt={4}>
      <Text size="sm" c="dimmed">
        {formatTime(entry.occurred_at)} · {entry.actor ? `${entry.actor.id} (${entry.actor.type})` : 'system'}
        {entry.actor?.ip ? ` from ${entry.actor.ip}` : ''}
        {entry.rolled_back_to !== null ? ` · restored version ${entry.rolled_back_to}` : ''}
      </Text>
      {entry.user_agent && (
        <Text size="xs" c="dimmed">
          Client: <Code>{entry.user_agent}</Code>
        </Text>
      )}
      {slots.length === 0 ? (
        <Text size="sm">No rule changed.</Text>
      ) : (
        slots.map((slot) => <SlotChanges key={slot} slot={slot} diff={entry.diff[slot]!} />)
      )}
    </Stack>
  );
}

export function HistoryTimeline({ pattern, current }: { pattern: string; current: AclDocument | null }) {
  const api = useApi();
  const { can } = useUser();
  const queryClient = useQueryClient();
  const [restoring, setRestoring] = useState<HistoryEntry | null>(null);
  const [busy, setBusy] = useState(false);
  const history = useInfiniteQuery({
    queryKey: ['acl', 'history', pattern, current?.version ?? 0],
    queryFn: ({ pageParam }) => api.acl.history(pattern, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: current !== null,
  });

  async function rollback(entry: HistoryEntry) {
    if (!current) return;
    setBusy(true);
    try {
      const written = await api.acl.rollback(pattern, entry.version, current.version);
      queryClient.setQueryData(['acl', 'document', pattern], written);
      await queryClient.invalidateQueries({ queryKey: ['acl'] });
      notifications.show({
        color: 'green',
        title: `Rolled back to version ${entry.version}`,
        message: `Saved as version ${written.version}.`,
      });
      setRestoring(null);
    } catch (e) {
      const conflict = e instanceof ApiError && e.isConflict;
      notifications.show({
        color: 'red',
        title: conflict ? 'Someone else changed this ACL meanwhile' : 'Rollback refused',
        message: conflict ? 'The history was reloaded; check it and try again.' : describeError(e),
      });
      if (conflict) await queryClient.invalidateQueries({ queryKey: ['acl'] });
      setRestoring(null);
    } finally {
      setBusy(false);
    }
  }

  if (current === null) return <EmptyState title="No history yet">This pattern has no document.</EmptyState>;
  if (history.isPending) return <LoadingState label="Loading the history…" />;
  if (history.isError)
    return (
      <ErrorState
        error={history.error}
        title="Could not load the history"
        onRetry={() => void history.refetch()}
      />
    );
  const entries = history.data.pages.flatMap((p) => p.items);
  if (entries.length === 0) return <EmptyState title="No history yet" />;
  return (
    <Stack>
      <Timeline bulletSize={22} lineWidth={2} active={0}>
        {entries.map((entry) => (
          <Timeline.Item
            key={entry.event_id}
            data-testid={`history-${entry.version}`}
            title={
              <Group gap="xs">
                <Text fw={600}>Version {entry.version}</Text>
                <Badge variant="light">{EVENT_LABEL[entry.type] ?? entry.type}</Badge>
                {entry.version === current.version && (
                  <Badge color="green" variant="outline">
                    current
                  </Badge>
                )}
                {can.editAcl && entry.version !== current.version && entry.type !== 'acl.deleted' && (
                  <Button
                    size="compact-xs"
                    variant="light"
                    leftSection={<IconArrowBackUp size={14} aria-hidden />}
                    onClick={() => setRestoring(entry)}
                  >
                    Roll back to version {entry.version}
                  </Button>
                )}
              </Group>
            }
          >
            <EntryDetails entry={entry} />
          </Timeline.Item>
        ))}
      </Timeline>
      {history.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void history.fetchNextPage()}
          loading={history.isFetchingNextPage}
        >
          Older changes
        </Button>
      )}
      <Modal opened={restoring !== null} onClose={() => setRestoring(null)} title="Roll back">
        {restoring && (
          <Stack>
            <Text size="sm">
              Restore the enforced rules and shadow candidate of <b>version {restoring.version}</b> as a new
              version {current.version + 1}. Decisions change as soon as the decision service has the new
              version.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRestoring(null)}>
                Cancel
              </Button>
              <Button color="orange" onClick={() => void rollback(restoring)} loading={busy}>
                Restore version {restoring.version}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
