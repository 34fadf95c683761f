import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { SigningKeyService } from '../signing-keys/signing-key.service';

export interface TokenSubject {
  readonly id: string;
  readonly type: 'user' | 'service_account';
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

export interface IssuedToken {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
}

/** Short-lived access tokens signed by identity (`typ: at+jwt`, ES256). */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly signingKeys: SigningKeyService,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  async issue(subject: TokenSubject): Promise<IssuedToken> {
    const ttl = this.config.TOKEN_TTL_SEC;
    const token = await this.signingKeys.sign(
      {
        sub: subject.id,
        aud: this.config.TOKEN_AUDIENCE,
        jti: randomUUID(),
        principal_type: subject.type,
        roles: [...subject.roles],
        groups: [...subject.groups],
        ...(subject.type === 'user' && subject.id.includes('@') ? { email: subject.id } : {}),
      },
      ttl,
    );
    return { access_token: token, token_type: 'Bearer', expires_in: ttl };
  }
}
