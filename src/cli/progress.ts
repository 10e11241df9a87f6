/**
 * Progress on stderr while an upload, an ingestion or a long query runs: a bar redrawn in place on a
 * terminal, nothing at all otherwise (logs and pipes get the result only).
 */
import { formatBytes, formatDuration, type OutStream } from './output.ts';

/** Redraws at most this often. */
const FRAME_MS = 100;
const BAR_CELLS = 24;

export interface ProgressReporter {
  /** Bytes (or steps) done of `total`; `total` undefined for an open-ended wait. */
  update(done: number, total?: number, detail?: string): void;
  /** A new phase ("uploading", "transforming", ...). */
  phase(label: string): void;
  /** Clears the bar. */
  done(): void;
}

export const silentProgress: ProgressReporter = { update() {}, phase() {}, done() {} };

/** A bar on `stream` when it is a terminal and `enabled`; otherwise a reporter that prints nothing. */
export function createProgress(
  stream: OutStream,
  opts: { enabled: boolean; bytes?: boolean; label?: string },
): ProgressReporter {
  if (!opts.enabled || stream.isTTY !== true) return silentProgress;
  return new TerminalProgress(stream, opts.label ?? '', opts.bytes ?? false);
}

class TerminalProgress implements ProgressReporter {
  private last = 0;
  private shown = false;
  private readonly started = Date.now();
  private spin = 0;

  constructor(
    private readonly stream: OutStream,
    private label: string,
    private readonly bytes: boolean,
  ) {}

  phase(label: string): void {
    this.label = label;
    this.update(0, undefined, undefined, true);
  }

  update(done: number, total?: number, detail?: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < FRAME_MS && (total === undefined || done < total)) return;
    this.last = now;
    const amount = (n: number) => (this.bytes ? formatBytes(n) : String(n));
    let text: string;
    if (total && total > 0) {
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * BAR_CELLS);
      text = `${this.label} [${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${amount(done)}/${amount(total)}`;
    } else {
      const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
      text = `${frames[this.spin++ % frames.length]} ${this.label} ${formatDuration(now - this.started)}`;
    }
    if (detail) text += ` ${detail}`;
    const width = (this.stream.columns ?? 100) - 1;
    this.stream.write(`\r\u001b[2K${text.slice(0, width)}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }
}
