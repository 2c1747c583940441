/** How often and how patiently a remote operation is retried. */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Delay before the first retry, in ms; doubled each time, at most maxDelayMs. */
  delayMs: number;
  maxDelayMs: number;
}

export class RemoteOperationError extends Error {}

/**
 * Runs `operation` until it succeeds or `retries` retries failed, waiting with exponential backoff
 * in between; then throws one error naming what was tried, how often, and the last cause.
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  operation: () => Promise<T>,
  onRetry: (line: string) => void,
  retryable: (error: unknown) => boolean = () => true,
): Promise<T> {
  let delay = policy.delayMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      if (!retryable(error)) throw error;
      if (attempt >= policy.retries) {
        throw new RemoteOperationError(`${what} failed after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}: ${cause}`, { cause: error });
      }
      onRetry(`cairn: ${what} failed (${cause}); retrying in ${delay} ms`);
      await new Promise((done) => setTimeout(done, delay));
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
