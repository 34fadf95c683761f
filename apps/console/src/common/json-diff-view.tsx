import { Badge, Box, Code, Group, ScrollArea, Text } from '@mantine/core';
import { countChanges, jsonDiff } from './json-diff';

/** Added lines green with "+", removed red with "−": colour is never the only signal. */
export function JsonDiffView({ before, after, label }: { before: unknown; after: unknown; label: string }) {
  const lines = jsonDiff(before, after);
  const { added, removed } = countChanges(lines);
  return (
    <Box>
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={600}>
          {label}
        </Text>
        <Badge color="green" variant="light">
          +{added}
        </Badge>
        <Badge color="red" variant="light">
          −{removed}
        </Badge>
      </Group>
      {added === 0 && removed === 0 ? (
        <Text size="sm" c="dimmed">
          No change.
        </Text>
      ) : (
        // A focusable region: keyboard users can scroll a long diff.
        <ScrollArea.Autosize
          mah={420}
          type="auto"
          viewportProps={{ tabIndex: 0, role: 'region', 'aria-label': label }}
        >
          <Code
            block
            data-testid="json-diff"
            style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', overflow: 'visible' }}
          >
            {lines.map((line, i) => (
              <Box
                key={i}
                component="span"
                display="block"
                bg={
                  line.kind === 'added'
                    ? 'var(--mantine-color-green-light)'
                    : line.kind === 'removed'
                      ? 'var(--mantine-color-red-light)'
                      : undefined
                }
              >
                {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '− ' : '  '}
                {line.text}
              </Box>
            ))}
          </Code>
        </ScrollArea.Autosize>
      )}
    </Box>
  );
}
