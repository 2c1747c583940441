import type { ProgressStream } from '../../../src/index.js';

/** A writable that keeps every chunk; `isTTY` picks the progress bar's mode. */
export class FakeStream implements ProgressStream {
  readonly chunks: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

/**
 * What a terminal shows after the output: interprets \r, \n, erase-line (ESC[2K) and cursor-up
 * (ESC[1A), the only controls the live bar uses; any other escape fails the test.
 */
export function screen(text: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      col = 0;
      if (lines.length <= row) lines.push('');
    } else if (ch === '\x1b') {
      const code = text.slice(i, i + 4);
      if (code === '\x1b[2K') lines[row] = '';
      else if (code === '\x1b[1A') row = Math.max(0, row - 1);
      else throw new Error(`unexpected escape ${JSON.stringify(code)}`);
      i += 3;
    } else {
      const line = lines[row]!.padEnd(col);
      lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col += 1;
    }
  }
  return lines;
}
