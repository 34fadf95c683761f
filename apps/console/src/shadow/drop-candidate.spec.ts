import { describe, expect, it } from 'vitest';
import type { HistoryEntry, SlotDiff } from '../api/acl-api';
import { planDrop } from './drop-candidate';

const slot = (change: SlotDiff['change']): SlotDiff => ({ change, added: [], removed: [], changed: [] });
function entry(version: number, diff: HistoryEntry['diff']): HistoryEntry {
  return {
    version,
    event_id: `e${version}`,
    type: 'acl.rules_replaced',
    occurred_at: '',
    actor: null,
    user_agent: null,
    request_id: null,
    rolled_back_to: null,
    diff,
  };
}

describe('planDrop', () => {
  it('rolls back to the version before the candidate when the enforced rules did not change since', () => {
    const history = [
      entry(5, { shadow: slot('changed') }),
      entry(4, { shadow: slot('created') }),
      entry(3, { enforce: slot('changed') }),
    ];
    expect(planDrop(history, true)).toEqual({ kind: 'rollback', toVersion: 3 });
  });
  it('refuses when the enforced rules changed after the candidate (a rollback would undo them)', () => {
    const history = [
      entry(5, { enforce: slot('changed') }),
      entry(4, { shadow: slot('created') }),
      entry(3, { enforce: slot('created') }),
    ];
    expect(planDrop(history, true).kind).toBe('impossible');
  });
  it('deletes a document that only ever held the candidate', () => {
    expect(planDrop([entry(1, { shadow: slot('created') })], false)).toEqual({ kind: 'delete' });
  });
  it('takes the newest creation when a candidate was dropped and created again', () => {
    const history = [
      entry(7, { shadow: slot('created') }),
      entry(6, { shadow: slot('deleted') }),
      entry(5, { shadow: slot('created') }),
      entry(4, { enforce: slot('created') }),
    ];
    expect(planDrop(history, true)).toEqual({ kind: 'rollback', toVersion: 6 });
  });
  it('refuses without a creation in the history', () => {
    expect(planDrop([], true).kind).toBe('impossible');
  });
});
