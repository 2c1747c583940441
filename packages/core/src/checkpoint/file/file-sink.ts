import type { FileHandle } from 'node:fs/promises';
import { updateCrc } from './checksum.js';

/** Small chunks are gathered up to this size so a model with thousands of biases costs few syscalls. */
const STAGING_BYTES = 1 << 20;

/**
 * Appends chunks to a file in order while keeping a running CRC-32 of everything written.
 * Chunks smaller than the staging buffer are copied into it; larger ones go straight to the
 * file, so memory stays at one tensor plus 1 MiB.
 */
export class CrcFileSink {
  private readonly staging = new Uint8Array(STAGING_BYTES);
  private staged = 0;
  private position = 0;
  private crcValue = 0;

  constructor(private readonly file: FileHandle) {}

  get crc(): number {
    return this.crcValue;
  }

  /** Bytes accepted so far (written or staged). */
  get length(): number {
    return this.position + this.staged;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.crcValue = updateCrc(this.crcValue, chunk);
    if (this.staged + chunk.length <= STAGING_BYTES) {
      this.staging.set(chunk, this.staged);
      this.staged += chunk.length;
      return;
    }
    await this.flush();
    if (chunk.length < STAGING_BYTES) {
      this.staging.set(chunk, 0);
      this.staged = chunk.length;
    } else {
      await this.writeAll(chunk);
    }
  }

  async flush(): Promise<void> {
    if (this.staged === 0) return;
    const pending = this.staging.subarray(0, this.staged);
    this.staged = 0;
    await this.writeAll(pending);
  }

  /** Overwrites bytes already flushed, without touching the running CRC. */
  async patch(bytes: Uint8Array, offset: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, offset + done);
      if (bytesWritten <= 0) throw new Error('write made no progress');
      done += bytesWritten;
    }
  }

  // write(2) may accept fewer bytes than asked (signals, quotas, >2 GiB requests): loop until done.
  private async writeAll(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, this.position);
      if (bytesWritten <= 0) throw new Error('write made no progress');
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }
}
