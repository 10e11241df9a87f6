/**
 * One streaming pass over UTF-8 text that frames records the way DuckDB's CSV reader does (RFC 4180
 * quotes, blank lines skipped) and records where each record starts, so every published and rejected
 * row carries the physical line it came from. Memory is bounded: only the header is kept, and the
 * places where line numbers stop following record numbers ("drift", caused by blank lines and quoted
 * line breaks) are streamed to a sink as they are found.
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
/** Candidate delimiters, in order of preference on a tie. */
export const DELIMITER_CANDIDATES = [',', '\t', ';', '|'];
const MAX_HEADER_BYTES = 8 * 1024 * 1024;

export interface ScanResult {
  /** Physical line (1-based) on which the header record ends; 0 when there is no header. */
  headerEndLine: number;
  /**
   * Physical line (1-based) on which the header record starts; 0 when there is no header. It is also
   * the number of rows DuckDB's `skip` must pass over to reach the data: DuckDB counts the blank lines
   * before the header one each and the header as one, however many lines its quoted values span.
   */
  headerStartLine: number;
  /** The header record's raw text (UTF-8, BOM removed), or null when the file has no record. */
  headerText: string | null;
  /** Data records (after the header when there is one), counted as DuckDB counts them. */
  records: number;
  /** Physical lines in the file. */
  lines: number;
  /** Number of drift entries emitted. */
  driftEntries: number;
  /** True when the file ended inside a quoted field. */
  unterminatedQuote: boolean;
  /** Physical line on which the unterminated quoted field starts. */
  unterminatedQuoteLine: number | null;
}

/** A drift entry: data record `record` (1-based) starts on physical line `line`. */
export type DriftSink = (record: number, line: number) => void;

export interface LineScannerOptions {
  /** csv: quote-aware framing with a header record; lines: one record per non-blank line, no header. */
  mode: 'csv' | 'lines';
  /** The delimiter, when declared; otherwise any candidate counts as a field boundary for quotes. */
  delimiter?: string;
  onDrift: DriftSink;
}

export class LineScanner {
  private readonly mode: 'csv' | 'lines';
  private readonly onDrift: DriftSink;
  private delimiters: Set<number>;

  private inQuote = false;
  /** A quote closed at the very end of the previous chunk: a quote at the start of this one is an escape. */
  private pendingClose = false;
  private prevByte = LF;
  private line = 1;

  /** The physical line (1-based) of the next byte. */
  get currentLine(): number {
    return this.line;
  }
  private recordStartLine = 1;
  private recordBytes = 0;
  private lastContentByte = -1;
  private quoteStartLine = 0;
  private firstChunk = true;

  private headerDone: boolean;
  private headerParts: Buffer[] = [];
  private headerBytes = 0;
  private headerEndLine = 0;
  private headerStartLine = 0;
  private records = 0;
  private expectedNextLine = 0;
  private driftEntries = 0;

  constructor(opts: LineScannerOptions) {
    this.mode = opts.mode;
    this.onDrift = opts.onDrift;
    const delims = opts.delimiter ? [opts.delimiter] : DELIMITER_CANDIDATES;
    this.delimiters = new Set(delims.map((d) => d.charCodeAt(0)));
    this.headerDone = opts.mode === 'lines';
    this.expectedNextLine = 1;
  }

  /** Restrict quote recognition to the chosen delimiter once the header has been read. */
  setDelimiter(delimiter: string): void {
    this.delimiters = new Set([delimiter.charCodeAt(0)]);
  }

  get headerComplete(): boolean {
    return this.headerDone;
  }

  write(chunk: Buffer): void {
    let pos = 0;
    if (this.firstChunk) {
      this.firstChunk = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) pos = 3;
    }
    const len = chunk.length;
    let nextQuote = this.mode === 'csv' ? -2 : -1;
    let nextLf = -2;

