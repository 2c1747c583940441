import type { Command } from 'commander';
import { stringify } from 'yaml';
import { EXIT } from '../cli-error.js';
import { toJson, type Output } from '../output.js';
import { parseOverrides } from './overrides.js';
import { loadRunConfig, type RunConfig } from './run-config.js';
import type { BuiltRun } from './build-run.js';

type Run = (action: (out: Output) => Promise<number>, json: boolean) => Promise<void>;

interface RunOptions {
  config: string;
  printConfig?: boolean;
  ckptPath?: string;
  json?: boolean;
}

const printLine = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

type Prepared = { config: RunConfig; ckptOptions: { ckptPath?: string } } & BuiltRun;

/**
 * What fit and test share: the config with overrides and --ckpt-path applied; with
 * --print-config it is printed and nothing is built (undefined), else the run is built.
 */
async function prepareRun(options: RunOptions, overrideTokens: readonly string[], out: Output): Promise<Prepared | undefined> {
  const config = await loadRunConfig(options.config, parseOverrides(overrideTokens));
  if (options.ckptPath !== undefined) config.ckptPath = options.ckptPath;
  if (options.printConfig === true) {
    out.result(out.json ? toJson(config) : stringify(config));
    return undefined;
  }
  const { buildRun } = await import('./build-run.js');
  return { config, ckptOptions: config.ckptPath === undefined ? {} : { ckptPath: config.ckptPath }, ...(await buildRun(config, printLine)) };
}

/** `cairn fit --config run.yaml [--trainer.maxEpochs 5 ...] [--ckpt-path last] [--print-config]`. */
async function fitCommand(options: RunOptions, overrideTokens: readonly string[], out: Output): Promise<number> {
  const prepared = await prepareRun(options, overrideTokens, out);
  if (prepared === undefined) return EXIT.ok;
  const { trainer, module, data, ckptOptions: fitOptions } = prepared;
  const { dataFor } = await import('./build-run.js');
  const source = await dataFor(data, 'fit');
  const result = 'module' in source ? await trainer.fit(module, source.module, fitOptions) : await trainer.fit(module, source.train!, source.val, fitOptions);
  const summary = {
    epochs: result.epochs,
    globalStep: result.globalStep,
    stopReason: result.stopReason,
    metrics: result.metrics,
    bestModelPath: result.bestModelPath,
    bestModelScore: result.bestModelScore ?? null,
    lastModelPath: result.lastModelPath,
    checkpointingFiles: result.checkpointingFiles,
    logDir: trainer.logDir,
    resumedFrom: trainer.ckptPath ?? null,
  };
  if (out.json) out.result(toJson(summary));
  else {
    out.result(`trained ${summary.epochs} epochs, ${summary.globalStep} steps (${summary.stopReason})${summary.resumedFrom === null ? '' : `, resumed from ${summary.resumedFrom}`}`);
    out.result(`metrics: ${Object.entries(summary.metrics).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    if (summary.bestModelPath !== '') out.result(`best model: ${summary.bestModelPath}${summary.bestModelScore === null ? '' : ` (score ${summary.bestModelScore})`}`);
    out.result(`logs: ${summary.logDir}`);
  }
  return EXIT.ok;
}

/** `cairn test --config run.yaml [--ckpt-path best|last|FILE]`: the module's testStep over the data's test loader. */
async function testCommand(options: RunOptions, overrideTokens: readonly string[], out: Output): Promise<number> {
  const prepared = await prepareRun(options, overrideTokens, out);
  if (prepared === undefined) return EXIT.ok;
  const { trainer, module, data, ckptOptions: testOptions } = prepared;
  const { dataFor } = await import('./build-run.js');
  const source = await dataFor(data, 'test');
  const metrics = 'module' in source ? await trainer.test(module, source.module, testOptions) : await trainer.test(module, source.test!, testOptions);
  const summary = { metrics, ckptPath: trainer.ckptPath ?? null };
  if (out.json) out.result(toJson(summary));
  else {
    out.result(`tested ${summary.ckptPath === null ? "the module's initial weights" : summary.ckptPath}`);
    out.result(`metrics: ${Object.entries(metrics).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  return EXIT.ok;
}

/** One config-driven command: `fit` or `test`, with the options they share. */
function addConfigCommand(program: Command, run: Run, name: string, description: string, ckptPathHelp: string, command: typeof fitCommand): void {
  program.command(name)
    .description(description)
    .requiredOption('-c, --config <file>', 'run config (YAML): model, data, trainer, ckptPath')
    .option('--print-config', 'print the resolved config (after overrides) and exit')
    .option('--ckpt-path <path>', ckptPathHelp)
    .option('--json', 'print the result as JSON (for scripts)')
    .allowUnknownOption()
    .allowExcessArguments()
    .exitOverride()
    .action((options: RunOptions, cmd: Command) => run((out) => command(options, cmd.args, out), options.json === true));
}

export function addRunCommands(program: Command, run: Run): void {
  addConfigCommand(program, run, 'test', "run the testStep of a YAML config's module over its data's test loader (LightningCLI test); overrides as for fit",
    "test the weights of a checkpoint file, 'last' or 'best'", testCommand);
  addConfigCommand(program, run, 'fit', 'train the module of a YAML config (LightningCLI style); any key can be overridden: --trainer.maxEpochs 5',
    "resume from a checkpoint file, 'last' or 'best'", fitCommand);
}
