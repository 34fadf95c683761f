/** DI token of the service's pino logger (the same instance Fastify logs requests with). */
export const LOGGER = Symbol('LOGGER');
/** DI token of the service's validated configuration object. */
export const CONFIG = Symbol('CONFIG');
