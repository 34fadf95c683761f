import { runService } from '@modelgate/service-kit';
import { policyConfigSchema } from './config';
import { setupDocs } from './docs/setup-docs';
import { policyModules } from './policy.modules';

void runService({
  name: 'policy',
  schema: policyConfigSchema,
  imports: (config) => policyModules(config),
  configure: setupDocs,
});
