// The start-up check of the consumed topics' retention, against the real broker.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '@modelgate/messaging';
import { createLogger } from '@modelgate/telemetry';
import { createTopic, infraEndpoints, uniqueTopicName } from '@modelgate/testing';
import { topicRetentionProblems } from './topic-retention.check';

const DAY_MS = 24 * 3600 * 1000;

describe('topic retention against the trail retention', () => {
  let admin: Admin;
  const short = uniqueTopicName('audit-retention-short');
  const long = uniqueTopicName('audit-retention-long');
  const forever = uniqueTopicName('audit-retention-forever');
  const missing = uniqueTopicName('audit-retention-missing');

  beforeAll(async () => {
    const kafka = createKafka(
      { brokers: infraEndpoints().kafkaBrokers, clientId: 'audit-retention-test' },
      createLogger('audit-retention-test', 'silent'),
    );
    admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, short, 1, { 'retention.ms': String(DAY_MS) });
    await createTopic(admin, long, 1, { 'retention.ms': String(30 * DAY_MS) });
    await createTopic(admin, forever, 1, { 'retention.ms': '-1' });
  });
  afterAll(async () => {
    await admin?.deleteTopics({ topics: [short, long, forever] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('names every topic that keeps records as long as the trail or longer', async () => {
    const problems = await topicRetentionProblems(admin, [short, long, forever], 7);
    expect(problems.map((p) => p.topic)).toEqual([long, forever]);
    expect(problems[0]).toMatchObject({
      retentionMs: 30 * DAY_MS,
      message: expect.stringMatching(/30\.0 days.*AUDIT_RETENTION_DAYS/),
    });
    expect(problems[1]?.message).toMatch(/keeps records forever/);
    // Exactly the trail's retention is not enough: the topic must drop records first.
    expect(await topicRetentionProblems(admin, [short], 1)).toHaveLength(1);
    expect(await topicRetentionProblems(admin, [short, long], 31)).toEqual([]);
  });

  it('has nothing to say when the trail keeps everything, and fails on a topic it cannot read', async () => {
    expect(await topicRetentionProblems(admin, [forever], 0)).toEqual([]);
    await expect(topicRetentionProblems(admin, [missing], 7)).rejects.toThrow();
  });
});
