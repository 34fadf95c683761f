import { runService } from '@modelgate/service-kit';
import { policyConfigSchema } from './config';
import { policyModules } from './policy.modules';

void runService({ name: 'policy', schema: policyConfigSchema, imports: policyModules });
