/** Where the bar writes: process.stderr, or anything with `write` (tests pass a fake). */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** A terminal: live redraws. Anything else (a pipe, a CI log) gets plain lines. */
  isTTY?: boolean;
  /** Terminal width; lines are cut to fit, since a wrapped line cannot be redrawn in place. */
  columns?: number;
}

const CLEAR_LINE = '\x1b[2K';
const CURSOR_UP = '\x1b[1A';

/** In-place redraws of up to two lines (the training bar and, below it, a validation bar). */
export class LiveTerminal {
  private lastDraw = -Infinity;

  constructor(
    private readonly stream: ProgressStream,
    private readonly refreshRate: number,
  ) {}

  /** Longest line that does not wrap (the last column would move the cursor on some terminals). */
  get width(): number {
    return Math.max(20, (this.stream.columns ?? 80) - 1);
  }

  /** Redraws the current line with `render(width)`; unless `force`, at most once per refreshRate ms. */
  draw(render: (width: number) => string, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < this.refreshRate) return;
    this.lastDraw = now;
    const width = this.width;
    const line = render(width);
    this.stream.write(`\r${CLEAR_LINE}${line.length > width ? line.slice(0, width) : line}`);
  }

  /** Ends the current line; later draws go to the next one. */
  newline(): void {
    this.stream.write('\n');
  }

  /** Erases the current line. */
  clear(): void {
    this.stream.write(`\r${CLEAR_LINE}`);
  }

  /** Erases the current line and moves up to the previous one. */
  closeLine(): void {
    this.stream.write(`\r${CLEAR_LINE}${CURSOR_UP}`);
  }
}
