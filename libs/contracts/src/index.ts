export * from './topics';
export * from './event-envelope';
export * from './policy/policy-events';
export * from './decision';
export * from './audit';
