import { runService } from '@modelgate/service-kit';
import { gatewayConfigSchema } from './config';
import { gatewayModules } from './gateway.modules';

void runService({ name: 'gateway', schema: gatewayConfigSchema, imports: gatewayModules });
