import { expect } from 'vitest';
import type { DiskFaultOutcome } from './disk-faults.js';
import { reportSummary } from './summary.js';

/**
 * The promise after a failed save: fit() rejected (the child printed the error and exited 2, it
 * did not hang), with the expected error code; every checkpoint that existed before is still
 * there, byte for byte; every file under a final name verifies; no temp file is left.
 * Returns the summary line. Shared by the short and long versions.
 */
export function checkDiskFault(outcome: DiskFaultOutcome, record: boolean): void {
  if (outcome.skipped !== undefined) {
    reportSummary(`disk fault '${outcome.name}': skipped (${outcome.skipped})`, record);
    return;
  }
  const { child, after } = outcome;
  expect(child?.hung, `${outcome.name}: the run hung instead of failing`).toBe(false);
  expect(child?.failed, `${outcome.name}: fit() did not reject (exit ${child?.code}): ${child?.stderr.slice(-400)}`).toBeDefined();
  expect(outcome.expectedCodes).toContain(child?.failed?.code);
  expect(child?.code).toBe(2);
  expect(after?.invalid).toEqual([]);
  expect(after?.temps).toEqual([]);
  expect(after?.unexpected).toEqual([]);
  expect(after?.checkpoints.length, `${outcome.name}: no checkpoint survived`).toBeGreaterThan(0);
  expect(outcome.afterCrcs).toEqual(outcome.before);
  reportSummary(
    `disk fault '${outcome.name}': fit rejected with ${child?.failed?.code} ("${child?.failed?.message}"), ${after?.checkpoints.length} earlier checkpoints intact, no temp or partial file`,
    record,
  );
}
