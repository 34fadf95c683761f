import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { SIGNING_ALG, SigningKeyService } from '../signing-keys/signing-key.service';

/** Discovery for the tokens identity issues, so any service can verify them as it verifies OIDC tokens. */
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly signingKeys: SigningKeyService,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  @Get('openid-configuration')
  @Header('cache-control', 'public, max-age=300')
  configuration(): Record<string, unknown> {
    const base = this.config.ISSUER_URL.replace(/\/$/, '');
    return {
      issuer: this.config.ISSUER_URL,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint: `${base}/v1/auth/token`,
      grant_types_supported: ['password', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [SIGNING_ALG],
      claims_supported: ['sub', 'email', 'roles', 'groups', 'principal_type'],
    };
  }

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=60')
  jwks(): Promise<JSONWebKeySet> {
    return this.signingKeys.jwks();
  }
}
