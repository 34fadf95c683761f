import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AclModule } from '../acl/acl.module';

export function openApiConfig(): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setTitle('Modelgate policy service')
    .setDescription(
      'ACL documents per model pattern: event-sourced, versioned (ETag = version), with history, rollback and shadow/promote. ' +
        'Writes need the acl-admin role, reads acl-viewer or acl-admin. Errors are {"error":{"message","type","code"}}.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
}

/**
 * Serves the OpenAPI document generated from the ACL API's controllers (not health or
 * metrics): the UI at `/docs`, JSON at `/docs/json`.
 */
export function setupDocs(app: NestFastifyApplication): void {
  SwaggerModule.setup(
    'docs',
    app,
    () => SwaggerModule.createDocument(app, openApiConfig(), { include: [AclModule] }),
    {
      jsonDocumentUrl: 'docs/json',
      yamlDocumentUrl: 'docs/yaml',
    },
  );
}
