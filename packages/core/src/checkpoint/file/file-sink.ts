import { CHUNK_BYTES, giveBack, takeBuffer } from './buffer-pool.js';
import { startChunkChecksum, type ChunkChecksum } from './crc-worker.js';

/** The one file operation the sink needs (a FileHandle has it); narrow so tests can drive the timing. */
export interface PositionalWriter {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
}

/**
 * Appends bytes to a file in order while keeping a running CRC-32 of everything written, through
 * two reused staging buffers: while one buffer is written (on libuv's thread pool) and checksummed
 * (on the checksum worker thread), the next bytes are copied into the other on this thread. A save
 * therefore costs about one raw write, allocates nothing per tensor, and can take its bytes from
 * views that a pause would invalidate (the wasm heap), because it copies them before it yields.
 * One buffer is in flight at a time.
 */
export class CrcFileSink {
  private readonly buffers: [Uint8Array, Uint8Array];
  private current = 0;
  private staged = 0;
  /** File offset of the first staged byte: everything before it is written or being written. */
  private position = 0;
  private readonly checksum: ChunkChecksum = startChunkChecksum();
  private finalCrc: Promise<number> | undefined;
  /** The other buffer's write and checksum: it may be refilled once this settles. */
  private inFlight: Promise<void> | undefined;

  /** `totalBytes`: the file's final size, so that a small file gets small buffers. */
  constructor(
    private readonly file: PositionalWriter,
    totalBytes: number,
  ) {
    const size = Math.max(1, Math.min(CHUNK_BYTES, totalBytes));
    this.buffers = [takeBuffer(size), takeBuffer(size)];
  }

  /** CRC-32 of every byte handed to a write. Call after `flush()` has resolved; nothing may be written after. */
  crc(): Promise<number> {
    this.finalCrc ??= this.checksum.result();
    return this.finalCrc;
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
    // A failed save never asked for its checksum: end it, so the worker forgets it.
    void this.crc().catch(() => undefined);
    for (const buffer of this.buffers) giveBack(buffer);
  }

  /** Overwrites bytes already flushed, without touching the running CRC. */
  async patch(bytes: Uint8Array, offset: number): Promise<void> {
    await this.writeAt(bytes, offset);
  }

  /**
   * Starts the checksum of the current buffer, waits for the other buffer's write and checksum
   * (which frees it), starts the current buffer's write and switches to the other one.
   */
  private async handOff(): Promise<void> {
    const chunk = this.buffers[this.current]!.subarray(0, this.staged);
    const summed = this.checksum.add(chunk);
    const offset = this.position;
    this.position += this.staged;
    this.staged = 0;
    try {
      await this.inFlight;
    } catch (error) {
      // This chunk's checksum still reads the buffer: it must end before the buffer is reused.
      await summed.catch(() => undefined);
      throw error;
    }
    const done = Promise.all([this.writeAt(chunk, offset), summed]).then(() => undefined);
    // Awaited by the next hand-off or flush; until then a failure must not count as unhandled.
    done.catch(() => undefined);
    this.inFlight = done;
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
