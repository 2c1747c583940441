import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FIXTURE = join(import.meta.dirname, '../fixtures/quiet-fit.ts');

/** Runs the fixture in a fresh process (TF.js prints its banner once per process) and returns all it printed. */
function runFit(accelerator: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, accelerator], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe("TF.js's Node.js banner", () => {
  // Data built before fit lives on TF.js's cpu backend, whose first write prints the banner.
  it.each(['cpu', 'wasm'])('is not printed by a fit on %s; the chosen backend is', async (accelerator) => {
    const { code, output } = await runFit(accelerator);
    expect(code, output).toBe(0);
    expect(output).toContain('fit done');
    expect(output).not.toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
    expect(output).not.toContain('====');
    expect(output).toMatch(new RegExp(`cairn: .*${accelerator}`, 'i'));
  });
});
