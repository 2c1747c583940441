import { Worker } from 'node:worker_threads';
import { updateCrc } from './checksum.js';

/**
 * The worker's code, run from a string (CommonJS, `eval`) so that it needs no file next to the
 * built or the source module. It keeps one running CRC-32 per job; messages of one job arrive and
 * are answered in order.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { crc32 } = require('node:zlib');
const running = new Map();
parentPort.on('message', ({ job, initial, bytes }) => {
  const previous = running.has(job) ? running.get(job) : initial;
  if (bytes === undefined) {
    running.delete(job);
    parentPort.postMessage({ job, crc: previous });
    return;
  }
  running.set(job, crc32(bytes, previous));
  parentPort.postMessage({ job });
});
`;

/**
 * Chunks smaller than this are checksummed on the calling thread: at ~4 GB/s that takes less than
 * a message's round trip to the worker costs, and small files then never start a worker.
 */
const INLINE_BELOW = 1 << 20;

interface Reply {
  job: number;
  crc?: number;
}

/** A running CRC-32 over chunks handed over in order. */
export interface ChunkChecksum {
  /**
   * Adds `bytes` to the checksum. Resolves once the bytes have been read and may be overwritten.
   * Bytes in a SharedArrayBuffer (1 MiB or more) are checksummed on a worker thread (the caller
   * may go on copying and writing meanwhile); others at once, on this thread.
   */
  add(bytes: Uint8Array): Promise<void>;
  /** The CRC-32 of everything added; call once, after the last `add`. */
  result(): Promise<number>;
}

type Settle = { resolve: (reply: Reply) => void; reject: (error: unknown) => void };

/**
 * One worker thread for the checksums of every save and load of the process, started at first use
 * and `unref`'d so it never keeps the process alive. On 2 cores, this moves the CRC (about a fifth
 * of a save's CPU time) off the thread that copies the next chunk, so checksum, copy and write
 * overlap. If the worker fails, pending checksums fail with its error and later ones start a
 * new worker.
 */
class CrcWorker {
  private worker: Worker | undefined;
  private nextJob = 1;
  /** Replies awaited, per job, in the order the messages were sent. */
  private readonly waiting = new Map<number, Settle[]>();
  /** Messages not answered yet: the worker keeps the process alive only while there are some. */
  private pending = 0;

  start(initial: number): ChunkChecksum {
    const job = this.nextJob++;
    /** Some chunk went to the worker, which holds the value of everything up to its last one. */
    let sent = false;
    /** Set (synchronously, at `add`) once a chunk is checksummed here: every later one is too. */
    let inline = false;
    /** The value of the chunks checksummed here, valid once `folded` has settled. */
    let value = initial;
    /** The chunks checksummed here after some went to the worker, in order. */
    let folded: Promise<void> = Promise.resolve();
    const send = (bytes: Uint8Array | undefined): Promise<Reply> =>
      new Promise<Reply>((resolve, reject) => {
        const worker = this.ensureWorker();
        const queue = this.waiting.get(job) ?? [];
        this.waiting.set(job, queue);
        queue.push({ resolve, reject });
        this.pending += 1;
        if (this.pending === 1) worker.ref();
        worker.postMessage({ job, initial, bytes });
        sent = true;
      });
    const fromWorker = async (): Promise<number> => {
      try {
        return (await send(undefined)).crc ?? 0;
      } finally {
        this.waiting.delete(job);
      }
    };
    return {
      add: async (bytes) => {
        if (!inline && bytes.buffer instanceof SharedArrayBuffer && bytes.length >= INLINE_BELOW) {
          await send(bytes);
          return;
        }
        // A small chunk, or one the worker cannot see without a copy: it and all later ones are
        // checksummed here, in order, after the worker's value for the chunks before them.
        if (!sent) {
          inline = true;
          value = updateCrc(value, bytes);
          return;
        }
        if (!inline) folded = fromWorker().then((crc) => void (value = crc));
        inline = true;
        folded = folded.then(() => void (value = updateCrc(value, bytes)));
        await folded;
      },
      result: async () => {
        if (inline) {
          await folded;
          return value;
        }
        return sent ? fromWorker() : initial;
      },
    };
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      this.settled(worker);
      this.waiting.get(reply.job)?.shift()?.resolve(reply);
    });
    const fail = (error: unknown): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.pending = 0;
      for (const queue of this.waiting.values()) for (const settle of queue.splice(0)) settle.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the checksum worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settled(worker: Worker): void {
    this.pending -= 1;
    if (this.pending === 0) worker.unref();
  }
}

const shared = new CrcWorker();

/**
 * A new running CRC-32 that continues from `initial` (the CRC of what precedes the chunks, 0 for
 * none), computed on the shared worker thread where possible.
 */
export function startChunkChecksum(initial = 0): ChunkChecksum {
  return shared.start(initial);
}
