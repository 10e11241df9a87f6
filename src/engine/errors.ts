/** Errors of the transform engine. A FileRejectedError ends in a report, never in a crash. */

export class EngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/**
 * The file as a whole cannot be published: it could not be decoded or parsed, a required column is
 * missing, or the contract's policy quarantines it. `rule` names the check, `line` the source line
 * when one is known.
 */
export class FileRejectedError extends EngineError {
  readonly rule: string;
  readonly line: number | null;
  readonly column: string | null;

  constructor(rule: string, message: string, opts: { line?: number; column?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'FileRejectedError';
    this.rule = rule;
    this.line = opts.line ?? null;
    this.column = opts.column ?? null;
  }
}
