// The audit explorer: the audit API's filters, newest first with cursor paging, a live
// tail of new records, a detail view, CSV export of the same filters, chain status.
import {
  Badge,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconFilter } from '@tabler/icons-react';
import { useMediaQuery } from '@mantine/hooks';
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { describeError } from '../api/api-error';
import type { Page } from '../api/acl-api';
import type { AuditFilters } from '../api/audit-api';
import type { AuditEventV1 } from '@modelgate/contracts';
import { useApi, useUser } from '../auth/auth-context';
import { formatTime, isoToLocalInput, localInputToIso } from '../common/format';
import { EmptyState, ErrorState, LoadingState } from '../common/states';
import { AuditDetail } from './audit-detail';
import { filtersFromParams, newerEvents, paramsFromFilters } from './audit-filters';
import { ChainStatus } from './chain-status';

const TAIL_INTERVAL_MS = 3_000;

function AuditCards({ events, onSelect }: { events: AuditEventV1[]; onSelect: (e: AuditEventV1) => void }) {
  return (
    <Stack gap="xs" aria-label="Audit records" role="list">
      {events.map((e) => (
        <Paper
          key={e.seq}
          withBorder
          p="sm"
          role="listitem"
          data-testid="audit-row"
          data-decision={e.decision ?? ''}
        >
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm" fw={600}>
              #{e.seq} · {e.operation}
            </Text>
            <Badge
              color={e.decision === 'allow' ? 'green' : e.decision === 'deny' ? 'red' : 'gray'}
              variant="light"
            >
              {e.decision ?? e.source}
            </Badge>
          </Group>
          <Text size="sm">{e.principal_id ?? 'unauthenticated'}</Text>
          <Text size="sm">
            {e.model ?? '—'} · {e.reason ?? '—'}
          </Text>
          <Group justify="space-between" wrap="nowrap">
            <Text size="xs" c="dimmed">
              {formatTime(e.occurred_at)}
            </Text>
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => onSelect(e)}
              aria-label={`Details of record ${e.seq}`}
            >
              Details
            </Button>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}

function FilterForm({
  initial,
  onApply,
  lockPrincipal,
}: {
  initial: AuditFilters;
  onApply: (f: AuditFilters) => void;
  lockPrincipal: string | null;
}) {
  // Keyed by the applied filters (below): a new URL starts the form afresh.
  const [f, setF] = useState<Record<string, string>>(() => paramsFromFilters(initial));
  const set = (key: string, value: string) => setF((old) => ({ ...old, [key]: value }));
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(filtersFromParams(new URLSearchParams(paramsFromFilters(f))));
  }
  return (
    <form onSubmit={submit} aria-label="Audit filters">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 6 }}>
        <TextInput
          label="Principal"
          placeholder="alice@company.com"
          value={lockPrincipal ?? f['principal'] ?? ''}
          onChange={(e) => set('principal', e.currentTarget.value)}
          disabled={lockPrincipal !== null}
        />
        <TextInput
          label="Model"
          placeholder="qwen3-7b-chat"
          value={f['model'] ?? ''}
          onChange={(e) => set('model', e.currentTarget.value)}
        />
        <TextInput
          label="Operation"
          placeholder="infer"
          value={f['operation'] ?? ''}
          onChange={(e) => set('operation', e.currentTarget.value)}
        />
        <Select
          label="Decision"
          data={[
            { value: '', label: 'Any' },
            { value: 'allow', label: 'Allow' },
            { value: 'deny', label: 'Deny' },
          ]}
          value={f['decision'] ?? ''}
          onChange={(v) => set('decision', v ?? '')}
          allowDeselect={false}
        />
        <TextInput
          type="datetime-local"
          label="From"
          value={isoToLocalInput(f['from'])}
          onChange={(e) => set('from', localInputToIso(e.currentTarget.value) ?? '')}
        />
        <TextInput
          type="datetime-local"
          label="To"
          value={isoToLocalInput(f['to'])}
          onChange={(e) => set('to', localInputToIso(e.currentTarget.value) ?? '')}
        />
      </SimpleGrid>
      <Group mt="sm">
        <Button type="submit" leftSection={<IconFilter size={16} aria-hidden />}>
          Apply filters
        </Button>
        <Button
          variant="subtle"
          onClick={() => {
            setF({});
            onApply({});
          }}
        >
          Clear
        </Button>
      </Group>
    </form>
  );
}

