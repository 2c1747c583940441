/** Exit codes of every `cairn` command. `ckpt diff` follows diff(1): 1 means "the files differ". */
export const EXIT = {
  ok: 0,
  /** The command ran and its answer is "no": a check failed, the files differ, training failed. */
  failed: 1,
  /** The command could not run as asked: bad arguments, unreadable input, a config error. */
  usage: 2,
} as const;

/** An error the CLI reports as one clear line (no stack) and turns into an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'CliError';
  }
}
