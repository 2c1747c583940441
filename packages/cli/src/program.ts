import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT } from './cli-error.js';
import { consoleOutput, formatBytes, toJson, type Output } from './output.js';
import { CONVERT_DTYPES, type ConvertDtype } from './ckpt/convert-dtypes.js';
import { addRunCommands } from './run/run-commands.js';

// Commands load their modules (and with them TF.js, ~1 s) only when they run: --help and usage
// errors answer at once.

/** Runs one command; resolves with its exit code. Each action returns its own code. */
type Action = (out: Output) => Promise<number>;

function jsonOption(): Option {
  return new Option('--json', 'print the result as JSON (for scripts)');
}

/** The `cairn` program. `run` receives each action (commander awaits it), so main() sees its exit code and errors in one place. */
export function buildProgram(run: (action: Action, json: boolean) => Promise<void>): Command {
  const program = new Command('cairn')
    .description('Cairn from the shell: checkpoints, runs from a YAML config, run reports')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const ckpt = program.command('ckpt').description('inspect and transform checkpoint files').exitOverride();
  ckpt.command('ls').argument('<dir>', 'folder searched for *.ckpt').description('table of checkpoints: file, epoch, step, monitored score, size, valid or why not')
    .addOption(jsonOption()).exitOverride()
    .action((dir: string, o: { json?: boolean }) => run(async (out) => (await import('./ckpt/ls.js')).listCheckpoints(dir, out), o.json === true));
  ckpt.command('inspect').argument('<file>').description('metadata, tensors (name, dtype, shape), optimizer, callbacks of one checkpoint')
    .addOption(jsonOption()).exitOverride()
    .action((file: string, o: { json?: boolean }) => run(async (out) => (await import('./ckpt/inspect.js')).inspectCheckpoint(file, out), o.json === true));
  ckpt.command('verify').argument('<path>', 'a checkpoint file or a folder of them').description('run every check; exit 0 only if every file passes')
    .addOption(jsonOption()).exitOverride()
    .action((path: string, o: { json?: boolean }) => run(async (out) => (await import('./ckpt/verify.js')).verifyCheckpoints(path, out), o.json === true));
  ckpt.command('diff').argument('<a>').argument('<b>').description('which tensors differ and by how much (exit 0 identical, 1 different)')
    .option('--all', 'list identical tensors too').addOption(jsonOption()).exitOverride()
    .action((a: string, b: string, o: { json?: boolean; all?: boolean }) => run(async (out) => (await import('./ckpt/diff.js')).diffCommand(a, b, out, { all: o.all === true }), o.json === true));
  ckpt.command('average').argument('<files...>', 'two or more checkpoints of one architecture').description('element-wise mean of the module weights, as a weights-only checkpoint')
    .requiredOption('-o, --out <file>', 'output checkpoint').addOption(jsonOption()).exitOverride()
    .action((files: string[], o: { out: string; json?: boolean }) => run(async (out) => {
      if (files.length < 2) throw new CliError(`average needs at least two checkpoints, got ${files.length}`);
      const { averageCheckpoints } = await import('./ckpt/average.js');
      const result = await averageCheckpoints(files, o.out);
      out.result(out.json ? toJson(result) : `averaged ${result.weights} weights of ${files.length} checkpoints into ${result.path}`);
      return EXIT.ok;
    }, o.json === true));
  ckpt.command('convert').argument('<file>').description('a smaller weights-only copy with float16 or bfloat16 weights')
    .addOption(new Option('--dtype <dtype>', 'weight dtype').choices(CONVERT_DTYPES).makeOptionMandatory())
    .requiredOption('-o, --out <file>', 'output checkpoint').addOption(jsonOption()).exitOverride()
    .action((file: string, o: { dtype: ConvertDtype; out: string; json?: boolean }) => run(async (out) => {
      const { convertCheckpoint } = await import('./ckpt/convert.js');
      const result = await convertCheckpoint(file, o.dtype, o.out);
      out.result(out.json ? toJson(result) : `wrote ${result.path}: ${formatBytes(result.bytesAfter)} (tensors were ${formatBytes(result.bytesBefore)})`);
      return EXIT.ok;
    }, o.json === true));
  ckpt.command('export').argument('<file>').description("export the module's LayersModel in TF.js's format (model.json + weights.bin)")
    .addOption(new Option('--format <format>', 'export format').choices(['tfjs']).default('tfjs'))
    .requiredOption('-o, --out <dir>', 'output folder')
    .requiredOption('--module <file#Class>', 'the LightningModule class that wrote the checkpoint, e.g. ./src/model.ts#Classifier')
    .option('--field <name>', 'the LayersModel field to export when the module holds several')
    .addOption(jsonOption()).exitOverride()
    .action((file: string, o: { format: string; out: string; module: string; field?: string; json?: boolean }) => run(async (out) => (await import('./ckpt/export.js')).exportCommand(file, o, out), o.json === true));

  program.command('report').argument('<logdirs...>', "the run's logger version folders (metrics.csv, events.out.tfevents.*)")
    .description('write one self-contained HTML page: a chart per metric, learning rate, checkpoint and resume markers')
    .option('-o, --out <file>', 'output HTML file (default <first logdir>/report.html)')
    .option('--checkpoints <dir>', 'folder searched for *.ckpt (default: the logdirs, recursively)')
    .addOption(jsonOption()).exitOverride()
    .action((logDirs: string[], o: { out?: string; checkpoints?: string; json?: boolean }) => run(async (out) => {
      const { writeRunReport } = await import('./report/run-report.js');
      const report = await writeRunReport(logDirs, o.out, o.checkpoints === undefined ? {} : { checkpointsDir: o.checkpoints });
      out.result(out.json ? toJson(report) : `wrote ${report.path}: ${report.charts.length} chart(s), ${report.checkpoints.length} checkpoint(s), ${report.resumes.length} resume point(s)`);
      return EXIT.ok;
    }, o.json === true));

  addRunCommands(program, run);
  return program;
}

/** Parses `argv` (process.argv shape), runs the command, and returns its exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(async (action, json) => {
    exitCode = await action(consoleOutput(json));
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; everything else commander rejects is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    const exitCode = error instanceof CliError ? error.exitCode : EXIT.failed;
    process.stderr.write(`cairn: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCode;
  }
}
