// Every model the backends serve with its ACL status (ACL readers), or the models the
// caller may use (everyone else). Documents whose pattern is a glob are listed too.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { AclDocument } from '../api/acl-api';
import { ApiError } from '../api/api-error';
import { useApi, useUser } from '../auth/auth-context';
import { formatTime } from '../common/format';
import { EmptyState, ErrorState, LoadingState } from '../common/states';
import { modelRows, type AclStatus } from './acl-status';

export const aclHref = (pattern: string): string => `/acl/${encodeURIComponent(pattern)}`;

const STATUS: Record<AclStatus, { label: string; color: string }> = {
  enforced: { label: 'Enforced', color: 'green' },
  shadow: { label: 'Shadow candidate only', color: 'yellow' },
  none: { label: 'No ACL (denied to all)', color: 'gray' },
};

export function StatusBadge({ status }: { status: AclStatus }) {
  return (
    <Badge color={STATUS[status].color} variant="light">
      {STATUS[status].label}
    </Badge>
  );
}

export function ModelsPage() {
  const { can } = useUser();
  return can.readAcl ? <AclModels /> : <MyModels />;
}

function MyModels() {
  const api = useApi();
  const models = useQuery({ queryKey: ['models', 'visible'], queryFn: () => api.models.visible() });
  return (
    <Stack>
      <Title order={1} size="h2">
        My models
      </Title>
      <Text c="dimmed">The models you may use. Ask an ACL administrator for access to others.</Text>
      {models.isPending && <LoadingState label="Loading your models…" />}
      {models.isError && (
        <ErrorState
          error={models.error}
          title="Could not load your models"
          onRetry={() => void models.refetch()}
        />
      )}
      {models.isSuccess && models.data.length === 0 && (
        <EmptyState title="No models yet">No model's ACL lets you view it.</EmptyState>
      )}
      {models.isSuccess && models.data.length > 0 && (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Model</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {models.data.map((m) => (
              <Table.Tr key={m}>
                <Table.Td>{m}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function AclModels() {
  const api = useApi();
  const { can } = useUser();
  const documents = useQuery({ queryKey: ['acl', 'list'], queryFn: () => api.acl.listAll() });
  const backends = useQuery({ queryKey: ['models', 'backends'], queryFn: () => api.models.backends() });
  const [creating, { open, close }] = useDisclosure(false);
  const rows =
    documents.isSuccess && backends.isSuccess
      ? modelRows(
          backends.data.map((b) => ({ model: b.model, engine: b.engine })),
          documents.data,
        )
      : [];
  const served = new Set(backends.data?.map((b) => b.model) ?? []);
  const otherDocuments = (documents.data ?? []).filter((d) => !served.has(d.model));

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Models & ACLs
        </Title>
        {can.editAcl && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={open}>
            New ACL
          </Button>
        )}
      </Group>
      <Text c="dimmed">
        Every model the backends serve, and the access control list that applies to it. Without an ACL, every
        request is denied.
      </Text>
      {(documents.isPending || backends.isPending) && <LoadingState label="Loading models and ACLs…" />}
      {documents.isError && (
        <ErrorState
          error={documents.error}
          title="Could not load the ACLs"
          onRetry={() => void documents.refetch()}
        />
      )}
      {backends.isError && (
        <ErrorState
          error={backends.error}
          title={
            backends.error instanceof ApiError && backends.error.status === 404
              ? 'This gateway does not list its backends'
              : 'Could not load the backends'
          }
          onRetry={() => void backends.refetch()}
        />
      )}
      {documents.isSuccess && backends.isSuccess && rows.length === 0 && (
        <EmptyState title="No models served">The gateway has no backends configured.</EmptyState>
      )}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table striped highlightOnHover aria-label="Models served by the backends">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Model</Table.Th>
                <Table.Th>Engine</Table.Th>
                <Table.Th>ACL status</Table.Th>
                <Table.Th>Documents that apply</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.model} data-testid={`model-row-${row.model}`}>
                  <Table.Td>
                    <Anchor component={Link} to={aclHref(row.model)} fw={600}>
                      {row.model}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{row.engine ?? '—'}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <StatusBadge status={row.status} />
                      {row.hasShadow && row.status === 'enforced' && (
                        <Badge color="yellow" variant="outline">
                          shadow candidate
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {row.patterns.length === 0 ? (
                      <Text size="sm" c="dimmed">
                        none
                      </Text>
                    ) : (
                      <Group gap={4}>
                        {row.patterns.map((p) => (
                          <Anchor key={p} component={Link} to={aclHref(p)} size="sm" ff="monospace">
                            {p}
                          </Anchor>
                        ))}
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {otherDocuments.length > 0 && <PatternDocuments documents={otherDocuments} />}
      <NewAclModal opened={creating} onClose={close} />
    </Stack>
  );
}

function PatternDocuments({ documents }: { documents: AclDocument[] }) {
  return (
    <Stack gap="xs" mt="md">
      <Title order={2} size="h4">
        Other ACL documents
      </Title>
      <Text size="sm" c="dimmed">
        Patterns (globs such as <code>qwen3-*</code>) and models no backend serves right now.
      </Text>
      <Table.ScrollContainer minWidth={480}>
        <Table striped aria-label="Other ACL documents">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Pattern</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Last change</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {documents.map((d) => (
              <Table.Tr key={d.model}>
                <Table.Td>
                  <Anchor component={Link} to={aclHref(d.model)} ff="monospace">
                    {d.model}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={d.enforce ? 'enforced' : d.shadow ? 'shadow' : 'none'} />
                </Table.Td>
                <Table.Td>{d.version}</Table.Td>
                <Table.Td>
                  {formatTime(d.updated_at)} {d.updated_by ? `by ${d.updated_by.id}` : ''}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function NewAclModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const [pattern, setPattern] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!pattern.trim()) return;
    onClose();
    void navigate(aclHref(pattern.trim()));
  }
  return (
    <Modal opened={opened} onClose={onClose} title="New ACL document">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label="Model or pattern"
            description="An exact model name, or a glob such as qwen3-* (applies to every matching model)"
            value={pattern}
            onChange={(e) => setPattern(e.currentTarget.value)}
            data-autofocus
          />
          <Alert color="blue" variant="light">
            The document is created when you save its first rules.
          </Alert>
          <Group justify="flex-end">
            <Button type="submit" disabled={!pattern.trim()}>
              Open editor
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
