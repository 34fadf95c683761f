import { runService } from '@modelgate/service-kit';
import { auditConfigSchema } from './config';
import { auditModules } from './audit.modules';

void runService({ name: 'audit', schema: auditConfigSchema, imports: (config) => auditModules(config) });
