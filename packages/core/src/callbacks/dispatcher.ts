import { EventEmitter } from 'eventemitter3';
import type { LightningModule } from '../module/lightning-module.js';
import type { Trainer } from '../trainer/trainer.js';
import type { Callback } from './callback.js';
import type { HookArgs, HookFn, HookName, ModuleHookFn, TrainerEvents } from './hooks.js';

/**
 * Calls one hook everywhere, in a fixed order: plain callbacks (in the order given), then the
 * module, then metric-monitoring callbacks (checkpointing, early stopping), then event listeners.
 */
export class HookDispatcher {
  readonly events = new EventEmitter<TrainerEvents>();
  private readonly before: Callback[];
  private readonly after: Callback[];

  /**
   * @param afterModule runs between the module's hook and the monitoring callbacks, so that what
   *   the module logged in that hook is published before checkpointing/early stopping decide.
   */
  constructor(
    private readonly trainer: Trainer,
    callbacks: readonly Callback[],
    private readonly afterModule: (hook: HookName) => Promise<void>,
  ) {
    this.before = callbacks.filter((c) => !c.monitorsMetrics);
    this.after = callbacks.filter((c) => c.monitorsMetrics);
  }

  async call<K extends HookName>(hook: K, module: LightningModule, ...args: HookArgs[K]): Promise<void> {
    for (const callback of this.before) await (callback[hook] as HookFn<K>).call(callback, this.trainer, module, ...args);
    await (module[hook] as ModuleHookFn<K>).call(module, ...args);
    await this.afterModule(hook);
    for (const callback of this.after) await (callback[hook] as HookFn<K>).call(callback, this.trainer, module, ...args);
    (this.events.emit as (event: K, ...rest: unknown[]) => boolean)(hook, this.trainer, module, ...args);
  }
}
