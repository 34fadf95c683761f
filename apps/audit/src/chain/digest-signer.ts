import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/** A signed statement that the chain's row `headSeq` had hash `headHash` at `signedAt`. */
export interface SignedDigest {
  readonly headSeq: number;
  readonly headHash: string;
  readonly signedAt: Date;
  readonly keyId: string;
  /** Ed25519 signature of {@link digestMessage}, base64. */
  readonly signature: string;
}

export function digestMessage(headSeq: number, headHash: string, signedAt: Date): Buffer {
  return Buffer.from(`modelgate.audit.digest.v1\n${headSeq}\n${headHash}\n${signedAt.toISOString()}`, 'utf8');
}

/** Key id: the first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Signs chain heads with an Ed25519 key. */
export class DigestSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be Ed25519');
    const publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(publicKey);
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** From a PKCS#8 PEM (AUDIT_SIGNING_KEY). */
  static fromPem(pem: string): DigestSigner {
    return new DigestSigner(createPrivateKey(pem));
  }

  static generate(): DigestSigner {
    return new DigestSigner(generateKeyPairSync('ed25519').privateKey);
  }

  get privateKeyPem(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  sign(headSeq: number, headHash: string, signedAt: Date): SignedDigest {
    const signature = sign(null, digestMessage(headSeq, headHash, signedAt), this.privateKey).toString(
      'base64',
    );
    return { headSeq, headHash, signedAt, keyId: this.keyId, signature };
  }
}

export function digestSignatureValid(digest: SignedDigest, publicKeyPem: string): boolean {
  try {
    return verify(
      null,
      digestMessage(digest.headSeq, digest.headHash, digest.signedAt),
      createPublicKey(publicKeyPem),
      Buffer.from(digest.signature, 'base64'),
    );
  } catch {
    return false;
  }
}
