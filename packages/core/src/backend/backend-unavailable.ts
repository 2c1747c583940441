/**
 * An accelerator that cannot run here. `message` is the full explanation (what to install, what it needs),
 * thrown as is when that accelerator was asked for explicitly; `summary` is the short reason shown in the
 * one-line report when `'auto'` moves on to the next candidate.
 */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';

  constructor(
    message: string,
    readonly summary: string,
    /** True when the package is simply absent, the ordinary case for the optional tfjs-node packages. */
    readonly notInstalled: boolean,
    options?: { cause?: unknown; detail?: string | undefined },
  ) {
    super(message, options);
    this.detail = options?.detail;
  }

  /** Said in `'auto'`'s report even when the package being absent is folded into a few words. */
  readonly detail: string | undefined;
}

export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
