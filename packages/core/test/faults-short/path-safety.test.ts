import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfinement } from '../faults/lib/confinement.js';

/**
 * Filename templates and metric names must never make ModelCheckpoint write or delete outside
 * its dirpath: either the name stays inside (an absolute-looking template becomes a sub-folder)
 * or fit refuses it with a message naming the template or metric.
 */
describe('path safety: ModelCheckpoint stays inside dirpath', () => {
  it('an absolute template becomes a sub-folder of dirpath', async () => {
    const target = `/tmp/cairn-escape-${process.pid}`;
    const report = await checkConfinement(`${target}-{epoch}`, undefined);
    expect(report).toMatchObject({ outside: [], victimTouched: false, error: undefined });
    expect(existsSync(`${target}-epoch=0.ckpt`)).toBe(false);
    // Confined AND written: the checkpoint landed in a sub-folder of dirpath.
    expect(report.inside).toContain(`${target.slice(1)}-epoch=2.ckpt`);
  });

  it('a metric named like an absolute path stays inside dirpath', async () => {
    const report = await checkConfinement('{epoch}-{/tmp/cairn-escape-metric}', '/tmp/cairn-escape-metric');
    expect(report).toMatchObject({ outside: [], victimTouched: false, error: undefined });
    expect(report.inside).toContain('epoch=0-/tmp/cairn-escape-metric=0.5.ckpt'.replaceAll('/', sep));
  });

  it('a metric whose name climbs back into dirpath stays inside', async () => {
    // 'epoch=0-../../m' resolves back inside dirpath: allowed, since nothing leaves it.
    const report = await checkConfinement('{epoch}-{../../m}', '../../m');
    expect(report).toMatchObject({ outside: [], victimTouched: false, error: undefined });
    expect(report.inside).toContain('m=0.5.ckpt');
  });

  it("a '..' template is refused", async () => {
    const report = await checkConfinement('../victim', undefined);
    expect(report.outside).toEqual([]);
    expect(report.victimTouched).toBe(false);
    expect(report.error?.message).toMatch(/filename.*outside.*dirpath|dirpath.*filename/su);
  });

  it("a metric name with '..' that leaves dirpath is refused", async () => {
    const report = await checkConfinement('{../../escaped}', '../../escaped');
    expect(report.outside).toEqual([]);
    expect(report.error?.message).toContain('../../escaped');
  });

  it('a NUL byte in the template is refused when ModelCheckpoint is built, naming filename', async () => {
    const report = await checkConfinement('a\0b-{epoch}', undefined);
    expect(report.outside).toEqual([]);
    expect(report.error?.message).toMatch(/ModelCheckpoint: filename/u);
  });

  it('a NUL byte in a metric name writes nothing anywhere', async () => {
    const report = await checkConfinement('{epoch}-{a\0b}', 'a\0b');
    expect(report.outside).toEqual([]);
    expect(report.error).toBeInstanceOf(Error);
  });
});
