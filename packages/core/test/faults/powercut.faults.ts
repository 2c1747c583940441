import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { campaignBudgetMs, envCount, reportSummary } from './lib/summary.js';
import { crashFsUnavailable } from './powercut/crash-mount.js';
import { runPowerCampaign, type PowerResult } from './powercut/power-campaign.js';
import { powerRun } from './powercut/power-run.js';

vi.mock('node:fs/promises', async (real) => (await import('./powercut/careless-fs.js')).carelessFs(await real()));

const STATES = envCount('CAIRN_POWERCUT_STATES', 200);
const SELF_TEST_STATES = envCount('CAIRN_POWERCUT_SELFTEST_STATES', 12);

let reference = '';
const unavailable = crashFsUnavailable();

beforeAll(async () => {
  if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`power-cut campaign cannot run in CI: ${unavailable}`);
  const run = await powerRun({ dirpath: join(await mkdtemp(join(tmpdir(), 'cairn-powercut-reference-')), 'checkpoints') }, false);
  if (run.error !== undefined) throw run.error;
  reference = JSON.stringify(run.weights);
});

const summary = (result: PowerResult): string =>
  `crashes ${result.crashes}, crash states ${result.states} (${result.statesWithoutFolders} of runs that started without their folders), ` +
  `reported-durable checkpoints checked ${result.checked}, lost or older ${result.lost}, torn files ${result.torn}`;

describe('power cuts (crashfs: only what fsync made durable survives)', () => {
  it('self-test: a writer that renames without fsync is reported as a loss', async ({ skip }) => {
    if (unavailable !== undefined) return skip(unavailable);
    const result = await runPowerCampaign({ seed: 'careless-file', states: SELF_TEST_STATES, prefixes: 2, resume: false, mode: 'skip-file-fsync' }, reference);
    reportSummary(`power-cut self-test, rename without fsync: ${summary(result)}`, true);
    expect(result.lost + result.torn).toBeGreaterThan(0);
  });

  it("self-test: a writer that makes folders without fsyncing their parents is reported as a loss", async ({ skip }) => {
    if (unavailable !== undefined) return skip(unavailable);
    const result = await runPowerCampaign({ seed: 'careless-dir', states: SELF_TEST_STATES, prefixes: 2, resume: false, mode: 'skip-dir-fsync', onlyMissingFolders: true }, reference);
    reportSummary(`power-cut self-test, no folder fsync: ${summary(result)}`, true);
    expect(result.lost).toBeGreaterThan(0);
  });

  it(`${STATES} crash states of a run saving every step with top-2 eviction: nothing reported durable lost, nothing torn, every resume bit-identical`, async ({ skip }) => {
    if (unavailable !== undefined) return skip(unavailable);
    const result = await runPowerCampaign({ seed: 'powercut', states: STATES, prefixes: 3, resume: true, mode: 'none', print: (line) => process.stdout.write(`  ${line}\n`) }, reference);
    reportSummary(`power cuts: ${summary(result)}, resumed ${result.resumed}, identical ${result.identical}`, true);
    expect(result.problems).toEqual([]);
    expect(result.states).toBeGreaterThanOrEqual(STATES);
    expect(result.statesWithoutFolders).toBeGreaterThan(0);
    expect(result).toMatchObject({ lost: 0, torn: 0, resumed: result.states, identical: result.states });
  }, campaignBudgetMs(STATES, 500));
});
