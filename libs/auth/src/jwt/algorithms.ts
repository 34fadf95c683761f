/**
 * The only JWS algorithms any Modelgate service accepts: asymmetric, so that a verifier
 * never holds a signing secret. `none` and every HMAC algorithm (HS256 "signed" with
 * the public key is the classic confusion attack) are absent by construction.
 */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export function isAllowedAlgorithm(alg: unknown, allowed: readonly string[]): alg is AsymmetricAlgorithm {
  return (
    typeof alg === 'string' &&
    allowed.includes(alg) &&
    (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)
  );
}
