import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionRecordV1 } from '@modelgate/contracts';
import { createLogger } from '@modelgate/telemetry';
import { Metrics } from '../metrics/metrics';
import { DecisionRecorder, type RecordLine, type RecordSink } from './decision-recorder';
import { RecordSpool, SpoolInUseError } from './record-spool';

/** Kafka as a switch: while down, every send rejects (after `delayMs`). */
class FakeSink implements RecordSink {
  up = true;
  delayMs = 0;
  readonly received: RecordLine[] = [];
  /** performance.now() at each send's start. */
  readonly sends: number[] = [];
  async send(records: readonly RecordLine[]): Promise<void> {
    this.sends.push(performance.now());
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (!this.up) throw new Error('broker unreachable');
    this.received.push(...records);
  }
}

let n = 0;
const record = (model = 'm'): DecisionRecordV1 => ({
  schema: 1,
  decision_id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  time: '2026-01-15T10:00:00.000Z',
  request_id: 'r',
  trace_id: null,
  principal: { id: 'u', type: 'user', roles: [], groups: [] },
  model,
  operation: 'infer',
  source_ip: null,
  allow: true,
  reason: 'allowed',
  rule_id: 'x',
  policy_version: 1,
  shadow: null,
  detail: null,
  latency_us: 3,
  replica: 't',
});
const ids = (lines: readonly RecordLine[]) =>
  lines.map((l) => (JSON.parse(l.value) as DecisionRecordV1).decision_id);
const until = async (condition: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('DecisionRecorder', () => {
  let dir: string;
  let sink: FakeSink;
  let metrics: Metrics;
  const logger = createLogger('test', 'silent');
  const make = (maxBytes = 10_000_000, sendTimeoutMs = 200, lingerMs = 1) =>
    new DecisionRecorder(
      sink,
      new RecordSpool(dir),
      { lingerMs, batchSize: 50, sendTimeoutMs, maxBytes, retryMs: 20 },
      metrics,
      logger,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'decision-spool-'));
    sink = new FakeSink();
    metrics = new Metrics();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('batches records to the sink, keyed by model', async () => {
    const recorder = make();
    recorder.start();
    const sent = Array.from({ length: 120 }, (_, i) => record(`m${i % 3}`));
    for (const r of sent) expect(recorder.accept(r)).toBe(true);
    expect(await recorder.drained()).toBe(true);
    expect(ids(sink.received)).toEqual(sent.map((r) => r.decision_id));
    expect(sink.received[1]!.key).toBe('m1');
    expect(metrics.value('modelgate_decision_records_sent_total', { path: 'direct' })).toBe(120);
    await recorder.stop();
  });

  it('lets records that arrive during a send wait out the linger, not follow it one by one', async () => {
    sink.delayMs = 10;
    const recorder = make(10_000_000, 1_000, 60);
    recorder.start();
    recorder.accept(record());
    await until(() => sink.sends.length === 1);
    recorder.accept(record()); // while the first send is in flight
    await until(() => sink.received.length === 1);
    await until(() => sink.sends.length === 2);
    // Sent a linger after the first batch left, not as soon as the first send returned.
    expect(sink.sends[1]! - sink.sends[0]!).toBeGreaterThanOrEqual(50);
    for (let i = 0; i < 3; i++) recorder.accept(record());
    await recorder.stop(); // stopping sends at once
    expect(sink.received).toHaveLength(5);
    expect(sink.sends).toHaveLength(3);
  });

  it('spools while the sink is down and replays everything in order when it is back', async () => {
    const recorder = make();
    recorder.start();
    const sent: DecisionRecordV1[] = [];
    const accept = (count: number) => {
      for (let i = 0; i < count; i++) {
        const r = record();
        sent.push(r);
        expect(recorder.accept(r)).toBe(true);
      }
    };
    accept(30);
    await recorder.drained();
    sink.up = false;
    accept(200);
    await until(() => recorder.currentMode === 'spooling');
    accept(100);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(metrics.value('modelgate_decision_records_spooled_total')).toBeGreaterThan(0);
    sink.up = true;
    expect(await recorder.drained()).toBe(true);
    expect(ids(sink.received)).toEqual(sent.map((r) => r.decision_id));
    expect(readFileSync(join(dir, 'records.jsonl')).length).toBe(0); // emptied once replayed
    await recorder.stop();
  });

  it('spools a batch that takes longer than the send timeout (the late copy is a duplicate, never a loss)', async () => {
    const recorder = make(10_000_000, 30);
    recorder.start();
    sink.delayMs = 100;
    const r = record();
    recorder.accept(r);
    await until(() => recorder.currentMode === 'spooling');
    sink.delayMs = 0;
    expect(await recorder.drained()).toBe(true);
    expect(new Set(ids(sink.received))).toEqual(new Set([r.decision_id]));
    await recorder.stop();
  });

  it('refuses records once memory plus spool would pass the limit', async () => {
    const size = JSON.stringify(record()).length + 3;
    const recorder = make(size * 5);
    recorder.start();
    sink.up = false;
    const accepted = Array.from({ length: 8 }, () => recorder.accept(record()));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(metrics.value('modelgate_decision_records_refused_total')).toBe(3);
    sink.up = true;
    expect(await recorder.drained()).toBe(true);
    expect(recorder.accept(record())).toBe(true);
    await recorder.stop();
  });

  it('replays what an earlier run left in the spool before anything new', async () => {
    const first = make();
    first.start();
    sink.up = false;
    const old = [record(), record()];
    old.forEach((r) => first.accept(r));
    await until(() => metrics.value('modelgate_decision_records_spooled_total') === 2);
    await first.stop();
    // A crash mid-write leaves a torn line; the next run cuts it.
    writeFileSync(join(dir, 'records.jsonl'), '{"torn', { flag: 'a' });
    sink.up = true;
    const second = make();
    second.start();
    const fresh = record();
    second.accept(fresh);
    expect(await second.drained()).toBe(true);
    expect(ids(sink.received)).toEqual([...old, fresh].map((r) => r.decision_id));
    await second.stop();
  });
});

describe('RecordSpool', () => {
  it('belongs to one live process at a time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'decision-spool-'));
    try {
      writeFileSync(join(dir, 'lock'), String(process.ppid));
      expect(() => new RecordSpool(dir).open()).toThrow(SpoolInUseError);
      writeFileSync(join(dir, 'lock'), '999999999'); // a dead owner
      const spool = new RecordSpool(dir);
      spool.open();
      spool.append(['a', 'b']);
      expect(spool.read(10)).toEqual({ lines: ['a', 'b'], end: 4 });
      spool.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
