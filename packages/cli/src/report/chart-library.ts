import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, read from the installed package to be inlined (the report needs no network). */
export async function chartLibrary(): Promise<{ script: string; css: string }> {
  const [script, css] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  return { script, css };
}
