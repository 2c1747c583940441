import { expect } from 'vitest';
import type { DiskFaultOutcome } from './disk-faults.js';
import { reportSummary } from './summary.js';

/**
 * The promise after a failed save: fit() rejected (the child printed the error and exited 2, it
 * did not hang), with the expected error code; every checkpoint that existed before is still
 * there, byte for byte; every file under a final name verifies; no temp file is left (unless the
 * folder itself refuses deletions). Shared by the short and long versions. `skip` is the test's
 * context.skip: a case this machine cannot stage (no root, no tmpfs) shows as skipped with its reason.
 */
export function checkDiskFault(outcome: DiskFaultOutcome, record: boolean, skip: (note: string) => void): void {
  if (outcome.skipped !== undefined) {
    reportSummary(`disk fault '${outcome.name}': skipped (${outcome.skipped})`, record);
    // A case that cannot run is reported as skipped, with its reason, never as passed; in CI it fails.
    if (process.env.CI === 'true') throw new Error(`disk fault '${outcome.name}' cannot run in CI: ${outcome.skipped}`);
    skip(outcome.skipped);
    return;
  }
  const { child, after } = outcome;
  expect(child?.hung, `${outcome.name}: the run hung instead of failing`).toBe(false);
  expect(child?.failed, `${outcome.name}: fit() did not reject (exit ${child?.code}): ${child?.stderr.slice(-400)}`).toBeDefined();
  expect(outcome.expectedCodes).toContain(child?.failed?.code);
  expect(child?.code).toBe(2);
  expect(after?.invalid).toEqual([]);
  if (!outcome.tempsMayRemain) expect(after?.temps).toEqual([]);
  expect(after?.unexpected).toEqual([]);
  expect(after?.checkpoints.length, `${outcome.name}: no checkpoint survived`).toBeGreaterThan(0);
  expect(outcome.afterCrcs).toEqual(outcome.before);
  const { recovery } = outcome;
  if (recovery !== undefined) {
    // Once the fault is gone, the next fit resumes from the newest checkpoint, removes any leftover temp file, and finishes.
    expect(recovery.run.done, `${outcome.name}: the recovery run failed: ${recovery.run.stderr.slice(-400)}`).toBe(true);
    expect(recovery.run.ready?.from).toBe(recovery.expectedFrom);
    expect({ invalid: recovery.after.invalid, temps: recovery.after.temps }).toEqual({ invalid: [], temps: [] });
  }
  const temps = after?.temps.length ?? 0;
  reportSummary(
    `disk fault '${outcome.name}': fit rejected with ${child?.failed?.code} ("${child?.failed?.message}"), ` +
      `${after?.checkpoints.length} earlier checkpoints intact, no partial file under a final name` +
      (temps > 0 ? `, ${temps} temp file the read-only folder kept (removed by the next fit)` : ', no temp file') +
      (recovery !== undefined ? `, the next run resumed from step ${recovery.run.ready?.step} and finished` : ''),
    record,
  );
}
