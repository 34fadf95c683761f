// "May this principal do this operation on this model, from this address, at this time?"
// answered by the decision service's explain, with the trace and the next allowed time.
import { Button, Group, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { OPERATIONS, PRINCIPAL_TYPES } from '@modelgate/acl';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import type { ExplainRequest } from '../api/decisions-api';
import { useApi } from '../auth/auth-context';
import { isoToLocalInput, localInputToIso } from '../common/format';
import { ErrorState } from '../common/states';
import { TraceView } from './trace-view';
import { useNextAllowed } from './use-next-allowed';

export function SimulatorPage() {
  const api = useApi();
  const [params] = useSearchParams();
  const backends = useQuery({ queryKey: ['models', 'backends'], queryFn: () => api.models.backends() });
  const [principalId, setPrincipalId] = useState(params.get('principal') ?? '');
  const [principalType, setPrincipalType] = useState('user');
  const [roles, setRoles] = useState<string[]>([]);
  const [groups, setGroups] = useState<string[]>([]);
  const [model, setModel] = useState(params.get('model') ?? '');
  const [operation, setOperation] = useState('infer');
  const [ip, setIp] = useState('');
  const [time, setTime] = useState('');
  const [asked, setAsked] = useState<ExplainRequest | null>(null);
  const explain = useMutation({
    mutationFn: (request: ExplainRequest) => {
      setAsked(request);
      return api.decisions.explain(request);
    },
  });
  const next = useNextAllowed(asked, explain.data);

  function submit(event: FormEvent) {
    event.preventDefault();
    const iso = localInputToIso(time);
    explain.mutate({
      principal: { id: principalId.trim(), type: principalType, roles, groups },
      model: model.trim(),
      operation,
      context: { ...(ip.trim() ? { ip: ip.trim() } : {}), ...(iso ? { time: iso } : {}) },
    });
  }

  return (
    <Stack>
      <Title order={1} size="h2">
        Access simulator
      </Title>
      <Text c="dimmed">
        Ask the decision service what it would decide, and why. Nothing is recorded as a request and no rate
        limit is spent.
      </Text>
      <form onSubmit={submit} aria-label="Simulated request">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
            <TextInput
              label="Principal id"
              description="A user's mail address, a key or account id"
              placeholder="alice@company.com"
              value={principalId}
              onChange={(e) => setPrincipalId(e.currentTarget.value)}
              required
            />
            <Select
              label="Principal type"
              data={[...PRINCIPAL_TYPES]}
              value={principalType}
              onChange={(v) => setPrincipalType(v ?? 'user')}
              allowDeselect={false}
            />
            <TagsInput
              label="Roles"
              description="Enter to add"
              placeholder="researcher"
              value={roles}
              onChange={setRoles}
            />
            <TagsInput
              label="Groups"
              description="Enter to add"
              placeholder="partners"
              value={groups}
              onChange={setGroups}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
            <Select
              label="Model"
              searchable
              data={backends.data?.map((b) => b.model) ?? []}
              value={model || null}
              onChange={(v) => setModel(v ?? '')}
              placeholder={backends.isError ? 'backends unavailable' : 'pick a model'}
              required
            />
            <Select
              label="Operation"
              data={[...OPERATIONS]}
              value={operation}
              onChange={(v) => setOperation(v ?? 'infer')}
              allowDeselect={false}
            />
            <TextInput
              label="Source IP"
              description="Empty: no address"
              placeholder="10.1.2.3"
              value={ip}
              onChange={(e) => setIp(e.currentTarget.value)}
            />
            <TextInput
              type="datetime-local"
              step={1}
              label="At"
              description="Your local time; empty: now"
              value={time}
              onChange={(e) => setTime(e.currentTarget.value)}
            />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={explain.isPending} disabled={!principalId.trim() || !model.trim()}>
              Explain
            </Button>
            {time && (
              <Text size="xs" c="dimmed">
                Evaluated at {new Date(localInputToIso(time) ?? '').toISOString()} (
                {isoToLocalInput(localInputToIso(time))} local)
              </Text>
            )}
          </Group>
        </Stack>
      </form>
      {explain.isError && (
        <ErrorState error={explain.error} title="The decision service refused the question" />
      )}
      {explain.isSuccess && (
        <TraceView answer={explain.data} next={explain.data.decision.allow ? null : next} />
      )}
    </Stack>
  );
}
