// The "next allowed" search of the simulator: candidates from the stored rules
// (next-allowed.ts), confirmed by the decision service at that time.
import { useQuery } from '@tanstack/react-query';
import type { ExplainRequest } from '../api/decisions-api';
import type { ExplainAnswerV1 } from '@modelgate/contracts';
import { useApi } from '../auth/auth-context';
import { earliestCandidate, rulesWaitingForTime, type TimeConditions } from './next-allowed';

export type NextAllowed =
  | { readonly kind: 'retry_at'; readonly at: string }
  | { readonly kind: 'confirmed'; readonly at: string; readonly ruleId: string | null }
  | { readonly kind: 'none' };

function ruleOf(
  rules: readonly Record<string, unknown>[],
  ruleId: string,
): Record<string, unknown> | undefined {
  const byId = rules.find((r) => r['id'] === ruleId);
  if (byId) return byId;
  const position = /^rules\[(\d+)\]$/.exec(ruleId);
  return position ? rules[Number(position[1])] : undefined;
}

export function useNextAllowed(request: ExplainRequest | null, answer: ExplainAnswerV1 | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['simulator', 'next-allowed', answer?.decision_id ?? null],
    enabled: request !== null && answer !== undefined && !answer.decision.allow,
    queryFn: async (): Promise<NextAllowed> => {
      if (!request || !answer) return { kind: 'none' };
      if (answer.decision.retry_at) return { kind: 'retry_at', at: answer.decision.retry_at };
      const waiting = rulesWaitingForTime(answer.rules);
      if (waiting.length === 0) return { kind: 'none' };
      const documents = new Map<string, readonly Record<string, unknown>[]>();
      for (const model of new Set(waiting.map((r) => r.document_model))) {
        documents.set(model, (await api.acl.get(model)).enforce?.rules ?? []);
      }
      const conditions = waiting.flatMap((r): TimeConditions[] => {
        const rule = ruleOf(documents.get(r.document_model) ?? [], r.rule_id);
        const c = rule?.['conditions'];
        return typeof c === 'object' && c !== null ? [c] : [];
      });
      const from = answer.time ? Date.parse(answer.time) : Date.now();
      const candidate = earliestCandidate(conditions, from);
      if (candidate === null) return { kind: 'none' };
      const at = new Date(candidate).toISOString();
      const check = await api.decisions.explain({ ...request, context: { ...request.context, time: at } });
      return check.decision.allow
        ? { kind: 'confirmed', at, ruleId: check.decision.rule_id }
        : { kind: 'none' };
    },
  });
}
