import { readFileSync } from 'node:fs';
import { mkdir, realpath, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The first ```ts block of the README: the example a new user copies. */
export function readmeExampleSource(): string {
  const match = /```ts\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'));
  if (match === null) throw new Error(`${README} has no \`\`\`ts block`);
  return match[1]!;
}

/**
 * The data the README leaves to the reader (xTrain, yTrain, xVal, yVal): three separable classes
 * of 4 features, from a fixed generator, so every run sees the same numbers.
 */
const DATA = `
let state = 12345;
const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
function split(count) {
  const xs = [], ys = [];
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    xs.push([0, 1, 2, 3].map((f) => (f === label ? 1 : 0) + 2 * (next() - 0.5)));
    ys.push([0, 1, 2].map((c) => (c === label ? 1 : 0)));
  }
  return [tf.tensor2d(xs), tf.tensor2d(ys)];
}
const [xTrain, yTrain] = split(3000);
const [xVal, yVal] = split(300);
`;

/** After the README's code: the trained weights, for comparing runs bit for bit. */
const REPORT = `
import { writeFileSync as __writeFileSync } from 'node:fs';
__writeFileSync('final.json', JSON.stringify({
  epochs: result.epochs,
  globalStep: result.globalStep,
  weights: trainer.module.net.getWeights().map((w) => Array.from(w.dataSync())),
}));
console.log('final.json written');
`;

/**
 * The README's example as a runnable ES module: its own code, unchanged but for the data it
 * leaves out and, with `resume`, the change its last comment tells a user to make after a crash
 * (`{ ckptPath: 'last' }` as the fourth argument of fit). Throws when the README no longer has
 * that fit call, so the README and this test cannot drift apart.
 */
export function readmeExampleScript(options: { resume: boolean }): string {
  const lines = readmeExampleSource().split('\n');
  const fitLine = lines.findIndex((line) => /^const result = await trainer\.fit\(.*\);$/.test(line));
  if (fitLine === -1) throw new Error("the README example has no line 'const result = await trainer.fit(...);'");
  if (options.resume) lines[fitLine] = lines[fitLine]!.replace(/\);$/, ", { ckptPath: 'last' });");
  const importCount = lines.filter((line) => line.startsWith('import ')).length;
  const source = [...lines.slice(0, importCount), DATA, ...lines.slice(importCount), REPORT].join('\n');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  return outputText;
}

/**
 * Makes the packages the README imports resolvable from `dir` through `dir/node_modules` links
 * to `packageDir`'s own (the workspace's builds of @cairn/core and @cairn/callbacks, one tfjs).
 */
export async function linkReadmePackages(dir: string, packageDir: string): Promise<void> {
  for (const name of ['@cairn/core', '@cairn/callbacks', '@tensorflow/tfjs']) {
    const link = join(dir, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(await realpath(join(packageDir, 'node_modules', name)), link, 'dir');
  }
}
