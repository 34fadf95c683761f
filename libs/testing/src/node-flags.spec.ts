import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNodeFlags } from './node-flags';

describe('readNodeFlags', () => {
  it('takes one flag a line, skipping comments, blank lines and surrounding spaces', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'node-flags-')), 'node-flags');
    writeFileSync(
      file,
      '# why\n--max-semi-space-size=8\n\n  --no-parallel-scavenge  \n   # indented comment\n',
    );
    expect(readNodeFlags(file)).toEqual(['--max-semi-space-size=8', '--no-parallel-scavenge']);
  });

  it('gives none for an app without the file', () => {
    expect(readNodeFlags(join(tmpdir(), 'no-such-dir', 'node-flags'))).toEqual([]);
  });

  it('reads the flags the stack runs the gateway with', () => {
    const flags = readNodeFlags(resolve(__dirname, '../../../apps/gateway/node-flags'));
    expect(flags).toContain('--no-parallel-scavenge');
    expect(flags.every((flag) => flag.startsWith('--'))).toBe(true);
  });
});
