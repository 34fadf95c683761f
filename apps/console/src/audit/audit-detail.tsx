// One audit record: the decision and its trace fields, the chain links, the raw record, and
// (for ACL readers) the decision explained again under the current policy.
import { Badge, Button, Code, Drawer, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import type { AuditEventV1 } from '@modelgate/contracts';
import { useApi, useUser } from '../auth/auth-context';
import { formatTime } from '../common/format';
import { ErrorState } from '../common/states';
import { TraceView } from '../simulator/trace-view';

function field(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function AuditDetail({ event, onClose }: { event: AuditEventV1 | null; onClose: () => void }) {
  const api = useApi();
  const { can } = useUser();
  const explain = useMutation({
    mutationFn: (e: AuditEventV1) => {
      const r = e.record;
      const p = (r['principal'] ?? {}) as { id?: string; type?: string; roles?: string[]; groups?: string[] };
      return api.decisions.explain({
        principal: { id: p.id ?? '', type: p.type ?? 'user', roles: p.roles ?? [], groups: p.groups ?? [] },
        model: e.model ?? '',
        operation: e.operation,
        context: {
          ...(typeof r['source_ip'] === 'string' ? { ip: r['source_ip'] } : {}),
          time: e.occurred_at,
        },
      });
    },
  });
  const isDecision = event?.source === 'decision' && event.record['principal'] != null;
  return (
    <Drawer
      opened={event !== null}
      onClose={() => {
        explain.reset();
        onClose();
      }}
      position="right"
      size="xl"
      title={event ? `Audit record #${event.seq}` : ''}
    >
      {event && (
        <Stack data-testid="audit-detail">
          <Group gap="xs">
            <Badge variant="light">{event.source}</Badge>
            {event.decision && (
              <Badge color={event.decision === 'allow' ? 'green' : 'red'}>{event.decision}</Badge>
            )}
            <Text size="sm">{formatTime(event.occurred_at)}</Text>
          </Group>
          <Table aria-label="Decision trace" variant="vertical" withTableBorder>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={180}>Principal</Table.Th>
                <Table.Td>
                  {event.principal_id ?? 'unauthenticated'}{' '}
                  {event.principal_type ? `(${event.principal_type})` : ''}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Model</Table.Th>
                <Table.Td>{event.model ?? '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Operation</Table.Th>
                <Table.Td>{event.operation}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Reason</Table.Th>
                <Table.Td>{event.reason ?? '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Deciding rule</Table.Th>
                <Table.Td>{field(event.record, 'rule_id')}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Policy version</Table.Th>
                <Table.Td>{field(event.record, 'policy_version')}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Shadow outcome</Table.Th>
                <Table.Td>{field(event.record, 'shadow')}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Source IP</Table.Th>
                <Table.Td>{field(event.record, 'source_ip')}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Request / trace</Table.Th>
                <Table.Td>
                  {field(event.record, 'request_id')} / {field(event.record, 'trace_id')}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Latency</Table.Th>
                <Table.Td>
                  {typeof event.record['latency_us'] === 'number' ? `${event.record['latency_us']} µs` : '—'}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Chain</Table.Th>
                <Table.Td>
                  <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
                    prev {event.prev_hash}
                    <br />
                    hash {event.hash}
                  </Text>
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          {can.readAcl && isDecision && (
            <Stack gap="xs">
              <Group>
                <Button variant="light" onClick={() => explain.mutate(event)} loading={explain.isPending}>
                  Explain under the current policy
                </Button>
                <Text size="xs" c="dimmed">
                  Re-evaluates this request as of its time and address with today's rules.
                </Text>
              </Group>
              {explain.isError && <ErrorState error={explain.error} title="Could not explain" />}
              {explain.isSuccess && <TraceView answer={explain.data} />}
            </Stack>
          )}
          <Text size="sm" fw={600}>
            Record as received
          </Text>
          <ScrollArea.Autosize
            mah={360}
            type="auto"
            viewportProps={{ tabIndex: 0, role: 'region', 'aria-label': 'Record as received' }}
          >
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', overflow: 'visible' }}>
              {JSON.stringify(event.record, null, 2)}
            </Code>
          </ScrollArea.Autosize>
        </Stack>
      )}
    </Drawer>
  );
}
