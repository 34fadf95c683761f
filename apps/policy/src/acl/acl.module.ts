import { type DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PostgresEventStore } from '@modelgate/event-store';
import { AclAccessGuard } from '../auth/acl-access.guard';
import {
  ACL_ROLES,
  PRINCIPAL_AUTHENTICATOR,
  type PrincipalAuthenticator,
} from '../auth/principal-authenticator.port';
import { bearerAuthenticator } from '@modelgate/auth';
import type { PolicyConfig } from '../config';
import { AclController } from './acl.controller';
import { AclStreamRepository } from './acl-stream.repository';
import { POLICY_TOPICS } from './acl-topics';
import { AclReadModelRepository } from './read-model/acl-read-model.repository';
import { AddRuleHandler } from './use-cases/add-rule/add-rule.handler';
import { ChangeModeHandler } from './use-cases/change-mode/change-mode.handler';
import { DeleteDocumentHandler } from './use-cases/delete-document/delete-document.handler';
import { GetDocumentHandler } from './use-cases/get-document/get-document.handler';
import { GetHistoryHandler } from './use-cases/get-history/get-history.handler';
import { ListDocumentsHandler } from './use-cases/list-documents/list-documents.handler';
import { PromoteShadowHandler } from './use-cases/promote-shadow/promote-shadow.handler';
import { DiscardShadowHandler } from './use-cases/discard-shadow/discard-shadow.handler';
import { RebuildReadModelHandler } from './use-cases/rebuild-read-model/rebuild-read-model.handler';
import { RemoveRuleHandler } from './use-cases/remove-rule/remove-rule.handler';
import { ReplaceRulesHandler } from './use-cases/replace-rules/replace-rules.handler';
import { RollbackDocumentHandler } from './use-cases/rollback-document/rollback-document.handler';

const HANDLERS = [
  ReplaceRulesHandler,
  AddRuleHandler,
  RemoveRuleHandler,
  ChangeModeHandler,
  PromoteShadowHandler,
  DiscardShadowHandler,
  RollbackDocumentHandler,
  DeleteDocumentHandler,
  GetDocumentHandler,
  ListDocumentsHandler,
  GetHistoryHandler,
  RebuildReadModelHandler,
];

export interface AclModuleOptions {
  /** Replaces the JWT authenticator (tests of other concerns). */
  readonly authenticator?: PrincipalAuthenticator;
}

/** ACL documents: the event-sourced store, its read model and the admin API. */
@Module({})
export class AclModule {
  static forRoot(config: PolicyConfig, options: AclModuleOptions = {}): DynamicModule {
    return {
      module: AclModule,
      controllers: [AclController],
      providers: [
        {
          provide: PostgresEventStore,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new PostgresEventStore(ds),
        },
        {
          provide: POLICY_TOPICS,
          useValue: { events: config.POLICY_EVENTS_TOPIC, state: config.POLICY_STATE_TOPIC },
        },
        { provide: ACL_ROLES, useValue: { admin: config.ACL_ADMIN_ROLES, viewer: config.ACL_VIEWER_ROLES } },
        {
          provide: PRINCIPAL_AUTHENTICATOR,
          useFactory: () =>
            options.authenticator ??
            bearerAuthenticator({
              identityIssuer: config.IDENTITY_ISSUER,
              identityAudience: config.IDENTITY_AUDIENCE,
              oidcIssuers: config.OIDC_ISSUERS,
              oidcAudience: config.OIDC_AUDIENCE,
            }),
        },
        AclAccessGuard,
        AclReadModelRepository,
        AclStreamRepository,
        ...HANDLERS,
      ],
      exports: [RebuildReadModelHandler, AclReadModelRepository, PostgresEventStore],
    };
  }
}
