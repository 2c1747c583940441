import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the long runs record their summary lines for docs/reliability.md (runs/ is git-ignored). */
export const SUMMARY_FILE = process.env.CAIRN_FAULT_SUMMARY ?? join(import.meta.dirname, '../../../runs/faults/summary.txt');

/** Prints a summary line and, for the long runs, appends it to SUMMARY_FILE with the time. */
export function reportSummary(line: string, record: boolean): void {
  process.stdout.write(`${line}\n`);
  if (!record) return;
  mkdirSync(dirname(SUMMARY_FILE), { recursive: true });
  appendFileSync(SUMMARY_FILE, `${new Date().toISOString()} ${line}\n`);
}

/** Reads a positive integer from the environment (e.g. CAIRN_FAULT_KILLS), else `fallback`. */
export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

/**
 * A test's time limit for a campaign of `count` items that take about `perItemMs` each on the
 * 2-core development machine: twice that, plus room for set-up, and never under 15 minutes.
 */
export function campaignBudgetMs(count: number, perItemMs: number): number {
  return Math.max(900_000, 2 * count * perItemMs + 300_000);
}
