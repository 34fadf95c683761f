// Sends a sequence of SSE events on a hijacked reply, pausing between them when asked, and
// stops generating as soon as the client is gone.
import type { FastifyReply } from 'fastify';
import type { RecordedRequest } from '../request-log/request-log';
import { isAbort, SseStream } from './sse-stream';

export async function streamEvents(
  reply: FastifyReply,
  record: RecordedRequest | null,
  events: Iterable<string>,
  delayMs: number,
): Promise<void> {
  reply.hijack();
  const sse = new SseStream(reply.raw, () => {
    if (record) record.aborted = true;
  });
  if (record) record.status = 200;
  try {
    let first = true;
    // `events` is lazy: an aborted stream stops producing tokens, not only sending them.
    for (const data of events) {
      if (!first) await sse.pause(delayMs);
      first = false;
      await sse.send(data);
    }
    sse.done();
  } catch (error) {
    if (isAbort(error)) return;
    reply.log.error({ err: error }, 'stream failed');
    reply.raw.destroy();
  }
}
