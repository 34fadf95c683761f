import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { AuthenticationError } from '../principal/authentication.error';
import { ASYMMETRIC_ALGORITHMS, isAllowedAlgorithm } from './algorithms';
import type { KeyResolver } from './jwks-cache';

/** One issuer whose tokens we accept. */
export interface TrustedIssuer {
  /** Exact `iss` value. */
  readonly issuer: string;
  /** Accepted `aud` values (any one of them). */
  readonly audience: readonly string[];
  readonly keys: KeyResolver;
  /** Defaults to the verifier's allow-list. */
  readonly algorithms?: readonly string[];
  /** Required `typ` header (case-insensitive), e.g. `at+jwt` for identity's own tokens. */
  readonly typ?: string;
}

export interface JwtVerifierOptions {
  readonly algorithms?: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. */
  readonly clockToleranceSec?: number;
  /** Longest accepted `exp - iat` (or `exp - now` without `iat`), in seconds. */
  readonly maxLifetimeSec?: number;
  /** Longer strings are refused before any parsing. */
  readonly maxTokenBytes?: number;
  readonly now?: () => Date;
}

export interface VerifiedToken {
  readonly issuer: string;
  readonly header: ProtectedHeaderParameters;
  readonly payload: JWTPayload;
}

/** Three non-empty base64url segments: rejects `alg:none` tokens (empty signature), JWE, and stray dots. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies bearer JWTs from a fixed set of issuers. Every failure is an
 * {@link AuthenticationError} whose reason is for the log only.
 */
export class JwtVerifier {
  private readonly issuers = new Map<string, TrustedIssuer>();
  private readonly algorithms: readonly string[];
  private readonly clockTolerance: number;
  private readonly maxLifetime: number;
  private readonly maxTokenBytes: number;
  private readonly now: () => Date;

  constructor(issuers: readonly TrustedIssuer[], options: JwtVerifierOptions = {}) {
    for (const i of issuers) this.issuers.set(i.issuer, i);
    this.algorithms = (options.algorithms ?? ASYMMETRIC_ALGORITHMS).filter((a) =>
      (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a),
    );
    this.clockTolerance = options.clockToleranceSec ?? 30;
    this.maxLifetime = options.maxLifetimeSec ?? 24 * 3600;
    this.maxTokenBytes = options.maxTokenBytes ?? 16 * 1024;
    this.now = options.now ?? (() => new Date());
  }

  knowsIssuer(issuer: string): boolean {
    return this.issuers.has(issuer);
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (token.length > this.maxTokenBytes) throw new AuthenticationError('too_large');
    if (!COMPACT_JWS.test(token)) throw new AuthenticationError('malformed', 'not a compact JWS');

    let header: ProtectedHeaderParameters;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw new AuthenticationError('malformed', 'undecodable header or payload');
    }
    if (typeof unverified.iss !== 'string') throw new AuthenticationError('malformed', 'no iss');
    const trusted = this.issuers.get(unverified.iss);
    if (!trusted) throw new AuthenticationError('unknown_issuer');
    const algorithms = trusted.algorithms
      ? this.algorithms.filter((a) => trusted.algorithms!.includes(a))
      : this.algorithms;
    if (!isAllowedAlgorithm(header.alg, algorithms))
      throw new AuthenticationError('alg_not_allowed', String(header.alg));
    if (trusted.typ && header.typ?.toLowerCase() !== trusted.typ.toLowerCase()) {
      throw new AuthenticationError('malformed', 'wrong typ');
    }

    const currentDate = this.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (h) => trusted.keys.getKey(h), {
        issuer: trusted.issuer,
        audience: [...trusted.audience],
        algorithms: [...algorithms],
        clockTolerance: this.clockTolerance,
        currentDate,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw mapJoseError(error);
    }

    const nowSec = Math.floor(currentDate.getTime() / 1000);
    if (typeof payload.iat === 'number' && payload.iat > nowSec + this.clockTolerance) {
      throw new AuthenticationError('issued_in_future');
    }
    const start = typeof payload.iat === 'number' ? payload.iat : nowSec;
    if (payload.exp! - start > this.maxLifetime) throw new AuthenticationError('lifetime_too_long');
    return { issuer: trusted.issuer, header, payload };
  }
}

function mapJoseError(error: unknown): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return new AuthenticationError('not_yet_valid');
      case 'iss':
        return new AuthenticationError('wrong_issuer');
      case 'aud':
        return new AuthenticationError('wrong_audience');
      default:
        return new AuthenticationError('bad_claims', `${error.claim}: ${error.reason}`);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('bad_signature');
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('alg_not_allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('unknown_key');
  return new AuthenticationError('malformed', error instanceof Error ? error.name : 'unknown');
}