    while (pos < len) {
      if (this.inQuote) {
        if (this.pendingClose) {
          this.pendingClose = false;
          if (chunk[pos] === QUOTE) {
            this.account(chunk, pos, pos + 1); // an escaped quote split across chunks
            pos++;
            continue;
          }
          this.inQuote = false;
          continue;
        }
        const q = chunk.indexOf(QUOTE, pos);
        this.countLf(chunk, pos, q === -1 ? len : q);
        this.account(chunk, pos, q === -1 ? len : q + 1);
        if (q === -1) break;
        pos = q + 1;
        if (pos >= len) {
          this.pendingClose = true;
          break;
        }
        if (chunk[pos] === QUOTE) {
          this.account(chunk, pos, pos + 1);
          pos++;
          continue;
        }
        this.inQuote = false;
        // Only the quote search restarts here: a cached line feed before `pos` is searched for again
        // below, and one after it (or none, -1) still holds. Searching again from every closing quote
        // would rescan the rest of the chunk once per quoted value (quadratic on a long line of them).
        nextQuote = -2;
        continue;
      }

      if (nextLf !== -1 && nextLf < pos) nextLf = chunk.indexOf(LF, pos);
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = chunk.indexOf(QUOTE, pos);

      if (nextQuote !== -1 && (nextLf === -1 || nextQuote < nextLf)) {
        const before = nextQuote === pos ? this.prevByte : chunk[nextQuote - 1];
        const atFieldStart = this.recordBytes + (nextQuote - pos) === 0 || this.delimiters.has(before);
        this.account(chunk, pos, nextQuote + 1);
        pos = nextQuote + 1;
        if (atFieldStart) {
          this.inQuote = true;
          this.quoteStartLine = this.line;
        }
        continue;
      }
      if (nextLf === -1) {
        this.account(chunk, pos, len);
        break;
      }
      // A line feed outside quotes ends the record (or a blank line, which DuckDB skips).
      const contentBytes = this.recordBytes + (nextLf - pos);
      const lastByte = nextLf > pos ? chunk[nextLf - 1] : this.lastContentByte;
      const blank = contentBytes === 0 || (contentBytes === 1 && lastByte === CR);
      this.account(chunk, pos, nextLf);
      if (blank) {
        if (!this.headerDone) this.resetHeader();
      } else {
        this.endRecord();
      }
      this.line++;
      this.recordStartLine = this.line;
      this.recordBytes = 0;
      this.lastContentByte = -1;
      this.prevByte = LF;
      pos = nextLf + 1;
    }
  }

  /** Finish the scan; returns what was found. */
  end(): ScanResult {
    const unterminated = this.inQuote && !this.pendingClose;
    if (this.recordBytes > 0 || this.inQuote) {
      const blank = !this.inQuote && this.recordBytes === 1 && this.lastContentByte === CR;
      if (!blank) this.endRecord();
    }
    return {
      headerEndLine: this.headerEndLine,
      headerStartLine: this.headerStartLine,
      headerText: this.headerDone && this.mode === 'csv' ? this.headerString() : null,
      records: this.records,
      lines: this.recordBytes > 0 || this.inQuote ? this.line : this.line - 1,
      driftEntries: this.driftEntries,
      unterminatedQuote: unterminated,
      unterminatedQuoteLine: unterminated ? this.quoteStartLine : null,
    };
  }

  private countLf(chunk: Buffer, from: number, to: number): void {
    // Search [from, to) only: an unbounded search would scan to the end of the chunk for every quoted
    // value without a line feed.
    const part = chunk.subarray(from, to);
    let p = part.indexOf(LF);
    while (p !== -1) {
      this.line++;
      p = part.indexOf(LF, p + 1);
    }
  }

  /** Bytes [from, to) belong to the current record. */
  private account(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.recordBytes += to - from;
    this.lastContentByte = chunk[to - 1];
    this.prevByte = chunk[to - 1];
    if (!this.headerDone && this.headerBytes + (to - from) <= MAX_HEADER_BYTES) {
      this.headerParts.push(Buffer.from(chunk.subarray(from, to)));
      this.headerBytes += to - from;
    }
  }

  private resetHeader(): void {
    this.headerParts = [];
    this.headerBytes = 0;
  }

  private endRecord(): void {
    if (!this.headerDone) {
      this.headerDone = true;
      this.headerStartLine = this.recordStartLine;
      this.headerEndLine = this.line;
      this.expectedNextLine = this.line + 1;
      return;
    }
    this.records++;
    if (this.recordStartLine !== this.expectedNextLine) {
      this.onDrift(this.records, this.recordStartLine);
      this.driftEntries++;
    }
    // Readers of the drift table place record n+1 one line after record n *starts* (line of the
    // last entry + records since it), so a record spanning several lines moves the next one too.
    this.expectedNextLine = this.recordStartLine + 1;
  }

  /** The header record's text, once the header is complete. */
  headerString(): string {
    let text = Buffer.concat(this.headerParts).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return text;
  }
}

/** Split one CSV record's text into fields (RFC 4180 quoting). */
export function splitCsvRecord(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  while (i <= n) {
    if (text[i] === '"') {
      let value = '';
      i++;
      while (i < n) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      const next = text.indexOf(delimiter, i);
      value += next === -1 ? text.slice(i) : text.slice(i, next);
      fields.push(value);
      if (next === -1) break;
      i = next + 1;
      continue;
    }
    const next = text.indexOf(delimiter, i);
    if (next === -1) {
      fields.push(text.slice(i));
      break;
    }
    fields.push(text.slice(i, next));
    i = next + 1;
  }
  return fields;
}

/** The delimiter that splits the header into the most fields outside quotes (comma on a tie). */
export function detectDelimiter(headerText: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITER_CANDIDATES) {
    const count = splitCsvRecord(headerText, d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}
