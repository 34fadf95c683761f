// The length-prefixed message of gRPC over HTTP/2: a compressed-flag byte, a 4-byte big-endian
// length, the message. A unary call carries exactly one each way. Neither end here ever offers
// compression, so a message flagged compressed is an error.

/** gRPC's default limit of a message's size, each way. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The message with its 5-byte prefix. */
export function frameMessage(message: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

/**
 * The one message of a unary request or answer (`body`, all of its DATA frames), or the
 * reason it is not one (`what` names it in that reason).
 */
export function readSingleMessage(body: Buffer, what: 'request' | 'answer'): Buffer | string {
  if (body.length < 5) return `${what} of ${body.length} bytes has no message`;
  if (body[0] !== 0) return `compressed ${what} message (no compression was offered)`;
  const length = body.readUInt32BE(1);
  if (length !== body.length - 5) {
    return `${what} message length ${length} disagrees with the ${body.length - 5} bytes that follow`;
  }
  return body.subarray(5);
}
