import type { LightningModule, Trainer } from '@cairn/core';

/** The public trainer state a metric-driven callback reads, without running a loop. */
export interface FakeTrainer {
  options: { valCheckInterval: { fraction: number } | { count: number }; checkValEveryNEpoch: number | null; fastDevRun: number };
  stage: 'fit' | 'validate' | undefined;
  sanityChecking: boolean;
  currentEpoch: number;
  globalStep: number;
  callbackMetrics: Record<string, number>;
  shouldStop: boolean;
  ckptPath: string | undefined;
  /** Derived from the fields above by the same rule as Trainer.isRealTraining. */
  readonly isRealTraining: boolean;
}

export function fakeTrainer(overrides: Partial<FakeTrainer> = {}): FakeTrainer {
  return {
    options: { valCheckInterval: { fraction: 1 }, checkValEveryNEpoch: 1, fastDevRun: 0 },
    stage: 'fit',
    sanityChecking: false,
    currentEpoch: 0,
    globalStep: 0,
    callbackMetrics: {},
    shouldStop: false,
    ckptPath: undefined,
    ...overrides,
    get isRealTraining(): boolean {
      return this.stage === 'fit' && !this.sanityChecking && !(this.options.fastDevRun > 0);
    },
  };
}

export const asTrainer = (fake: FakeTrainer): Trainer => fake as unknown as Trainer;
export const noModule = {} as unknown as LightningModule;