export function AuditExplorerPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const { user, can } = useUser();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const key = JSON.stringify(filters);
  const [tail, setTail] = useState(false);
  const [selected, setSelected] = useState<AuditEventV1 | null>(null);
  const [exporting, setExporting] = useState(false);
  // At a phone's width a table of eight columns is unreadable: one card per record instead.
  const phone = useMediaQuery('(max-width: 48em)') ?? false;

  const pages = useInfiniteQuery({
    queryKey: ['audit', 'events', key],
    queryFn: ({ pageParam }) => api.audit.events(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const loaded = pages.data?.pages.flatMap((p) => p.items) ?? [];

  // Live tail: poll the first page; records above the newest shown pile up on top. The pile
  // lives in the query cache under these filters, so other filters start with none.
  const tailKey = ['audit', 'tail', key];
  const head = useQuery({
    queryKey: tailKey,
    queryFn: async (): Promise<AuditEventV1[]> => {
      const piled = queryClient.getQueryData<AuditEventV1[]>(tailKey) ?? [];
      const page = await api.audit.events(filters, null, 100);
      const shownNow = queryClient.getQueryData<InfiniteData<Page<AuditEventV1>>>(['audit', 'events', key]);
      const fresh = newerEvents([...piled, ...(shownNow?.pages.flatMap((p) => p.items) ?? [])], page.items);
      return [...fresh, ...piled];
    },
    enabled: tail && pages.isSuccess,
    refetchInterval: TAIL_INTERVAL_MS,
  });
  const live = head.data ?? [];
  const shown = [...live, ...loaded];

  async function exportCsv() {
    setExporting(true);
    try {
      const { blob, filename } = await api.audit.exportCsv(filters);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      notifications.show({ color: 'red', title: 'Export failed', message: describeError(e) });
    } finally {
      setExporting(false);
    }
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {can.auditAll ? 'Audit explorer' : 'My audit records'}
        </Title>
        {can.auditAll && <ChainStatus />}
      </Group>
      {!can.auditAll && (
        <Text c="dimmed">Your roles show only the records of your own requests ({user.id}).</Text>
      )}
      <FilterForm
        key={key}
        initial={filters}
        onApply={(f) => setParams(paramsFromFilters(f))}
        lockPrincipal={can.auditAll ? null : user.id}
      />
      <Group justify="space-between">
        <Switch
          label="Live tail (new records appear on top)"
          checked={tail}
          onChange={(e) => setTail(e.currentTarget.checked)}
        />
        <Group gap="xs">
          {tail && (
            <Badge color={head.isError ? 'red' : 'teal'} variant="dot">
              {head.isError ? 'tail paused: error' : `live · ${live.length} new`}
            </Badge>
          )}
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={() => void exportCsv()}
            loading={exporting}
          >
            Export CSV
          </Button>
        </Group>
      </Group>
      {pages.isPending && <LoadingState label="Loading audit records…" />}
      {pages.isError && (
        <ErrorState
          error={pages.error}
          title="Could not load the audit records"
          onRetry={() => void pages.refetch()}
        />
      )}
      {pages.isSuccess && shown.length === 0 && (
        <EmptyState title="No records match">
          Change the filters, or turn on the live tail to watch for new ones.
        </EmptyState>
      )}
      {shown.length > 0 && phone && <AuditCards events={shown} onSelect={setSelected} />}
      {shown.length > 0 && !phone && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover aria-label="Audit records">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th>Principal</Table.Th>
                <Table.Th>Model</Table.Th>
                <Table.Th>Operation</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Details</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((e) => (
                <Table.Tr key={e.seq} data-testid="audit-row" data-decision={e.decision ?? ''}>
                  <Table.Td>{e.seq}</Table.Td>
                  <Table.Td>{formatTime(e.occurred_at)}</Table.Td>
                  <Table.Td>{e.principal_id ?? '—'}</Table.Td>
                  <Table.Td>{e.model ?? '—'}</Table.Td>
                  <Table.Td>{e.operation}</Table.Td>
                  <Table.Td>
                    {e.decision ? (
                      <Badge color={e.decision === 'allow' ? 'green' : 'red'} variant="light">
                        {e.decision}
                      </Badge>
                    ) : (
                      <Badge color="gray" variant="light">
                        {e.source}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{e.reason ?? '—'}</Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => setSelected(e)}
                      aria-label={`Details of record ${e.seq}`}
                    >
                      Details
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void pages.fetchNextPage()}
          loading={pages.isFetchingNextPage}
        >
          Older records
        </Button>
      )}
      <AuditDetail event={selected} onClose={() => setSelected(null)} />
    </Stack>
  );
}
