// Integration tests talk to the real infrastructure that `./dev test` (or `./dev up`)
// starts. This check fails fast with one clear message instead of 60 s time-outs.
import { infraEndpoints, probeInfra } from '@modelgate/testing';

export default async function setup(): Promise<void> {
  const missing = await probeInfra(infraEndpoints());
  if (missing.length > 0) {
    throw new Error(
      `integration tests need the dev infrastructure; not reachable: ${missing.join(', ')}. ` +
        'Run them through `./dev test` (it starts and stops everything), or `./dev infra up` first.',
    );
  }
}
