import { gotWrongKind } from '../trainer/where-it-belongs.js';
import { DataLoader } from './data-loader.js';

/** Anything the trainer accepts as a source of batches. */
export type BatchSource<B> = DataLoader<B> | Iterable<B> | AsyncIterable<B>;

/** A uniform view of a batch source for the loops. */
export interface EpochSource<B> {
  /** Batches per epoch, or undefined when the source cannot tell. */
  readonly length: number | undefined;
  /** Batches the trainer creates and so must dispose (a DataLoader's). */
  readonly ownsBatches: boolean;
  /** Batches of `epoch`, starting after `skip` batches already consumed. */
  batches(epoch: number, skip: number): AsyncGenerator<B>;
}

export function toEpochSource<B>(source: BatchSource<B>, what: string): EpochSource<B> {
  if (source instanceof DataLoader) {
    return {
      length: source.length,
      ownsBatches: true,
      async *batches(epoch, skip) {
        const state = source.stateDict();
        // Continue a restored position; otherwise start the epoch at `skip`.
        if (state.epoch !== epoch || state.position !== skip) source.loadStateDict({ ...state, epoch, position: skip });
        yield* source.epochBatches(epoch);
      },
    };
  }
  // A string is iterable too, character by character: never a source of batches.
  if (typeof source !== 'object' || source === null) throw new Error(`${what} must be a DataLoader or an (async) iterable of batches, ${gotWrongKind(source)}`);
  const isSync = typeof (source as Iterable<B>)?.[Symbol.iterator] === 'function';
  const isAsync = typeof (source as AsyncIterable<B>)?.[Symbol.asyncIterator] === 'function';
  if (!isSync && !isAsync) throw new Error(`${what} must be a DataLoader or an (async) iterable of batches, ${gotWrongKind(source)}`);
  const length = (source as { length?: unknown }).length;
  return {
    length: typeof length === 'number' ? length : undefined,
    ownsBatches: false,
    async *batches(_epoch, skip) {
      let index = 0;
      for await (const batch of source as AsyncIterable<B>) {
        if (index++ >= skip) yield batch;
      }
    },
  };
}
