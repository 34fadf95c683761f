// GROUP_ROLE_MAP between starts of identity on one database: announced on the first start,
// silent when unchanged, announced with the changed groups when it changes.
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, uniqueTopicName, type TestDatabase } from '@modelgate/testing';
import { startIdentity, TopicRecorder } from '../testing/identity-test-app';

describe('identity.role_mapping_changed', () => {
  const topic = uniqueTopicName('identity-role-mapping');
  const recorder = new TopicRecorder(topic);
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await recorder.start();
  });
  afterAll(async () => {
    await recorder.stop();
    await db?.drop();
  });

  /** One start and stop, once the relay has sent what the start committed. */
  const start = async (map: Record<string, string[]>) => {
    const identity = await startIdentity(db.url, topic, { GROUP_ROLE_MAP: JSON.stringify(map) });
    const ds = identity.app.get(DataSource);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [row] = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
      );
      if (row!.n === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await identity.app.close();
  };
  const mappingEvents = () => recorder.events.filter((e) => e.type === 'identity.role_mapping_changed');

  it('announces the first mapping, nothing for an unchanged one, and the changed groups after a change', async () => {
    const first = { researchers: ['researcher'], auditors: ['auditor', 'acl-viewer'] };
    await start(first);
    const announced = await recorder.waitFor((e) => e.type === 'identity.role_mapping_changed');
    expect(announced).toMatchObject({
      key: 'role_mapping',
      stream: 'role_mapping:groups',
      sequence: 1,
      data: {
        previous: null,
        current: { auditors: ['acl-viewer', 'auditor'], researchers: ['researcher'] },
        changed_groups: ['auditors', 'researchers'],
      },
    });

    // Same mapping, written in another order: no event.
    await start({ auditors: ['acl-viewer', 'auditor'], researchers: ['researcher'] });
    await start({ researchers: ['researcher', 'reviewer'], partners: ['partner'] });
    const changed = await recorder.waitFor(
      (e) => e.type === 'identity.role_mapping_changed' && e.sequence === 2,
    );
    expect(changed.data).toEqual({
      previous: { auditors: ['acl-viewer', 'auditor'], researchers: ['researcher'] },
      current: { partners: ['partner'], researchers: ['researcher', 'reviewer'] },
      changed_groups: ['auditors', 'partners', 'researchers'],
    });
    expect(mappingEvents().map((e) => e.sequence)).toEqual([1, 2]);
  });
});
