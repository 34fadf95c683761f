/** The load both phases run: W concurrent writers over S models (streams) for D seconds. */
export interface BenchLoad {
  readonly writers: number;
  readonly streams: number;
  readonly seconds: number;
}

/** The policy document every write stores (its model set per stream). */
export const DOCUMENT = {
  model: 'bench',
  mode: 'enforce',
  rules: [
    {
      id: 'researchers',
      effect: 'allow',
      principal: { type: 'role', value: 'researcher' },
      operations: ['infer', 'view'],
      conditions: { ip_range: ['10.0.0.0/8'], rate_limit: '100 req/min' },
    },
    {
      effect: 'allow',
      principal: { type: 'user', value: 'alice@company.com' },
      operations: ['infer', 'train', 'download'],
    },
  ],
};
