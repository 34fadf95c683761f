import { runService } from '@modelgate/service-kit';
import { gatewayConfigSchema } from './config';
import { registerGatewayRoutes } from './gateway-routes';
import { gatewayModules } from './gateway.modules';

void runService({
  name: 'gateway',
  schema: gatewayConfigSchema,
  imports: gatewayModules,
  configure: registerGatewayRoutes,
});
