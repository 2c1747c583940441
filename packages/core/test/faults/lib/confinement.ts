import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import fg from 'fast-glob';
import { Callback, ModelCheckpoint, Trainer, type LightningModule } from '../../../src/index.js';
import { loaders, quiet, TinyRegressor } from '../../helpers/tiny-module.js';

/** Logs one extra metric under a hostile name at every validation, so templates and monitor can use it. */
class LogMetric extends Callback {
  constructor(private readonly name: string) {
    super();
  }
  override onValidationEpochEnd(_trainer: Trainer, module: LightningModule): void {
    module.log(this.name, 0.5);
  }
}

/** Strictly inside `dir` (a name such as `..foo` is inside). */
function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

export interface ConfinementReport {
  /** Files created or left outside dirpath (relative to the sandbox root). */
  outside: string[];
  /** Files written inside dirpath (relative to it), so a run that wrote nothing cannot pass as confined. */
  inside: string[];
  /** A file placed outside dirpath beforehand was modified or deleted. */
  victimTouched: boolean;
  /** fit's rejection, if any. */
  error: Error | undefined;
}

/**
 * Trains two epochs with ModelCheckpoint({ dirpath: <sandbox>/outer/inner/ckpts, filename, monitor })
 * and reports anything written, changed or deleted outside dirpath, and the error that refused the
 * template (at construction or during fit), if any. A `victim.ckpt` sits next to
 * dirpath beforehand (where a '../victim' template would point).
 */
export async function checkConfinement(filename: string, metric: string | undefined): Promise<ConfinementReport> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-confine-'));
  const dirpath = join(root, 'outer', 'inner', 'ckpts');
  const victim = join(root, 'outer', 'inner', 'victim.ckpt');
  await mkdir(dirpath, { recursive: true });
  await writeFile(victim, 'not yours');
  try {
    let error: Error | undefined;
    const fail = (e: unknown): void => {
      error = e as Error;
    };
    let checkpoint: ModelCheckpoint | undefined;
    // A template refused at construction never reaches fit.
    try {
      checkpoint = new ModelCheckpoint({ dirpath, filename, monitor: metric, saveTopK: metric === undefined ? 1 : 2, print: () => undefined });
    } catch (e) {
      fail(e);
    }
    if (checkpoint !== undefined) {
      const callbacks: Callback[] = [checkpoint];
      if (metric !== undefined) callbacks.push(new LogMetric(metric));
      const trainer = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', maxEpochs: 3, callbacks });
      const { train, val } = loaders(16, 8, 8);
      await trainer.fit(new TinyRegressor(), train, val).catch(fail);
    }
    const files = await fg('**/*', { cwd: root, dot: true, absolute: true });
    const outside = files.filter((f) => f !== victim && !isInside(f, dirpath)).map((f) => relative(root, f));
    const inside = files.filter((f) => isInside(f, dirpath)).map((f) => relative(dirpath, f));
    const victimTouched = (await readFile(victim, 'utf8').catch(() => undefined)) !== 'not yours';
    return { outside, inside, victimTouched, error };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
