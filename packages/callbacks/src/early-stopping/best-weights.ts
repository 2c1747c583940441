import * as tf from '@tensorflow/tfjs';
import type { LightningModule } from '@cairn/core';

/**
 * A copy of a module's weights at its best check (Keras's restore_best_weights). The copies are
 * clones: on cpu/wasm a clone shares the buffer until the variable is next assigned, so keeping
 * one costs memory only once training moves on.
 */
export class BestWeights {
  private copies: Map<string, tf.Tensor> | undefined;

  get held(): boolean {
    return this.copies !== undefined;
  }

  take(module: LightningModule): void {
    this.dispose();
    this.copies = new Map(module.namedWeights().map(({ name, variable }) => [name, tf.keep(variable.clone())]));
  }

  /** Assigns the copies back to the module's variables (matched by stable weight name). */
  restore(module: LightningModule): void {
    if (this.copies === undefined) return;
    for (const { name, variable } of module.namedWeights()) {
      const copy = this.copies.get(name);
      if (copy !== undefined) variable.assign(copy);
    }
  }

  dispose(): void {
    if (this.copies !== undefined) tf.dispose([...this.copies.values()]);
    this.copies = undefined;
  }
}
