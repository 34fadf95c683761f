export * from './decision-reasons';
export * from './decision-record';
export * from './proto-path';
