// Closed loop (max throughput: `concurrency` callers back to back) and open loop (a fixed
// rate, latency measured from the scheduled send time so that queueing counts).
import type { Call } from './clients';
import { summary } from './stats';

export async function maxThroughput(
  call: Call,
  body: (i: number) => Record<string, unknown>,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  let done = 0;
  let i = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const answer = await call(body(i++));
      if (!answer.allow) throw new Error(`unexpected deny: ${JSON.stringify(answer)}`);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}

export async function latencyAtRate(
  call: Call,
  body: (i: number) => Record<string, unknown>,
  ratePerSec: number,
  durationMs: number,
) {
  const samples: number[] = [];
  const intervalMs = 1000 / ratePerSec;
  const start = performance.now();
  const total = Math.floor((durationMs / 1000) * ratePerSec);
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const scheduled = start + n * intervalMs;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(call(body(n)).then(() => void samples.push(performance.now() - scheduled)));
  }
  await Promise.all(pending);
  return summary(samples);
}
