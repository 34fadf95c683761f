// A generated policy set: `models` models with `rulesPerModel` rules each, every rule
// granting one role infer/view on its model (rule 0 also with an IP range and a far rate
// limit, so the evaluator does the work real policies ask of it). Checks cycle through the
// models with a principal that holds the model's last role: a hit on the last rule probed.
export interface GeneratedPolicy {
  readonly models: string[];
  readonly documents: { model: string; mode: 'enforce'; rules: Record<string, unknown>[] }[];
  readonly ruleCount: number;
}

export function generatePolicy(models: number, rulesPerModel: number): GeneratedPolicy {
  const names = Array.from({ length: models }, (_, i) => `model-${i}`);
  const documents = names.map((model) => ({
    model,
    mode: 'enforce' as const,
    rules: Array.from({ length: rulesPerModel }, (_, r) => ({
      id: `r${r}`,
      effect: 'allow',
      principal: { type: 'role', value: `${model}-role-${r}` },
      operations: ['infer', 'view'],
      ...(r === 0 ? { conditions: { ip_range: ['10.0.0.0/8'] } } : {}),
    })),
  }));
  return { models: names, documents, ruleCount: models * rulesPerModel };
}

export function checkRequest(
  policy: GeneratedPolicy,
  i: number,
  rulesPerModel: number,
): Record<string, unknown> {
  const model = policy.models[i % policy.models.length]!;
  return {
    principal: {
      id: `user-${i % 1000}@company.com`,
      type: 'user',
      roles: [`${model}-role-${rulesPerModel - 1}`, 'staff'],
      groups: ['everyone'],
    },
    model,
    operation: 'infer',
    context: { ip: '10.1.2.3' },
  };
}
