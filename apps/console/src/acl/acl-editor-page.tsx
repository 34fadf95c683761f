// One pattern's ACL: enforced rules, shadow candidate, history, shadow impact.
import { Anchor, Badge, Breadcrumbs, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconEye, IconHistory, IconShield, IconShieldHalf } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import type { AclDocument } from '../api/acl-api';
import { ApiError } from '../api/api-error';
import { useApi } from '../auth/auth-context';
import { formatTime } from '../common/format';
import { ErrorState, LoadingState } from '../common/states';
import { HistoryTimeline } from '../history/history-timeline';
import { StatusBadge } from '../models/models-page';
import { ShadowPanel } from '../shadow/shadow-panel';
import { RulesEditor } from './rules-editor';

const TABS = ['enforce', 'shadow', 'history', 'impact'] as const;
type Tab = (typeof TABS)[number];

export function useAclDocument(pattern: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['acl', 'document', pattern],
    // A pattern without a document is a new one: the editor starts empty at version 0.
    queryFn: async (): Promise<AclDocument | null> => {
      try {
        return await api.acl.get(pattern);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
}

export function AclEditorPage() {
  const pattern = useParams()['pattern'] ?? '';
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'enforce';
  const document = useAclDocument(pattern);
  const current = document.data ?? null;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/models">
          Models & ACLs
        </Anchor>
        <Text>{pattern}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Stack gap={4}>
          <Title order={1} size="h2" ff="monospace">
            {pattern}
          </Title>
          {document.isSuccess && (
            <Group gap="xs">
              <StatusBadge status={current?.enforce ? 'enforced' : current?.shadow ? 'shadow' : 'none'} />
              {current?.enforce && current.shadow && (
                <Badge color="yellow" variant="outline">
                  shadow candidate
                </Badge>
              )}
              <Text size="sm" c="dimmed" data-testid="acl-version">
                {current
                  ? `Version ${current.version} · ${formatTime(current.updated_at)}${current.updated_by ? ` by ${current.updated_by.id}` : ''}`
                  : 'No document yet'}
              </Text>
            </Group>
          )}
        </Stack>
      </Group>
      {document.isPending && <LoadingState label="Loading the ACL…" />}
      {document.isError && (
        <ErrorState
          error={document.error}
          title="Could not load the ACL"
          onRetry={() => void document.refetch()}
        />
      )}
      {document.isSuccess && (
        <Tabs
          value={tab}
          onChange={(value) =>
            setParams(value && value !== 'enforce' ? { tab: value } : {}, { replace: true })
          }
          keepMounted={false}
        >
          <Tabs.List>
            <Tabs.Tab value="enforce" leftSection={<IconShield size={16} aria-hidden />}>
              Enforced rules
            </Tabs.Tab>
            <Tabs.Tab value="shadow" leftSection={<IconShieldHalf size={16} aria-hidden />}>
              Shadow candidate
            </Tabs.Tab>
            <Tabs.Tab value="impact" leftSection={<IconEye size={16} aria-hidden />}>
              Shadow impact
            </Tabs.Tab>
            <Tabs.Tab value="history" leftSection={<IconHistory size={16} aria-hidden />}>
              History
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="enforce" pt="md">
            <RulesEditor
              key={`enforce-${pattern}-${current?.version ?? 0}`}
              pattern={pattern}
              current={current}
              slot="enforce"
            />
          </Tabs.Panel>
          <Tabs.Panel value="shadow" pt="md">
            <RulesEditor
              key={`shadow-${pattern}-${current?.version ?? 0}`}
              pattern={pattern}
              current={current}
              slot="shadow"
            />
          </Tabs.Panel>
          <Tabs.Panel value="impact" pt="md">
            <ShadowPanel pattern={pattern} current={current} />
          </Tabs.Panel>
          <Tabs.Panel value="history" pt="md">
            <HistoryTimeline pattern={pattern} current={current} />
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}
