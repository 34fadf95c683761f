export { ConfigError, type ConfigProblem } from './config-error';
export { loadConfig, redactConfig, sensitive, type Env } from './load-config';
export * from './fields';
export * from './service-config';
