/**
 * Retries a Kafka call while it fails with an error the broker marks retriable
 * (leader moving, coordinator loading, topic metadata not yet propagated), with capped
 * exponential backoff. Anything else, or the last failure, is thrown to the caller.
 */
export async function retryRetriable<T>(
  call: () => Promise<T>,
  { attempts = 10, initialDelayMs = 100, maxDelayMs = 2_000 } = {},
): Promise<T> {
  let delay = initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isRetriable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}
