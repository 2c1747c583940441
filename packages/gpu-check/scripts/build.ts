// Builds the folder carried to the GPU machine (default packages/gpu-check/dist, under 64 MiB):
//   gpu-check.mjs     esbuild bundle of src/check.ts with Cairn, TF.js, tfjs-backend-webgpu and webgpu's loader
//   dawn.node.xz      webgpu 0.6.2's native Dawn (xz)
//   node.xz           this machine's Node binary (xz), for a machine without Node; cached by size and mtime
//   proto/            the TensorBoard .proto files @cairn/callbacks parses at run time
//   run.sh, lightning_peer.py, README.md
// Usage: node --import tsx scripts/build.ts [--out DIR] [--no-node]   (--no-node: for a dry run with GPU_CHECK_NODE)
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const LIMIT = 64 * 1024 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist') }, 'no-node': { type: 'boolean', default: false } } });
const out = args.out;
mkdirSync(out, { recursive: true });
const require = createRequire(import.meta.url);

await build({
  entryPoints: [join(root, 'src/check.ts')],
  outfile: join(out, 'gpu-check.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Optional packages Cairn only tries to load: absent on the GPU machine, and reported as absent.
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // The CommonJS packages inside (TF.js) call require; an ES module has none of its own.
  banner: { js: "import { createRequire as cairnCreateRequire } from 'node:module'; const require = cairnCreateRequire(import.meta.url);" },
  logLevel: 'error',
});

/** xz -6 into `target` unless `stamp` says this exact source was compressed there already. */
function compress(source: string, target: string): void {
  const { size, mtimeMs } = statSync(source);
  const stamp = `${source} ${size} ${mtimeMs}`;
  const stampFile = `${target}.source`;
  if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  console.error(`gpu-check build: compressing ${source} (${(size / 2 ** 20).toFixed(0)} MiB)`);
  writeFileSync(`${target}.tmp`, execFileSync('xz', ['-6', '-T0', '-c', source], { maxBuffer: 2 ** 30 }));
  renameSync(`${target}.tmp`, target);
  writeFileSync(stampFile, stamp);
}

const webgpuRoot = dirname(require.resolve('webgpu/package.json'));
compress(join(webgpuRoot, 'dist', `${process.platform}-${process.arch}`, 'dawn.node'), join(out, 'dawn.node.xz'));
if (!args['no-node']) compress(process.execPath, join(out, 'node.xz'));
const protoRoot = join(dirname(require.resolve('@cairn/callbacks')), '..', 'proto');
cpSync(protoRoot, join(out, 'proto'), { recursive: true });
for (const file of ['run.sh', 'python/lightning_peer.py', 'README.md']) copyFileSync(join(root, file), join(out, file.split('/').pop()!));

function sizeOf(path: string): number {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((n: number, name) => n + sizeOf(join(path, name)), 0) : s.size;
}
const total = readdirSync(out).filter((name) => !name.endsWith('.source')).reduce((n: number, name) => n + sizeOf(join(out, name)), 0);
console.error(`gpu-check build: ${out}, ${(total / 2 ** 20).toFixed(1)} MiB${args['no-node'] ? ' (without node.xz)' : ''}`);
if (total > LIMIT) throw new Error(`gpu-check build: ${total} bytes is over the ${LIMIT}-byte limit of what a GPU run can carry`);
