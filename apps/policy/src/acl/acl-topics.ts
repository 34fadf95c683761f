/** DI token of the topic names the policy service writes (configurable so tests get their own). */
export const POLICY_TOPICS = Symbol('POLICY_TOPICS');

export interface PolicyTopics {
  readonly events: string;
  readonly state: string;
}
