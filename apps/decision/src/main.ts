import { runService } from '@modelgate/service-kit';
import { decisionConfigSchema } from './config';
import { decisionModules } from './decision.modules';

void runService({
  name: 'decision',
  schema: decisionConfigSchema,
  imports: (config) => decisionModules(config),
});
