import { CHUNK_BYTES, giveBack, takeBuffer } from './buffer-pool.js';
import { updateCrc } from './checksum.js';

/** The one file operation the sink needs (a FileHandle has it); narrow so tests can drive the timing. */
export interface PositionalWriter {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
}

/**
 * Appends bytes to a file in order while keeping a running CRC-32 of everything written, through
 * two reused staging buffers: while one buffer's write runs on libuv's thread pool, the next bytes
 * are copied into the other and checksummed on this thread. A save therefore costs about one raw
 * write, allocates nothing per tensor, and can take its bytes from views that a pause would
 * invalidate (the wasm heap), because it copies them before it yields. One write is in flight at
 * a time.
 */
export class CrcFileSink {
  private readonly buffers: [Uint8Array, Uint8Array];
  private current = 0;
  private staged = 0;
  /** File offset of the first staged byte: everything before it is written or being written. */
  private position = 0;
  private crcValue = 0;
  private inFlight: Promise<void> | undefined;

  /** `totalBytes`: the file's final size, so that a small file gets small buffers. */
  constructor(
    private readonly file: PositionalWriter,
    totalBytes: number,
  ) {
    const size = Math.max(1, Math.min(CHUNK_BYTES, totalBytes));
    this.buffers = [takeBuffer(size), takeBuffer(size)];
  }

  /** CRC-32 of every byte handed to a write; complete once `flush()` has resolved. */
  get crc(): number {
    return this.crcValue;
  }

  /** Bytes accepted so far (written, being written or staged). */
  get length(): number {
    return this.position + this.staged;
  }

  /**
   * Appends the bytes `source()` returns. `source` is called again after every pause, so it may
   * return a view that stays valid only until the caller yields; every call must return the same
   * bytes at the same length.
   */
  async write(source: () => Uint8Array): Promise<void> {
    let bytes = source();
    const total = bytes.byteLength;
    let done = 0;
    while (done < total) {
      const target = this.buffers[this.current]!;
      const n = Math.min(total - done, target.length - this.staged);
      target.set(bytes.subarray(done, done + n), this.staged);
      this.staged += n;
      done += n;
      if (this.staged < target.length) continue;
      await this.handOff();
      if (done === total) break;
      bytes = source();
      if (bytes.byteLength !== total) throw new Error(`a lent view changed length from ${total} to ${bytes.byteLength} bytes during the write`);
    }
  }

  /** Writes what is staged and waits until every write has completed. */
  async flush(): Promise<void> {
    if (this.staged > 0) await this.handOff();
    await this.inFlight;
  }

  /** Waits for the write in flight, if any, ignoring its outcome: call before closing the file after a failure. */
  async settle(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }

  /**
   * Gives the staging buffers back for the next save. Only once no write is in flight (after
   * `flush()` or `settle()`); `write` and `flush` must not be called afterwards (`patch` may: it
   * writes from the caller's bytes).
   */
  recycle(): void {
    for (const buffer of this.buffers) giveBack(buffer);
  }

  /** Overwrites bytes already flushed, without touching the running CRC. */
  async patch(bytes: Uint8Array, offset: number): Promise<void> {
    await this.writeAt(bytes, offset);
  }

  /**
   * Checksums the current buffer, waits for the other buffer's write (which frees it), starts the
   * current buffer's write and switches to the other one.
   */
  private async handOff(): Promise<void> {
    const chunk = this.buffers[this.current]!.subarray(0, this.staged);
    this.crcValue = updateCrc(this.crcValue, chunk);
    const offset = this.position;
    this.position += this.staged;
    this.staged = 0;
    await this.inFlight;
    const write = this.writeAt(chunk, offset);
    // Awaited by the next hand-off or flush; until then a failure must not count as unhandled.
    write.catch(() => undefined);
    this.inFlight = write;
    this.current = 1 - this.current;
  }

  // write(2) may accept fewer bytes than asked (signals, quotas, >2 GiB requests): loop until done.
  private async writeAt(bytes: Uint8Array, offset: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, offset + done);
      if (bytesWritten <= 0) throw new Error('write made no progress');
      done += bytesWritten;
    }
  }
}
