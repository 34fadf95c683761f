import { describe, expect, it } from 'vitest';
import { decodeGrpcMessage, encodeGrpcMessage } from './grpc-status';

describe('grpc-message encoding', () => {
  it('keeps printable ASCII, percent-encodes the rest and % itself', () => {
    expect(encodeGrpcMessage('plain text: ok')).toBe('plain text: ok');
    expect(encodeGrpcMessage('100%')).toBe('100%25');
    expect(encodeGrpcMessage('a\r\nforged: 1')).toBe('a%0D%0Aforged: 1');
    expect(encodeGrpcMessage('nö')).toBe('n%C3%B6');
    expect(encodeGrpcMessage('\u0000\u007f')).toBe('%00%7F');
  });

  it('never throws, a lone surrogate included (it becomes U+FFFD), and yields a valid header value', () => {
    const cases: [string, string][] = [
      ['\ud800', '\ufffd'],
      ['x\udfffy', 'x\ufffdy'],
      ['\u200b', '\u200b'],
      ['🙂🙂', '🙂🙂'],
    ];
    for (const [text, decoded] of cases) {
      const encoded = encodeGrpcMessage(text);
      expect(encoded).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeGrpcMessage(encoded)).toBe(decoded);
    }
  });

  it('round-trips any text', () => {
    const texts = ['', 'denied (ip_not_allowed)', 'ünïcødé % 50%', 'tab\there'];
    for (const t of texts) expect(decodeGrpcMessage(encodeGrpcMessage(t))).toBe(t);
  });

  it('decodes what is not valid percent-encoding as written, and a missing header as empty', () => {
    expect(decodeGrpcMessage('100% off')).toBe('100% off');
    expect(decodeGrpcMessage(undefined)).toBe('');
    expect(decodeGrpcMessage(['a'])).toBe('');
  });
});
