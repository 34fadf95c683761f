import { describe, expect, it } from 'vitest';
import type { AclDocument } from '../api/acl-api';
import { modelRows, patternMatches } from './acl-status';

const doc = (model: string, enforce: boolean, shadow: boolean): AclDocument => ({
  model,
  version: 1,
  enforce: enforce ? { model, mode: 'enforce', rules: [] } : null,
  shadow: shadow ? { model, mode: 'shadow', rules: [] } : null,
  updated_at: null,
  updated_by: null,
});

describe('ACL status of served models', () => {
  it('matches exact names and globs as the policy language does', () => {
    expect(patternMatches('qwen3-*', 'qwen3-7b-chat')).toBe(true);
    expect(patternMatches('qwen3-*', 'internlm3-finance')).toBe(false);
    expect(patternMatches('*', 'anything')).toBe(true);
    expect(patternMatches('qwen3-7b-chat', 'qwen3-7b-chat-v2')).toBe(false);
  });
  it('is enforced when any applying document is, shadow when only candidates apply, none otherwise', () => {
    const rows = modelRows(
      [
        { model: 'qwen3-7b-chat', engine: 'vllm' },
        { model: 'qwen3-medical', engine: 'sglang' },
        { model: 'internlm3-finance', engine: 'lmdeploy' },
      ],
      [doc('qwen3-*', false, true), doc('qwen3-7b-chat', true, false)],
    );
    expect(rows.map((r) => [r.model, r.status, r.hasShadow, r.patterns])).toEqual([
      ['qwen3-7b-chat', 'enforced', true, ['qwen3-7b-chat', 'qwen3-*']],
      ['qwen3-medical', 'shadow', true, ['qwen3-*']],
      ['internlm3-finance', 'none', false, []],
    ]);
  });
});
