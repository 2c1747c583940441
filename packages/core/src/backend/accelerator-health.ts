import { checkWebGpuHealth } from './webgpu/register.js';

/**
 * Throws when the active accelerator failed in a way that produced no exception where it happened (a
 * Dawn validation error or a lost GPU device), after waiting for the work already submitted to run.
 * The loop calls it before declaring a fit finished, so a run that went wrong on the GPU never ends as
 * a success; reads of tensor values check the same on every step. cpu, wasm and tfjs-node throw where
 * they fail, so for them it returns at once.
 */
export async function checkAcceleratorHealth(): Promise<void> {
  await checkWebGpuHealth();
}
