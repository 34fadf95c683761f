import { runService } from '@modelgate/service-kit';
import { identityConfigSchema } from './config';
import { identityModules } from './identity.modules';

void runService({ name: 'identity', schema: identityConfigSchema, imports: identityModules });
