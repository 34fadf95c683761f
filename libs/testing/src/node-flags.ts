import { existsSync, readFileSync } from 'node:fs';

/**
 * The V8 flags of an app's `node-flags` file (apps/<name>/node-flags: one per line, # for
 * comments), as `./dev` passes them to node; none when the file does not exist. For the
 * benchmarks and tests that start a service themselves, so that it runs as it does in the stack.
 */
export function readNodeFlags(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
