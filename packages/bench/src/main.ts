/**
 * Cairn benchmark suite: every figure beside its baseline, in one run.
 *
 *   pnpm bench                      (from the repository root: builds @cairn/core, runs all, writes docs/benchmarks.*)
 *   pnpm --filter @cairn/bench bench -- --quick          (smoke run, small sizes, docs untouched)
 *   ... -- --only=overhead,save,load,cost,backends,peers (a subset)
 *   ... -- --write / --no-write                          (force writing docs or not)
 *   ... -- --accelerator webgpu                          (webgpu rows required; by default they appear when Dawn finds an adapter)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBackends } from './bench-backends.js';
import { benchCheckpointCost } from './bench-checkpoint-cost.js';
import { benchCheckpointLoad } from './bench-checkpoint-load.js';
import { benchCheckpointSave } from './bench-checkpoint-save.js';
import { benchPeers } from './bench-peers.js';
import { benchTrainerOverhead } from './bench-trainer-overhead.js';
import type { StateSize } from './big-state.js';
import type { BenchContext } from './context.js';
import { describeMachine } from './machine.js';
import { textTable, writeReport } from './report.js';
import type { BenchOutput } from './result.js';

const BENCHES = ['overhead', 'save', 'load', 'cost', 'backends', 'peers'] as const;
type BenchName = (typeof BENCHES)[number];

// 5 and 41 blocks of 4 MiB, times 3 with Adam's slots: 63 MB and 516 MB.
const FULL_SIZES: readonly StateSize[] = [
  { label: '~64 MB', blocks: 5 },
  { label: '~512 MB', blocks: 41 },
];
const QUICK_SIZES: readonly StateSize[] = [{ label: '~12 MB', blocks: 1 }];

const DOCS_DIR = fileURLToPath(new URL('../../../docs/', import.meta.url));
/** Hand-written analysis appended to the generated markdown (kept in the package, next to the code it explains). */
const ANALYSIS = new URL('../analysis.md', import.meta.url);

interface Args {
  quick: boolean;
  accelerator?: 'webgpu' | 'gpu';
  only: ReadonlySet<BenchName>;
  write: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let only: Set<BenchName> = new Set(BENCHES);
  let write: boolean | undefined;
  let accelerator: Args['accelerator'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--accelerator' || arg.startsWith('--accelerator=')) {
      const name = arg === '--accelerator' ? argv[++i] : arg.slice('--accelerator='.length);
      if (name !== 'webgpu' && name !== 'gpu') throw new Error(`--accelerator must be webgpu or gpu (the backend rows already cover wasm and cpu), got ${String(name)}`);
      accelerator = name;
    } else if (arg === '--quick') quick = true;
    else if (arg === '--write') write = true;
    else if (arg === '--no-write') write = false;
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',');
      for (const name of names) if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`unknown benchmark '${name}'; choose from ${BENCHES.join(', ')}`);
      only = new Set(names as BenchName[]);
    } else throw new Error(`unknown argument '${arg}' (use --quick, --only=a,b, --write, --no-write, --accelerator webgpu|gpu)`);
  }
  // A quick or partial run is a smoke test: it must not replace the published figures unless asked.
  return { quick, only, write: write ?? (!quick && only.size === BENCHES.length), ...(accelerator && { accelerator }) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const machine = describeMachine();
  const ctx: BenchContext = {
    quick: args.quick,
    dir: await mkdtemp(join(tmpdir(), 'cairn-bench-')),
    say: (line) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`),
    ...(args.accelerator && { accelerator: args.accelerator }),
  };
  const outputs: BenchOutput[] = [];
  try {
    if (args.only.has('overhead')) outputs.push(await benchTrainerOverhead(ctx));
    if (args.only.has('save') || args.only.has('load')) {
      const saved = await benchCheckpointSave(ctx, args.quick ? QUICK_SIZES : FULL_SIZES);
      if (args.only.has('save')) outputs.push(saved);
      if (args.only.has('load')) outputs.push(await benchCheckpointLoad(ctx, saved.files));
    }
    if (args.only.has('cost')) outputs.push(await benchCheckpointCost(ctx));
    if (args.only.has('backends')) outputs.push(await benchBackends(ctx));
    if (args.only.has('peers')) outputs.push(await benchPeers(ctx));
  } finally {
    await rm(ctx.dir, { recursive: true, force: true });
  }
  const rows = outputs.flatMap((o) => o.rows);
  console.log(textTable(rows));
  if (!args.write) return;
  const analysis = await readFile(ANALYSIS, 'utf8').catch(() => '');
  const written = await writeReport(DOCS_DIR, {
    date: new Date().toISOString(),
    command: `pnpm bench${args.quick ? ' -- --quick' : ''}`,
    quick: args.quick,
    machine,
    durationSeconds: (performance.now() - started) / 1000,
    rows,
    notes: outputs.flatMap((o) => o.notes),
  }, analysis === '' ? '' : `\n${analysis}`);
  console.error(`wrote ${written.join(', ')}`);
}

await main();
