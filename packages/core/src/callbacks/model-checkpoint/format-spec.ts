/**
 * Python's format-spec mini-language for numbers (`format(value, spec)`), which is what
 * Lightning's filename templates use: `[[fill]align][sign][#][0][width][,|_][.precision][type]`
 * with types d b o x X e E f F g G n % or none.
 */
const SPEC = /^(?:([\s\S])?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bdeEfFgGnoxX%])?$/u;

interface Spec {
  fill: string;
  align: string | undefined;
  sign: string;
  alternate: boolean;
  width: number;
  grouping: string | undefined;
  precision: number | undefined;
  type: string | undefined;
}

function parseSpec(spec: string): Spec {
  const m = SPEC.exec(spec);
  if (m === null) throw new Error(`invalid format spec '${spec}'`);
  const [, fill, align, sign, alternate, zero, width, grouping, precision, type] = m;
  return {
    fill: fill ?? (zero !== undefined && align === undefined ? '0' : ' '),
    align: align ?? (zero !== undefined ? '=' : undefined),
    sign: sign ?? '-',
    alternate: alternate !== undefined,
    width: width === undefined ? 0 : Number(width),
    grouping,
    precision: precision === undefined ? undefined : Number(precision),
    type,
  };
}

/**
 * JavaScript rounds an exact tie away from zero (0.25 -> '0.3'); Python rounds it to even
 * ('0.2'). A tie is when the exact binary value ends in 5 right after the last kept digit.
 */
function halfEven(render: (digits: number) => string, digits: number): string {
  const rounded = render(digits);
  if (digits >= 99) return rounded;
  const [longer = '', exponent] = render(digits + 1).split('e');
  const [exact = ''] = render(100).split('e');
  if (!longer.endsWith('5') || !/^0*$/u.test(exact.slice(longer.length)) || !exact.startsWith(longer)) return rounded;
  const down = longer.slice(0, -1).replace(/\.$/u, '');
  const even = Number(down.at(-1)) % 2 === 0;
  return even ? (exponent === undefined ? down : `${down}e${exponent}`) : rounded;
}

const toFixed = (value: number, digits: number): string => (value >= 1e21 ? value.toFixed(digits) : halfEven((d) => value.toFixed(d), digits));

/** Python's exponent notation: at least two exponent digits (`1.5e-05`). */
function exponential(value: number, digits: number): string {
  const [mantissa, exponent] = halfEven((d) => value.toExponential(d), digits).split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/u, '').padStart(2, '0')}`;
}

function stripZeros(text: string): string {
  return text.replace(/(\.\d*?)0+(e|$)/u, '$1$2').replace(/\.(e|$)/u, '$1');
}

/** 'g': `precision` significant digits, fixed unless the exponent is < -4 or >= precision. */
function general(value: number, precision: number, alternate: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (value === 0) return alternate ? (0).toFixed(p - 1) : '0';
  const exponent = Number(exponential(value, p - 1).split('e')[1]);
  const text = exponent >= -4 && exponent < p ? toFixed(value, p - 1 - exponent) : exponential(value, p - 1);
  return alternate ? text : stripZeros(text);
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
export function pythonRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/u, '').padStart(2, '0')}`;
}

function body(magnitude: number, spec: Spec): string {
  const { type, precision, alternate } = spec;
  if (!Number.isFinite(magnitude)) {
    const text = Number.isNaN(magnitude) ? 'nan' : 'inf';
    return type !== undefined && 'EFG'.includes(type) ? text.toUpperCase() : type === '%' ? `${text}%` : text;
  }
  switch (type) {
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      if (!Number.isInteger(magnitude)) throw new Error(`format code '${type}' needs an integer, got ${magnitude}`);
      const radix = { d: 10, b: 2, o: 8, x: 16, X: 16 }[type];
      const digits = magnitude.toString(radix);
      const prefix = alternate && type !== 'd' ? `0${type}` : '';
      return prefix + (type === 'X' ? digits.toUpperCase() : digits);
    }
    case 'e':
    case 'E': {
      const text = exponential(magnitude, precision ?? 6);
      return type === 'E' ? text.toUpperCase() : text;
    }
    case 'f':
    case 'F':
      return toFixed(magnitude, precision ?? 6);
    case '%':
      return `${toFixed(magnitude * 100, precision ?? 6)}%`;
    case 'g':
    case 'G':
    case 'n': {
      const text = general(magnitude, precision ?? 6, alternate);
      return type === 'G' ? text.toUpperCase() : text;
    }
    default: {
      if (precision === undefined) return pythonRepr(magnitude);
      // No type with a precision: like 'g', but a float keeps one decimal ('3.0'); with one
      // number type, every value is formatted as Python formats a float.
      const text = general(magnitude, precision, alternate);
      return /[.e]/u.test(text) ? text : `${text}.0`;
    }
  }
}

/** Inserts the separator every `size` digits of the integer part (4 for binary, octal, hex). */
function group(text: string, separator: string, size: number): string {
  const match = /^(0[bBoxX])?([0-9a-fA-F]*)(.*)$/u.exec(text)!;
  const [, prefix = '', integer = '', rest = ''] = match;
  let grouped = '';
  for (let i = integer.length; i > 0; i -= size) grouped = integer.slice(Math.max(0, i - size), i) + (grouped === '' ? '' : separator + grouped);
  return prefix + grouped + rest;
}

/** Formats a number as Python's `format(value, spec)` would (missing type: `str(value)`). */
export function formatNumber(value: number, spec: string): string {
  const s = parseSpec(spec);
  const negative = value < 0 || Object.is(value, -0);
  let text = body(Math.abs(value), s);
  if (s.grouping !== undefined) text = group(text, s.grouping, s.type !== undefined && 'boxX'.includes(s.type) ? 4 : 3);
  const sign = negative ? '-' : s.sign === '+' ? '+' : s.sign === ' ' ? ' ' : '';
  const padding = Math.max(0, s.width - sign.length - text.length);
  const fill = s.fill.repeat(padding);
  switch (s.align ?? '>') {
    case '<':
      return sign + text + fill;
    case '^':
      return s.fill.repeat(Math.floor(padding / 2)) + sign + text + s.fill.repeat(Math.ceil(padding / 2));
    case '=':
      return sign + fill + text;
    default:
      return fill + sign + text;
  }
}
