/**
 * What the CLI writes: human text (tables, key/value blocks, short reports) on stdout by default, one JSON
 * document with `--json`; progress and notices on stderr. Colour only when stdout is a terminal and
 * NO_COLOR is not set, never with `--json`.
 *
 * Human text carries values from data (cells, column names, titles, report messages), so every line is
 * written through escapeControls: a terminal shows what a value holds and never acts on it. The JSON
 * document is exact (JSON escapes the control characters itself).
 */
import { randomBytes } from 'node:crypto';

/** The part of a writable stream the CLI uses (process.stdout, or a buffer in tests). */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything a command touches of its process: streams, environment and working directory. */
export interface Io {
  /** What `lake sql` reads its statements from (process.stdin). */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted when the user interrupts (Ctrl-C): long-running commands stop cleanly. */
  readonly signal?: AbortSignal;
}

export function processIo(signal?: AbortSignal): Io {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal,
  };
}

const ANSI = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', cyan: '36' } as const;
export type Style = keyof typeof ANSI;

/**
 * Characters a terminal acts on instead of showing: the C0 controls (ESC, which starts every escape
 * sequence, tab and line breaks among them), DEL, the C1 controls (U+009B and U+009D start sequences on
 * their own), and the bidirectional embeddings, overrides and isolates that reorder the text after them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as UNSAFE.
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visibleEscape(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every character a terminal would act on written as a visible escape: `\x1b` for ESC (so
 * an escape sequence shows as text and does nothing), `\n`, `\t` and `\r` for line breaks and tabs,
 * `\u202e` for a bidirectional override. Escaped text has no such character left, so escaping it again
 * changes nothing. With `newlines`, line feeds are kept (messages of several lines, such as errors).
 */
export function escapeControls(text: string, opts: { newlines?: boolean } = {}): string {
  return text.replace(opts.newlines ? UNSAFE_BUT_NEWLINE : UNSAFE, visibleEscape);
}

/**
 * A style travels inside the text as this marker until the line is written: the line is escaped first,
 * then each marker becomes the ESC that starts an ANSI sequence. The marker holds random bytes drawn once
 * per process, so no value from data can spell it (a value can only ever show as text).
 */
const STYLE_MARK = `\u{e000}${randomBytes(8).toString('hex')}[`;

/** Display width of a string in a terminal: East Asian wide characters take two cells, marks none. */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** `s` cut to at most `max` display cells, ending with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

export interface Column {
  /** Heading shown above the column. */
  header: string;
  /** Right-aligned (numbers). */
  right?: boolean;
  /** Widest a cell may be before it is cut. @default 48 */
  max?: number;
}

/**
 * Human form of a value in a table cell: numbers as they are (no grouping), ten significant digits; text
 * on one line, its control characters escaped (escapeControls).
 */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return escapeControls(JSON.stringify(value));
  return escapeControls(String(value));
}

/** A count in prose: 1,234. */
export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

function formatNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e15 || (abs > 0 && abs < 1e-6)) return n.toExponential(6);
  // Ten significant digits: coordinates keep their six decimals, sums lose their binary noise.
  return String(Number(n.toPrecision(10)));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A plain-text table: a header line, a rule, one line per row (cells and headers escaped, as cell()). */
export function renderTable(columns: readonly Column[], rows: readonly (readonly unknown[])[]): string[] {
  const headers = columns.map((c) => escapeControls(c.header));
  const texts = rows.map((r) => columns.map((c, i) => truncate(cell(r[i]), c.max ?? 48)));
  const widths = columns.map((_, i) =>
    Math.max(displayWidth(headers[i]), ...texts.map((t) => displayWidth(t[i]))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((s, i) => pad(s, widths[i], columns[i].right ?? false))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...texts.map((t) => line(t))];
}

/** Writes a command's results: human text or one JSON document. */
export class Output {
  readonly json: boolean;
  readonly color: boolean;

  constructor(
    readonly io: Io,
    opts: { json?: boolean } = {},
  ) {
    this.json = opts.json ?? false;
    this.color = !this.json && io.stdout.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  }

  /** `text` in the given styles once written by line() or notice() (STYLE_MARK); as it is without colour. */
  style(text: string, ...styles: Style[]): string {
    if (!this.color || styles.length === 0) return text;
    return `${STYLE_MARK}${styles.map((s) => ANSI[s]).join(';')}m${text}${STYLE_MARK}0m`;
  }

  /** A line as the terminal gets it: control characters escaped, then the styles made ANSI sequences. */
  private render(text: string): string {
    const safe = escapeControls(text);
    return this.color ? safe.replaceAll(STYLE_MARK, '\u001b[') : safe;
  }

  /** A line of human output (ignored in JSON mode), on one line whatever the data in it holds. */
  line(text = ''): void {
    if (!this.json) this.io.stdout.write(`${this.render(text)}\n`);
  }

  heading(text: string): void {
    this.line(this.style(text, 'bold'));
  }

  table(columns: readonly Column[], rows: readonly (readonly unknown[])[], indent = ''): void {
    const [head, rule, ...body] = renderTable(columns, rows);
    this.line(indent + this.style(head, 'bold'));
    this.line(indent + this.style(rule, 'dim'));
    for (const b of body) this.line(indent + b);
  }

  /** Aligned `key: value` lines. */
  fields(pairs: readonly (readonly [string, unknown])[], indent = ''): void {
    const width = Math.max(...pairs.map(([k]) => displayWidth(k)));
    for (const [k, v] of pairs)
      this.line(`${indent}${this.style(pad(`${k}:`, width + 1, false), 'dim')} ${cell(v)}`);
  }

  /** The JSON document of a command (only in JSON mode). */
  document(value: unknown): void {
    if (this.json) this.io.stdout.write(`${jsonText(value, 2)}\n`);
  }

  /**
   * A problem that does not stop the command, on stderr: `lake: warning: <message>` and what to do, or
   * with `--json` one line `{"warning":{"code","message","hint"}}` (stdout keeps its one document).
   */
  warning(e: { message: string; hint?: string; code?: string }, consequence?: string): void {
    const hint = [e.hint, consequence].filter(Boolean).join(' ');
    if (this.json) {
      const doc = { warning: { code: e.code ?? 'warning', message: e.message, ...(hint ? { hint } : {}) } };
      this.io.stderr.write(`${jsonText(doc)}\n`);
      return;
    }
    const text = (s: string) => escapeControls(s, { newlines: true });
    this.io.stderr.write(`lake: warning: ${text(e.message)}\n${hint ? `${text(hint)}\n` : ''}`);
  }

  /** A notice for the person at the terminal, on stderr (never part of the results). */
  notice(text: string): void {
    this.io.stderr.write(`${this.render(text)}\n`);
  }
}

/** JSON.stringify replacer: bigints as numbers when exact, else as strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return value;
}

/** The C1 controls and the bidirectional controls: JSON.stringify leaves them as they are (it escapes C0). */
const JSON_UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as JSON (jsonReplacer), written so that a terminal only shows it: JSON.stringify escapes the C0
 * controls, and the C1 and bidirectional controls are escaped here (`\u009b`). They can only stand inside
 * strings, so the document still parses to exactly the same values.
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, jsonReplacer, indent).replace(
    JSON_UNSAFE,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
