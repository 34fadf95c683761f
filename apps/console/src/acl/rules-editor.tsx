// Edits one slot (enforced rules or the shadow candidate) of a pattern's ACL: the rule form
// or raw JSON, server-side validation shown at the fields, a diff before saving, and a
// conflict screen when someone else saved first (412 on If-Match).
import { Alert, Button, Group, List, Modal, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDeviceFloppy, IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { AclDocument, PolicyDocument, PolicyMode } from '../api/acl-api';
import { ApiError, describeError, type ValidationIssue } from '../api/api-error';
import { useApi, useUser } from '../auth/auth-context';
import { formatTime, prettyJsonOrEmpty } from '../common/format';
import { JsonDiffView } from '../common/json-diff-view';
import { EmptyState } from '../common/states';
import { placeIssues } from './field-issues';
import { RuleCard } from './rule-card';
import { documentToDrafts, draftsToDocument, emptyRule, type RuleDraft } from './rule-draft';

type View = 'form' | 'json';

interface Review {
  readonly document: PolicyDocument;
}

interface Conflict {
  readonly theirs: AclDocument;
  readonly mine: PolicyDocument;
}

export function RulesEditor({
  pattern,
  current,
  slot,
}: {
  pattern: string;
  current: AclDocument | null;
  slot: PolicyMode;
}) {
  const api = useApi();
  const { can } = useUser();
  const queryClient = useQueryClient();
  const stored = current?.[slot] ?? null;
  const baseVersion = current?.version ?? 0;
  const readOnly = !can.editAcl;

  const [drafts, setDrafts] = useState<RuleDraft[]>(() => documentToDrafts(stored));
  const [view, setView] = useState<View>('form');
  const [raw, setRaw] = useState('');
  const [rawError, setRawError] = useState<string | null>(null);
  const [issues, setIssues] = useState<readonly ValidationIssue[]>([]);
  const [review, setReview] = useState<Review | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [busy, setBusy] = useState(false);
  // The version the drafts were started from: the If-Match of the save. The editor is keyed
  // by it (acl-editor-page.tsx): a new stored version (own save, rollback, promote, "load
  // theirs") starts a fresh editor. The document query is not polled, so someone else's save
  // reaches an open editor only through the 412 conflict screen, never behind the user's back.
  const editedVersion = baseVersion;
  const edit = setDrafts;

  const placed = useMemo(() => placeIssues(issues), [issues]);
  const draftDocument = (): PolicyDocument => draftsToDocument(pattern, slot, drafts);

  function switchView(next: View) {
    if (next === view) return;
    if (next === 'json') {
      setRaw(prettyJsonOrEmpty(draftDocument()));
      setRawError(null);
      setView('json');
      return;
    }
    const parsed = parseRaw();
    if (parsed === null) return;
    edit(documentToDrafts(parsed));
    setView('form');
  }

  function parseRaw(): PolicyDocument | null {
    try {
      const value = JSON.parse(raw) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        setRawError('The document must be a JSON object with model, mode and rules.');
        return null;
      }
      setRawError(null);
      return value as PolicyDocument;
    } catch (e) {
      setRawError(`Not valid JSON: ${describeError(e)}`);
      return null;
    }
  }

  async function startSave() {
    const document = view === 'json' ? parseRaw() : draftDocument();
    if (document === null) return;
    setBusy(true);
    try {
      const result = await api.acl.validate(document);
      if (!result.valid) {
        setIssues(result.issues);
        notifications.show({
          color: 'red',
          title: 'Not saved',
          message: `${result.issues.length} problem(s) to fix, shown at the fields.`,
        });
        return;
      }
      setIssues([]);
      setReview({ document: result.document });
    } catch (e) {
      notifications.show({ color: 'red', title: 'Could not validate', message: describeError(e) });
    } finally {
      setBusy(false);
    }
  }

  async function save(document: PolicyDocument, version: number) {
    setBusy(true);
    try {
      const written = await api.acl.put(pattern, document, version === 0 ? null : version);
      setReview(null);
      setConflict(null);
      queryClient.setQueryData(['acl', 'document', pattern], written);
      await queryClient.invalidateQueries({ queryKey: ['acl'] });
      notifications.show({
        color: 'green',
        title: written.changed ? `Saved version ${written.version}` : 'Nothing changed',
        message: written.changed
          ? `${slot === 'shadow' ? 'Shadow candidate' : 'Enforced rules'} of ${pattern} updated.`
          : 'The stored document already says this.',
      });
    } catch (e) {
      if (e instanceof ApiError && e.isConflict) {
        const theirs = await api.acl.get(pattern).catch(() => null);
        setReview(null);
        if (theirs) setConflict({ theirs, mine: document });
        else notifications.show({ color: 'red', title: 'Conflict', message: describeError(e) });
      } else if (e instanceof ApiError && e.issues.length > 0) {
        setReview(null);
        setIssues(e.issues);
      } else {
        notifications.show({ color: 'red', title: 'Not saved', message: describeError(e) });
      }
    } finally {
      setBusy(false);
    }
  }

  function discardMine(theirs: AclDocument) {
    setConflict(null);
    queryClient.setQueryData(['acl', 'document', pattern], theirs);
    void queryClient.invalidateQueries({ queryKey: ['acl'] });
  }

  const documentIssues = placed.document;
  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label="Editor view"
          value={view}
          onChange={(v) => switchView(v === 'json' ? 'json' : 'form')}
          data={[
            { value: 'form', label: 'Form' },
            { value: 'json', label: 'Raw JSON' },
          ]}
        />
        {!readOnly && (
          <Group>
            {view === 'form' && (
              <Button
                variant="default"
                leftSection={<IconPlus size={16} aria-hidden />}
                onClick={() => edit([...drafts, emptyRule()])}
              >
                Add rule
              </Button>
            )}
            <Button
              leftSection={<IconDeviceFloppy size={16} aria-hidden />}
              onClick={() => void startSave()}
              loading={busy && review === null}
            >
              Review and save
            </Button>
          </Group>
        )}
      </Group>
      {readOnly && (
        <Alert color="gray" variant="light">
          Read-only: your roles let you see this ACL, not change it.
        </Alert>
      )}
      {documentIssues.length > 0 && (
        <Alert color="red" title="The server refused the document" role="alert">
          <List size="sm">
            {documentIssues.map((i) => (
              <List.Item key={`${i.path}:${i.message}`}>
                <code>{i.path}</code>: {i.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {view === 'form' ? (
        drafts.length === 0 ? (
          <Stack align="center" gap={0}>
            <EmptyState title={slot === 'shadow' ? 'No shadow candidate' : 'No enforced rules'}>
              {slot === 'shadow'
                ? 'A candidate is evaluated beside the enforced rules and changes nothing until promoted.'
                : 'Without rules every request is denied.'}
            </EmptyState>
            {slot === 'shadow' && !readOnly && current?.enforce && (
              <Button variant="light" onClick={() => edit(documentToDrafts(current.enforce))}>
                Start from the enforced rules
              </Button>
            )}
          </Stack>
        ) : (
          drafts.map((draft, index) => (
            <RuleCard
              key={draft.key}
              draft={draft}
              index={index}
              issues={placed}
              readOnly={readOnly}
              onChange={(next) => edit(drafts.map((d, i) => (i === index ? next : d)))}
              onRemove={() => edit(drafts.filter((_, i) => i !== index))}
            />
          ))
        )
      ) : (
        <Textarea
          label="Document (JSON)"
          description="The document as the policy API stores it; saved through the same validation"
          autosize
          minRows={12}
          maxRows={40}
          value={raw}
          onChange={(e) => setRaw(e.currentTarget.value)}
          readOnly={readOnly}
          spellCheck={false}
          error={
            rawError ?? (issues.length > 0 ? issues.map((i) => `${i.path}: ${i.message}`).join('\n') : null)
          }
          styles={{
            input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 },
            error: { whiteSpace: 'pre-line' },
          }}
        />
      )}
      <Modal opened={review !== null} onClose={() => setReview(null)} title="Review changes" size="xl">
        {review && (
          <Stack>
            <Text size="sm">
              {slot === 'shadow' ? 'Shadow candidate' : 'Enforced rules'} of <b>{pattern}</b>, based on
              version {editedVersion}.
            </Text>
            <JsonDiffView before={stored} after={review.document} label="Changes to the stored document" />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setReview(null)}>
                Keep editing
              </Button>
              <Button onClick={() => void save(review.document, editedVersion)} loading={busy}>
                Save version {editedVersion + 1}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <Modal
        opened={conflict !== null}
        onClose={() => setConflict(null)}
        title="Someone else saved first"
        size="xl"
      >
        {conflict && (
          <Stack data-testid="conflict-screen">
            <Alert
              color="orange"
              title={`Version ${conflict.theirs.version} was saved while you edited version ${editedVersion}`}
              role="alert"
            >
              {conflict.theirs.updated_by ? `By ${conflict.theirs.updated_by.id}` : 'By another change'}
              {conflict.theirs.updated_by?.ip ? ` from ${conflict.theirs.updated_by.ip}` : ''},{' '}
              {formatTime(conflict.theirs.updated_at)}. Nothing of yours was saved.
            </Alert>
            <JsonDiffView
              before={conflict.theirs[slot]}
              after={conflict.mine}
              label="Your changes compared with what is stored now"
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => discardMine(conflict.theirs)}>
                Discard mine, load theirs
              </Button>
              <Button
                color="orange"
                onClick={() => void save(conflict.mine, conflict.theirs.version)}
                loading={busy}
              >
                Save mine over version {conflict.theirs.version}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
