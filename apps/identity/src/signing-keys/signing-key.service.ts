import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type KeyObject,
} from 'jose';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { SigningKeyRepository, type SigningKeyRow } from './signing-key.repository';

export const SIGNING_ALG = 'ES256';

/**
 * The keys identity signs its tokens with (ES256). A key is generated on first start and
 * persisted; rotation makes a new key active and keeps the old one in the JWKS until every
 * token it signed has expired (token TTL + clock skew).
 */
@Injectable()
export class SigningKeyService implements OnModuleInit {
  private activeKey?: { kid: string; key: CryptoKey | KeyObject | Uint8Array };
  private readonly rotationListeners: (() => void)[] = [];

  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!(await this.repository.active()))
      await this.repository.activate(await newKey(), this.keepPublishedSec(), true);
    await this.loadActive();
  }

  /** Rotates: a new active key; the previous one stays published. Returns the new kid. */
  async rotate(): Promise<string> {
    const key = await newKey();
    await this.repository.activate(key, this.keepPublishedSec(), false);
    await this.loadActive();
    for (const listener of this.rotationListeners) listener();
    return key.kid;
  }

  /** Called after this replica rotates, so its verifier reloads keys at once. */
  onRotate(listener: () => void): void {
    this.rotationListeners.push(listener);
  }

  async jwks(): Promise<JSONWebKeySet> {
    const keys = await this.repository.published();
    return { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) };
  }

  async sign(payload: JWTPayload, ttlSec: number): Promise<string> {
    // Another replica may have rotated: sign with what the database says is active.
    const active = await this.repository.active();
    if (!active) throw new Error('no active signing key');
    if (active.kid !== this.activeKey?.kid) await this.use(active);
    const { kid, key } = this.activeKey!;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
      .setIssuer(this.config.ISSUER_URL)
      .setIssuedAt()
      .setExpirationTime(`${ttlSec}s`)
      .sign(key);
  }

  private keepPublishedSec(): number {
    return this.config.TOKEN_TTL_SEC + this.config.JWT_CLOCK_SKEW_SEC + 60;
  }

  private async loadActive(): Promise<void> {
    const active = await this.repository.active();
    if (!active) throw new Error('no active signing key');
    await this.use(active);
  }

  private async use(row: SigningKeyRow): Promise<void> {
    this.activeKey = { kid: row.kid, key: await importJWK(row.privateJwk, row.alg) };
  }
}

async function newKey(): Promise<Omit<SigningKeyRow, 'createdAt' | 'retiredAt'>> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    kid: await calculateJwkThumbprint(publicJwk),
    alg: SIGNING_ALG,
    privateJwk: await exportJWK(privateKey),
    publicJwk,
  };
}
