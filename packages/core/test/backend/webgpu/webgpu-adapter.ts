import { BackendUnavailableError } from '../../../src/backend/backend-unavailable.js';
import { selectBackend, type BackendInfo } from '../../../src/backend/select-backend.js';

/**
 * Activates the webgpu backend for a test. Without an adapter the test is skipped with the reason,
 * except under CI=true, where the adapter is required (scripts/install-swiftshader.sh installs one)
 * and its absence fails the run.
 */
export async function useWebGpu(skip: (note: string) => void): Promise<BackendInfo> {
  try {
    return await selectBackend('webgpu', { print: () => {} });
  } catch (error) {
    // Only a missing adapter or package is a reason to skip; an adapter that fails to start is a failure.
    const absent = error instanceof BackendUnavailableError && (error.notInstalled || error.summary.startsWith('no WebGPU adapter'));
    if (process.env.CI === 'true' || !absent) throw error;
    skip(`no WebGPU adapter here (run packages/core/scripts/install-swiftshader.sh): ${error.message}`);
    throw error;
  }
}
