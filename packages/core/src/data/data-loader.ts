import { describeKind } from '../options/describe-kind.js';
import { rejectUnknownOptions, type OptionKeys } from '../options/known-options.js';
import { collate } from './collate.js';
import { isBatchDataset, type BatchDataset, type Sample } from './dataset.js';
import { epochPermutation } from './permutation.js';

export interface DataLoaderOptions {
  /** Samples per batch. Default 1. */
  batchSize?: number;
  /** Draw a new order every epoch. Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle. Default: drawn once from the (seeded) global stream on first use. */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize`. Default false. */
  dropLast?: boolean;
}

/** Where a loader stands: saved in checkpoints so a resumed epoch neither replays nor skips a batch. */
export interface DataLoaderState {
  epoch: number;
  /** Batches of `epoch` already handed out. */
  position: number;
  seed: number | null;
}

const KNOWN: OptionKeys<DataLoaderOptions> = { batchSize: true, shuffle: true, seed: true, dropLast: true };

function checkCount(name: string, value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new Error(`DataLoader: ${name} must be a positive integer, got ${String(value)}`);
  }
}

/**
 * Batches a dataset. With `shuffle`, the order of epoch e is a permutation derived from (seed, e),
 * so the sequence of batches does not depend on how many times the run was stopped and resumed.
 */
export class DataLoader<B = Sample> implements Iterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly source: BatchDataset<B> | readonly Sample[];
  private state: DataLoaderState;

  constructor(dataset: BatchDataset<B> | ArrayLike<Sample> | Iterable<Sample>, options: DataLoaderOptions = {}) {
    rejectUnknownOptions('DataLoader', options, KNOWN);
    const { batchSize = 1, shuffle = false, seed, dropLast = false } = options;
    checkCount('batchSize', batchSize);
    if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) {
      throw new Error(`DataLoader: seed must be a non-negative integer, got ${String(seed)}`);
    }
    if (typeof shuffle !== 'boolean') throw new Error(`DataLoader: shuffle must be a boolean, got ${String(shuffle)}`);
    if (typeof dropLast !== 'boolean') throw new Error(`DataLoader: dropLast must be a boolean, got ${String(dropLast)}`);
    if (isBatchDataset(dataset)) {
      this.source = dataset as BatchDataset<B>;
    } else if (dataset !== null && typeof dataset === 'object' && (Symbol.iterator in dataset || 'length' in dataset)) {
      this.source = Array.from(dataset as ArrayLike<Sample>);
    } else {
      throw new Error(`DataLoader: dataset must be a TensorDataset, an object with getBatch(indices) and length, or an array-like/iterable of samples, got ${describeKind(dataset)}`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.state = { epoch: 0, position: 0, seed: seed ?? null };
  }

  /** Number of samples in the dataset. */
  get datasetLength(): number {
    return this.source.length;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.source.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * Yields the batches of `epoch`. If the loader was restored mid-way through that same epoch
   * (`loadStateDict`), it continues from the saved position.
   */
  *epochBatches(epoch: number): Generator<B> {
    if (epoch !== this.state.epoch) this.state = { ...this.state, epoch, position: 0 };
    const order = this.orderOf(epoch);
    while (this.state.position < this.length) {
      const start = this.state.position * this.batchSize;
      const indices = order.slice(start, Math.min(start + this.batchSize, order.length));
      this.state.position += 1;
      yield this.assemble(indices);
    }
  }

  /** Iterating a loader directly gives the batches of its current epoch. */
  [Symbol.iterator](): Iterator<B> {
    return this.epochBatches(this.state.epoch);
  }

  stateDict(): DataLoaderState {
    return { ...this.state };
  }

  loadStateDict(state: DataLoaderState): void {
    if (!Number.isSafeInteger(state.epoch) || !Number.isSafeInteger(state.position) || state.position < 0) {
      throw new Error(`DataLoader.loadStateDict: invalid state ${JSON.stringify(state)}`);
    }
    this.state = { ...state };
  }

  private orderOf(epoch: number): number[] {
    const n = this.source.length;
    if (!this.shuffle) return Array.from({ length: n }, (_, i) => i);
    // Drawn lazily so a Trainer seed set after the loader was built still governs it.
    this.state.seed ??= Math.floor(Math.random() * 2 ** 31);
    return epochPermutation(n, this.state.seed, epoch);
  }

  private assemble(indices: number[]): B {
    if (isBatchDataset(this.source)) return this.source.getBatch(indices);
    const samples = this.source as readonly Sample[];
    return collate(indices.map((i) => samples[i]!)) as B;
  }
}
