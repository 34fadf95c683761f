export * from './decision-answers';
export * from './decision-reasons';
export * from './decision-record';
