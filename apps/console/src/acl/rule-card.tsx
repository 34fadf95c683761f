// One rule in the form: principal, operations, conditions, effect. Server issues are shown
// at the field they name; read-only users see the same form disabled.
import {
  ActionIcon,
  Alert,
  Badge,
  Checkbox,
  Fieldset,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Tooltip,
} from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { WEEKDAYS } from '@modelgate/acl';
import { useMemo } from 'react';
import { isoToLocalInput, localInputToIso } from '../common/format';
import { fieldMessages, type IssuesByField } from './field-issues';
import { listItemLine, PRINCIPAL_TYPES, RULE_OPERATIONS, type RuleDraft } from './rule-draft';
import { timeZones } from './time-zones';

const PRINCIPAL_HINT: Record<string, string> = {
  user: 'alice@company.com',
  role: 'researcher',
  group: 'partners',
  api_key: 'key id',
  service_account: 'ci-deployer',
  any: '',
};

interface RuleCardProps {
  readonly draft: RuleDraft;
  readonly index: number;
  readonly issues: IssuesByField;
  readonly readOnly: boolean;
  readonly onChange: (next: RuleDraft) => void;
  readonly onRemove: () => void;
}

export function RuleCard({ draft, index, issues, readOnly, onChange, onRemove }: RuleCardProps) {
  const zones = useMemo(() => timeZones(), []);
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const error = (field: Parameters<typeof fieldMessages>[2]) => fieldMessages(issues, index, field);
  const ipError = fieldMessages(issues, index, 'ipRanges', (item) => {
    const line = listItemLine(draft.ipRanges, item);
    return line === null ? `item ${item + 1}` : `line ${line}`;
  });
  const ruleError = error('rule');
  const conditionsError = error('conditions');
  const title = draft.id.trim() || `Rule ${index + 1}`;
  return (
    <Paper withBorder p="md" radius="md" data-testid={`rule-${index}`} aria-label={title} component="section">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Text fw={700}>{title}</Text>
            <Badge color={draft.effect === 'deny' ? 'red' : 'green'} variant="light">
              {draft.effect}
            </Badge>
          </Group>
          {!readOnly && (
            <Tooltip label={`Remove ${title}`}>
              <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={`Remove ${title}`}>
                <IconTrash size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
        {ruleError && (
          <Alert color="red" variant="light" role="alert">
            {ruleError}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label="Rule id"
            description="Optional; names the rule in decisions and audit"
            value={draft.id}
            onChange={(e) => set('id', e.currentTarget.value)}
            error={error('id')}
            disabled={readOnly}
          />
          <Select
            label="Principal type"
            data={PRINCIPAL_TYPES.map((t) => ({ value: t, label: t }))}
            value={draft.principalType}
            onChange={(value) => set('principalType', value ?? 'role')}
            allowDeselect={false}
            error={error('principalType')}
            disabled={readOnly}
          />
          <TextInput
            label="Principal"
            description={
              draft.principalType === 'user'
                ? 'The mail address'
                : draft.principalType === 'any'
                  ? 'Any authenticated caller'
                  : undefined
            }
            placeholder={PRINCIPAL_HINT[draft.principalType] ?? ''}
            value={draft.principalType === 'any' ? '' : draft.principalValue}
            onChange={(e) => set('principalValue', e.currentTarget.value)}
            error={error('principalValue')}
            disabled={readOnly || draft.principalType === 'any'}
          />
        </SimpleGrid>
        <Group align="flex-start" gap="xl">
          <Checkbox.Group
            label="Operations"
            value={[...draft.operations]}
            onChange={(value) => set('operations', value)}
            error={error('operations')}
          >
            <Group mt={6}>
              {RULE_OPERATIONS.map((op) => (
                <Checkbox key={op} value={op} label={op} disabled={readOnly} />
              ))}
            </Group>
          </Checkbox.Group>
          <Stack gap={4}>
            <Text size="sm" fw={500} id={`effect-${draft.key}`}>
              Effect
            </Text>
            <SegmentedControl
              aria-labelledby={`effect-${draft.key}`}
              value={draft.effect}
              onChange={(value) => set('effect', value === 'deny' ? 'deny' : 'allow')}
              data={[
                { value: 'allow', label: 'Allow' },
                { value: 'deny', label: 'Deny' },
              ]}
              color={draft.effect === 'deny' ? 'red' : 'green'}
              disabled={readOnly}
            />
            {error('effect') && (
              <Text size="xs" c="red">
                {error('effect')}
              </Text>
            )}
          </Stack>
        </Group>
        <Fieldset legend="Conditions (all must hold)" variant="filled">
          <Stack gap="sm">
            {conditionsError && (
              <Alert color="red" variant="light" role="alert">
                {conditionsError}
              </Alert>
            )}
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Textarea
                label="Source IP ranges"
                description="One CIDR per line, e.g. 10.0.0.0/8; empty = from anywhere"
                autosize
                minRows={2}
                value={draft.ipRanges}
                onChange={(e) => set('ipRanges', e.currentTarget.value)}
                error={ipError}
                disabled={readOnly}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              />
              <TextInput
                label="Rate limit"
                description="e.g. 100 req/min (per principal); empty = none"
                value={draft.rateLimit}
                onChange={(e) => set('rateLimit', e.currentTarget.value)}
                error={error('rateLimit')}
                disabled={readOnly}
              />
              <TextInput
                type="datetime-local"
                step={1}
                label="Valid from"
                description="Your local time; stored in UTC"
                value={isoToLocalInput(draft.validFrom)}
                onChange={(e) => set('validFrom', localInputToIso(e.currentTarget.value) ?? '')}
                error={error('validFrom')}
                disabled={readOnly}
              />
              <TextInput
                type="datetime-local"
                step={1}
                label="Valid until"
                description="Your local time; stored in UTC"
                value={isoToLocalInput(draft.validUntil)}
                onChange={(e) => set('validUntil', localInputToIso(e.currentTarget.value) ?? '')}
                error={error('validUntil')}
                disabled={readOnly}
              />
            </SimpleGrid>
            <Switch
              label="Only during a weekly time window"
              checked={draft.windowEnabled}
              onChange={(e) => set('windowEnabled', e.currentTarget.checked)}
              disabled={readOnly}
            />
            {draft.windowEnabled && (
              <Stack gap="xs">
                <Checkbox.Group label="Days" value={[...draft.days]} onChange={(value) => set('days', value)}>
                  <Group mt={6} gap="sm">
                    {WEEKDAYS.map((day) => (
                      <Checkbox key={day} value={day} label={day} disabled={readOnly} />
                    ))}
                  </Group>
                </Checkbox.Group>
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <TextInput
                    type="time"
                    label="From"
                    value={draft.start}
                    onChange={(e) => set('start', e.currentTarget.value)}
                    disabled={readOnly}
                  />
                  <TextInput
                    type="time"
                    label="Until"
                    value={draft.end}
                    onChange={(e) => set('end', e.currentTarget.value)}
                    disabled={readOnly}
                  />
                  <Select
                    label="Time zone"
                    searchable
                    data={zones.includes(draft.tz) || !draft.tz ? zones : [draft.tz, ...zones]}
                    value={draft.tz}
                    onChange={(value) => set('tz', value ?? 'UTC')}
                    allowDeselect={false}
                    disabled={readOnly}
                    limit={50}
                  />
                </SimpleGrid>
                {error('timeWindow') && (
                  <Text size="sm" c="red" role="alert">
                    {error('timeWindow')}
                  </Text>
                )}
              </Stack>
            )}
          </Stack>
        </Fieldset>
      </Stack>
    </Paper>
  );
}
