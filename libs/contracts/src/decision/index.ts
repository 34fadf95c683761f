export * from './decision-reasons';
export * from './decision-record';
