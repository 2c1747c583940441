import { CheckpointError, readCheckpointFile, type DecodedCheckpoint } from '@cairn/core';
import { CliError, EXIT } from '../cli-error.js';

/** A whole checkpoint file, verified (structure and checksum); a failed check becomes a CliError naming it. */
export async function readVerified(path: string): Promise<DecodedCheckpoint> {
  try {
    return await readCheckpointFile(path);
  } catch (error) {
    if (error instanceof CheckpointError) throw new CliError(`${path}: ${error.check} check failed: ${error.detail}`, EXIT.failed);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${path}: no such file`);
    throw new CliError(`${path}: ${(error as Error).message}`, EXIT.failed);
  }
}
