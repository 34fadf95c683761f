export * from './topics';
export * from './event-envelope';
