// The explain trace: the decision, the deciding rule, when access would next be allowed,
// and every rule considered with each condition's outcome.
import { Alert, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import type { UseQueryResult } from '@tanstack/react-query';
import { describeError } from '../api/api-error';
import type { ExplainAnswerV1 } from '@modelgate/contracts';
import { formatTime } from '../common/format';
import type { NextAllowed } from './use-next-allowed';

function NextAllowedLine({ next }: { next: UseQueryResult<NextAllowed> }) {
  if (next.isPending) return <Text size="sm">Looking for when it would next be allowed…</Text>;
  if (next.isError)
    return (
      <Text size="sm">Could not work out when it would next be allowed: {describeError(next.error)}</Text>
    );
  const n = next.data;
  if (n.kind === 'none')
    return <Text size="sm">No time in the next 8 days would allow it under the current rules.</Text>;
  return (
    <Text size="sm" data-testid="next-allowed">
      Next allowed: <b>{formatTime(n.at)}</b>
      {n.kind === 'retry_at'
        ? ' (when the rate limit has room)'
        : ` (checked with the decision service${n.ruleId ? `: rule ${n.ruleId}` : ''})`}
    </Text>
  );
}

/** `next`: the "when would it be allowed" search for a denial; null when allowed or not asked. */
export function TraceView({
  answer,
  next = null,
}: {
  answer: ExplainAnswerV1;
  next?: UseQueryResult<NextAllowed> | null;
}) {
  const d = answer.decision;
  const decisive = answer.rules.find((r) => r.decisive);
  return (
    <Stack data-testid="explain-result">
      <Alert
        color={d.allow ? 'green' : 'red'}
        icon={d.allow ? <IconCircleCheck aria-hidden /> : <IconCircleX aria-hidden />}
        title={d.allow ? 'Allowed' : 'Denied'}
        data-testid="explain-verdict"
      >
        <Stack gap={4}>
          <Text size="sm">
            Reason: <b>{d.reason}</b>
            {d.rule_id ? (
              <>
                {' '}
                · deciding rule <b data-testid="deciding-rule">{d.rule_id}</b>
              </>
            ) : (
              ' · no rule decided (default deny)'
            )}{' '}
            · policy version {d.policy_version}
          </Text>
          <Text size="sm">
            At {formatTime(answer.time)} from {answer.ip ?? 'no address'}
          </Text>
          {next ? (
            <NextAllowedLine next={next} />
          ) : (
            d.retry_at && (
              <Text size="sm" data-testid="next-allowed">
                Next allowed: <b>{formatTime(d.retry_at)}</b> (when the rate limit has room)
              </Text>
            )
          )}
          {d.shadow && (
            <Text size="sm">
              With the shadow candidate: <b>{d.shadow.allow ? 'allowed' : 'denied'}</b> ({d.shadow.reason}
              {d.shadow.rule_id ? `, rule ${d.shadow.rule_id}` : ''})
            </Text>
          )}
        </Stack>
      </Alert>
      {answer.rules.length === 0 ? (
        <Text size="sm" c="dimmed">
          No rule applies to this model.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Rules considered" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Rule</Table.Th>
                <Table.Th>Document</Table.Th>
                <Table.Th>Principal / operations</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Conditions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {answer.rules.map((r) => (
                <Table.Tr
                  key={`${r.document_model}:${r.mode}:${r.rule_id}`}
                  bg={r === decisive ? 'var(--mantine-color-yellow-light)' : undefined}
                >
                  <Table.Td>
                    <Group gap={4}>
                      <Text size="sm" fw={600}>
                        {r.rule_id}
                      </Text>
                      <Badge size="xs" color={r.effect === 'deny' ? 'red' : 'green'} variant="light">
                        {r.effect}
                      </Badge>
                      {r.decisive && (
                        <Badge size="xs" color="yellow">
                          decisive
                        </Badge>
                      )}
                      {r.shadow_decisive && (
                        <Badge size="xs" variant="outline" color="yellow">
                          decisive in shadow
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {r.document_model}
                    </Text>
                    <Text size="xs">
                      {r.mode} · v{r.policy_version}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{r.principal}</Text>
                    <Text size="xs">{r.operations.join(', ')}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{r.status}</Text>
                    {r.failure && <Text size="xs">{r.failure}</Text>}
                  </Table.Td>
                  <Table.Td>
                    {r.conditions.length === 0 ? (
                      <Text size="xs">none</Text>
                    ) : (
                      <Stack gap={2}>
                        {r.conditions.map((c) => (
                          <Text key={c.condition} size="xs">
                            {c.holds === null ? '·' : c.holds ? '✓' : '✗'} <b>{c.condition}</b>: {c.detail}
                          </Text>
                        ))}
                      </Stack>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
